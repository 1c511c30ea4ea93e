package dev.leanode.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Serves bare repositories under a folder over git's smart HTTP protocol by running {@code git
 * http-backend} as a CGI, so that both the operator (JGit ls-remote) and the stand-in's clone talk
 * to a real git server. Smart, not dumb HTTP: Kaniko's go-git cannot clone the dumb protocol.
 */
public final class GitHttpServer implements AutoCloseable {
  private final Path root;
  private final HttpServer server;
  private final String expectedAuthorization;

  public GitHttpServer(Path root) throws IOException {
    this(root, null);
  }

  /**
   * With {@code basicAuth} ("user:password") every request must carry it as HTTP basic auth, as a
   * private git host does; others get 401 with a {@code WWW-Authenticate} challenge.
   */
  public GitHttpServer(Path root, String basicAuth) throws IOException {
    this.root = root;
    this.expectedAuthorization =
        basicAuth == null
            ? null
            : "Basic "
                + java.util.Base64.getEncoder()
                    .encodeToString(basicAuth.getBytes(StandardCharsets.UTF_8));
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  /** host:port, e.g. for git://HOST:PORT/repo.git contexts. */
  public String hostPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  public String url(String repo) {
    return "http://" + hostPort() + "/" + repo;
  }

  /**
   * Creates {@code name} (bare) from {@code appDir}'s files: commit on branch main, tag v1, then a
   * second commit on branch {@code feature} that changes {@code changedFile} (so branch, tag and
   * commit builds differ). Returns the commit SHAs [main, feature].
   */
  public List<String> createRepo(String name, Path appDir, String changedFile, String newContent)
      throws IOException {
    Path work = Files.createTempDirectory("leanode-git-work-");
    Proc.run(Duration.ofMinutes(1), "cp", "-R", appDir + "/.", work.toString()).check();
    git(work, "init", "-q", "-b", "main");
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "app");
    git(work, "tag", "v1");
    String main = git(work, "rev-parse", "HEAD").trim();
    git(work, "checkout", "-q", "-b", "feature");
    Files.writeString(work.resolve(changedFile), newContent);
    git(work, "commit", "-q", "-am", "feature change");
    String feature = git(work, "rev-parse", "HEAD").trim();
    git(work, "checkout", "-q", "main");
    Path bare = root.resolve(name);
    Proc.run(
            Duration.ofMinutes(1), "git", "clone", "-q", "--bare", work.toString(), bare.toString())
        .check();
    git(bare, "config", "http.receivepack", "false");
    KanikoStandIn.deleteTree(work);
    return List.of(main, feature);
  }

  /**
   * Points {@code branch} of the bare repository {@code name} at {@code commit}: a push, as seen.
   */
  public void moveBranch(String name, String branch, String commit) {
    git(root.resolve(name), "update-ref", "refs/heads/" + branch, commit);
  }

  private static String git(Path dir, String... args) {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                "git",
                "-C",
                dir.toString(),
                "-c",
                "user.name=leanode-test",
                "-c",
                "user.email=test@leanode.invalid"));
    cmd.addAll(List.of(args));
    return Proc.run(Duration.ofMinutes(1), cmd).check().output();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      if (expectedAuthorization != null
          && !expectedAuthorization.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"leanode-test-git\"");
        ex.sendResponseHeaders(401, -1);
        return;
      }
      Map<String, String> env = new HashMap<>();
      env.put("GIT_PROJECT_ROOT", root.toString());
      env.put("GIT_HTTP_EXPORT_ALL", "1");
      env.put("REQUEST_METHOD", ex.getRequestMethod());
      env.put("PATH_INFO", ex.getRequestURI().getPath());
      env.put(
          "QUERY_STRING",
          ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery());
      env.put("CONTENT_LENGTH", Integer.toString(body.length));
      env.put("REMOTE_ADDR", "127.0.0.1");
      String ct = ex.getRequestHeaders().getFirst("Content-Type");
      if (ct != null) {
        env.put("CONTENT_TYPE", ct);
      }
      String ce = ex.getRequestHeaders().getFirst("Content-Encoding");
      if (ce != null) {
        env.put("HTTP_CONTENT_ENCODING", ce);
      }
      String proto = ex.getRequestHeaders().getFirst("Git-Protocol");
      if (proto != null) {
        env.put("GIT_PROTOCOL", proto);
      }
      ProcessBuilder pb = new ProcessBuilder("git", "http-backend");
      pb.environment().putAll(env);
      pb.redirectError(ProcessBuilder.Redirect.DISCARD);
      Process p = pb.start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(body);
      }
      byte[] out;
      try (InputStream is = p.getInputStream()) {
        out = is.readAllBytes();
      }
      // CGI response: headers, blank line, body
      int split = indexOf(out, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      int skip = 4;
      if (split < 0) {
        split = indexOf(out, "\n\n".getBytes(StandardCharsets.ISO_8859_1));
        skip = 2;
      }
      int status = 200;
      if (split >= 0) {
        for (String line : new String(out, 0, split, StandardCharsets.ISO_8859_1).split("\r?\n")) {
          int c = line.indexOf(':');
          if (c <= 0) {
            continue;
          }
          String k = line.substring(0, c).trim();
          String v = line.substring(c + 1).trim();
          if (k.equalsIgnoreCase("Status")) {
            status = Integer.parseInt(v.split(" ")[0]);
          } else {
            ex.getResponseHeaders().add(k, v);
          }
        }
      }
      ByteArrayOutputStream rest = new ByteArrayOutputStream();
      if (split >= 0) {
        rest.write(out, split + skip, out.length - split - skip);
      }
      ex.sendResponseHeaders(status, rest.size() == 0 ? -1 : rest.size());
      if (rest.size() > 0) {
        ex.getResponseBody().write(rest.toByteArray());
      }
    }
  }

  private static int indexOf(byte[] a, byte[] b) {
    outer:
    for (int i = 0; i + b.length <= a.length; i++) {
      for (int j = 0; j < b.length; j++) {
        if (a[i + j] != b[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}

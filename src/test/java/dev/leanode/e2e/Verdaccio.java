package dev.leanode.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/**
 * A real private npm registry for the tests: Verdaccio from the npm registry (installed once per
 * machine into the temp folder), offline on loopback (no uplinks), htpasswd auth with
 * self-registration off, every package readable by authenticated users only. The npm registry's
 * summary for verdaccio says 6.10.4 wants Node 22 and its node-fetch must be pinned: 6.8.0 with
 * {@code overrides: {node-fetch: 2.7.0}} installs and runs on this machine's Node 20.
 */
public final class Verdaccio implements AutoCloseable {
  public static final String VERSION = "6.8.0";
  private static final ObjectMapper JSON = new ObjectMapper();

  public final String user = "leanode-npm";
  public final String password = "npm-pass-" + Long.toHexString(System.nanoTime());
  public final int port;
  public final Path dir;
  private final Process process;
  private final HttpClient http = HttpClient.newHttpClient();

  public Verdaccio() throws IOException {
    Path install = install();
    dir = Files.createTempDirectory("leanode-verdaccio-");
    Files.createDirectories(dir.resolve("storage"));
    Files.writeString(
        dir.resolve("htpasswd"),
        Proc.run(Duration.ofSeconds(30), "htpasswd", "-Bbn", user, password).check().output().trim()
            + "\n");
    Files.writeString(
        dir.resolve("config.yaml"),
        String.join(
            "\n",
            "storage: " + dir.resolve("storage"),
            "auth:",
            "  htpasswd:",
            "    file: " + dir.resolve("htpasswd"),
            "    max_users: -1",
            "uplinks: {}",
            "packages:",
            "  '**':",
            "    access: $authenticated",
            "    publish: $authenticated",
            "    unpublish: $authenticated",
            "log: {type: stdout, format: pretty, level: warn}",
            ""));
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    process =
        new ProcessBuilder(
                install.resolve("node_modules/.bin/verdaccio").toString(),
                "--config",
                dir.resolve("config.yaml").toString(),
                "--listen",
                "127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("verdaccio.log").toFile())
            .start();
    try {
      await("verdaccio on " + url())
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(() -> status("/-/ping", null) == 200);
    } catch (RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** npm install of verdaccio into a folder of its own, once (a marker file says it is done). */
  static synchronized Path install() throws IOException {
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "leanode-verdaccio-" + VERSION);
    if (Files.exists(dir.resolve(".installed"))) {
      return dir;
    }
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("package.json"),
        "{\"name\": \"leanode-test-verdaccio\", \"private\": true,"
            + " \"dependencies\": {\"verdaccio\": \""
            + VERSION
            + "\"}, \"overrides\": {\"node-fetch\": \"2.7.0\"}}\n");
    Proc.run(
            Duration.ofMinutes(5),
            "sh",
            "-c",
            "cd \"$0\" && npm install --no-audit --no-fund --ignore-scripts",
            dir.toString())
        .check();
    Files.writeString(dir.resolve(".installed"), VERSION + "\n");
    return dir;
  }

  public String url() {
    return "http://127.0.0.1:" + port + "/";
  }

  /** A token for {@link #user} (npm login's request, with the user's basic credentials). */
  public String token() throws Exception {
    String basic =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url() + "-/user/org.couchdb.user:" + user))
                .header("authorization", "Basic " + basic)
                .header("content-type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(
                            java.util.Map.of("name", user, "password", password))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201 && r.statusCode() != 200) {
      throw new IllegalStateException("verdaccio login: " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body()).path("token").asText();
  }

  /** The .npmrc a user would put in the Secret: the scope's registry and its token. */
  public String npmrc(String scope, String token) {
    String hostPath = "//127.0.0.1:" + port + "/";
    return scope + ":registry=" + url() + "\n" + hostPath + ":_authToken=" + token + "\n";
  }

  /** npm publish of a package folder with that npmrc. */
  public void publish(Path pkg, String npmrc) throws IOException {
    Path rc = dir.resolve("publish.npmrc");
    Files.writeString(rc, npmrc);
    Proc.run(
            Duration.ofMinutes(2),
            "sh",
            "-c",
            "cd \"$0\" && npm publish --userconfig \"$1\"",
            pkg.toString(),
            rc.toString())
        .check();
  }

  /** HTTP status of a GET, with a bearer token or none. */
  public int status(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path.replaceFirst("^/", "")));
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    return http.send(
            b.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroyForcibly();
    KanikoStandIn.deleteTree(dir);
  }
}

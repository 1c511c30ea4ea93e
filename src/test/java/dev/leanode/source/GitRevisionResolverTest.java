package dev.leanode.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.leanode.api.v1alpha1.GitSource;
import dev.leanode.api.v1alpha1.LocalObjectRef;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Resolves revisions against real repositories, over file:// and over git's dumb HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitRevisionResolverTest {
  Path tmp;

  Path bare;
  String first;
  String second;
  String featureTip;
  String annotatedTagObject;
  final GitRevisionResolver resolver = new GitRevisionResolver(5);

  @BeforeAll
  void createRepositories() throws Exception {
    tmp = Files.createTempDirectory("leanode-git-");
    Path work = tmp.resolve("work");
    try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
      first = commit(git, work, "package.json", "{\"name\":\"app\"}", "first");
      git.tag().setName("v0.1").setAnnotated(false).call(); // lightweight tag on first
      second = commit(git, work, "index.js", "console.log(1)", "second");
      Ref annotated = git.tag().setName("v1.0").setAnnotated(true).setMessage("release").call();
      annotatedTagObject = annotated.getObjectId().name();
      git.checkout().setCreateBranch(true).setName("feature").call();
      featureTip = commit(git, work, "feature.js", "x", "feature work");
      git.checkout().setName("main").call();
    }
    bare = tmp.resolve("app.git");
    Git.cloneRepository()
        .setURI(work.toUri().toString())
        .setDirectory(bare.toFile())
        .setBare(true)
        .setCloneAllBranches(true)
        .call()
        .close();
    try (Git git = Git.open(bare.toFile())) {
      // a bare clone keeps the work tree's branches as remote-tracking refs; publish them as heads
      for (Ref r : git.getRepository().getRefDatabase().getRefsByPrefix("refs/remotes/origin/")) {
        String name = r.getName().substring("refs/remotes/origin/".length());
        if (!name.equals("HEAD")
            && git.getRepository().exactRef(Constants.R_HEADS + name) == null) {
          var update = git.getRepository().updateRef(Constants.R_HEADS + name);
          update.setNewObjectId(r.getObjectId());
          update.update();
        }
      }
      writeServerInfo(git.getRepository());
    }
  }

  @AfterAll
  void deleteRepositories() throws IOException {
    try (var paths = Files.walk(tmp)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static String commit(Git git, Path work, String file, String content, String message)
      throws Exception {
    Files.writeString(work.resolve(file), content);
    git.add().addFilepattern(file).call();
    RevCommit c =
        git.commit()
            .setMessage(message)
            .setAuthor("t", "t@example.com")
            .setCommitter("t", "t@example.com")
            .setSign(false)
            .call();
    return c.name();
  }

  /** What {@code git update-server-info} writes: the ref list dumb-HTTP clients read. */
  private static void writeServerInfo(Repository repo) throws IOException {
    StringBuilder refs = new StringBuilder();
    List<Ref> all = new ArrayList<>(repo.getRefDatabase().getRefsByPrefix("refs/"));
    all.sort((a, b) -> a.getName().compareTo(b.getName()));
    for (Ref r : all) {
      if (r.getName().startsWith("refs/remotes/")) {
        continue;
      }
      Ref peeled = repo.getRefDatabase().peel(r);
      refs.append(r.getObjectId().name()).append('\t').append(r.getName()).append('\n');
      if (peeled.getPeeledObjectId() != null) {
        refs.append(peeled.getPeeledObjectId().name())
            .append('\t')
            .append(r.getName())
            .append("^{}\n");
      }
    }
    Path info = repo.getDirectory().toPath().resolve("info");
    Files.createDirectories(info);
    Files.writeString(info.resolve("refs"), refs.toString());
    Path packs = repo.getDirectory().toPath().resolve("objects/info");
    Files.createDirectories(packs);
    Files.writeString(packs.resolve("packs"), "\n");
  }

  private static GitSource spec(String url, String revision) {
    GitSource s = new GitSource();
    s.setUrl(url);
    s.setRevision(revision);
    return s;
  }

  private String fileUrl() {
    return bare.toUri().toString();
  }

  @Test
  void emptyRevisionIsTheRemoteHead() throws Exception {
    ResolvedSource.Git g = resolver.resolve(spec(fileUrl(), null), Optional.empty());
    assertThat(g.ref()).isEqualTo("refs/heads/main");
    assertThat(g.commit()).isEqualTo(second);
    assertThat(resolver.resolve(spec(fileUrl(), ""), Optional.empty()).commit()).isEqualTo(second);
  }

  @Test
  void branchName() throws Exception {
    ResolvedSource.Git g = resolver.resolve(spec(fileUrl(), "feature"), Optional.empty());
    assertThat(g.ref()).isEqualTo("refs/heads/feature");
    assertThat(g.commit()).isEqualTo(featureTip);
  }

  @Test
  void lightweightTag() throws Exception {
    ResolvedSource.Git g = resolver.resolve(spec(fileUrl(), "v0.1"), Optional.empty());
    assertThat(g.ref()).isEqualTo("refs/tags/v0.1");
    assertThat(g.commit()).isEqualTo(first);
  }

  @Test
  void annotatedTagResolvesToThePeeledCommit() throws Exception {
    ResolvedSource.Git g = resolver.resolve(spec(fileUrl(), "v1.0"), Optional.empty());
    assertThat(g.ref()).isEqualTo("refs/tags/v1.0");
    assertThat(g.commit()).isEqualTo(second).isNotEqualTo(annotatedTagObject);
  }

  @Test
  void fullRefName() throws Exception {
    ResolvedSource.Git g = resolver.resolve(spec(fileUrl(), "refs/tags/v1.0"), Optional.empty());
    assertThat(g.ref()).isEqualTo("refs/tags/v1.0");
    assertThat(g.commit()).isEqualTo(second);
  }

  @Test
  void bareShaIsAcceptedWithoutRef() throws Exception {
    GitSource s = spec(fileUrl(), first.toUpperCase());
    s.setSubPath("apps/web");
    s.setSecretRef(new LocalObjectRef("git-creds"));
    ResolvedSource.Git g = resolver.resolve(s, Optional.empty());
    assertThat(g.ref()).isNull();
    assertThat(g.commit()).isEqualTo(first);
    assertThat(g.subPath()).isEqualTo("apps/web");
    assertThat(g.secretName()).isEqualTo("git-creds");
  }

  @Test
  void unknownRevision() {
    assertThatThrownBy(() -> resolver.resolve(spec(fileUrl(), "nope"), Optional.empty()))
        .isInstanceOf(SourceUnavailableException.class)
        .hasMessage("revision 'nope' not found in " + fileUrl())
        .extracting(e -> ((SourceUnavailableException) e).kind())
        .isEqualTo(SourceUnavailableException.Kind.REVISION_NOT_FOUND);
  }

  @Test
  void abbreviatedShaGetsAHint() {
    assertThatThrownBy(
            () -> resolver.resolve(spec(fileUrl(), first.substring(0, 7)), Optional.empty()))
        .hasMessageContaining("not found")
        .hasMessageContaining("abbreviated commit SHAs are not supported");
  }

  @Test
  void missingRepository() {
    String url = tmp.resolve("missing.git").toUri().toString();
    assertThatThrownBy(() -> resolver.resolve(spec(url, "main"), Optional.empty()))
        .isInstanceOf(SourceUnavailableException.class)
        .hasMessageContaining("missing.git")
        .extracting(e -> ((SourceUnavailableException) e).kind())
        .isEqualTo(SourceUnavailableException.Kind.REPOSITORY_NOT_FOUND);
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OverDumbHttp {
    HttpServer server;
    final AtomicInteger authorizedRequests = new AtomicInteger();

    @BeforeAll
    void start() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/public/", ex -> serve(ex, "/public/"));
      HttpContext priv = server.createContext("/private/", ex -> serve(ex, "/private/"));
      priv.setAuthenticator(
          new BasicAuthenticator("git") {
            @Override
            public boolean checkCredentials(String user, String password) {
              boolean ok = "alice".equals(user) && "s3cret-pw".equals(password);
              if (ok) {
                authorizedRequests.incrementAndGet();
              }
              return ok;
            }
          });
      server.start();
    }

    @AfterAll
    void stop() {
      server.stop(0);
    }

    private void serve(HttpExchange ex, String prefix) throws IOException {
      try (ex) {
        String path = ex.getRequestURI().getPath().substring(prefix.length());
        // /public/app.git/info/refs -> <bare>/info/refs; the smart-HTTP query is ignored, so the
        // client falls back to the dumb protocol
        String rel = path.substring(path.indexOf('/') + 1);
        Path file = bare.resolve(rel).normalize();
        if (!path.startsWith("app.git/") || !file.startsWith(bare) || !Files.isRegularFile(file)) {
          ex.sendResponseHeaders(404, -1);
          return;
        }
        byte[] body = Files.readAllBytes(file);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    }

    String url(String area) {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + area + "/app.git";
    }

    @Test
    void publicRepositoryBranchTagAndHead() throws Exception {
      assertThat(resolver.resolve(spec(url("public"), "feature"), Optional.empty()).commit())
          .isEqualTo(featureTip);
      ResolvedSource.Git tag = resolver.resolve(spec(url("public"), "v1.0"), Optional.empty());
      assertThat(tag.ref()).isEqualTo("refs/tags/v1.0");
      assertThat(tag.commit()).isEqualTo(second);
      ResolvedSource.Git head = resolver.resolve(spec(url("public"), ""), Optional.empty());
      assertThat(head.commit()).isEqualTo(second);
      assertThat(head.ref()).isEqualTo("refs/heads/main");
    }

    @Test
    void credentialsAreSent() throws Exception {
      int before = authorizedRequests.get();
      ResolvedSource.Git g =
          resolver.resolve(
              spec(url("private"), "main"), Optional.of(new GitCredentials("alice", "s3cret-pw")));
      assertThat(g.commit()).isEqualTo(second);
      assertThat(authorizedRequests.get()).isGreaterThan(before);
    }

    @Test
    void tokenSecretIsSentAsPassword() throws Exception {
      var creds =
          GitCredentials.fromSecretData(
              java.util.Map.of(
                  "username", b64("alice"),
                  "token", b64("s3cret-pw\n")));
      assertThat(creds)
          .get()
          .extracting(GitCredentials::layout)
          .isEqualTo(GitCredentials.Layout.USERNAME_TOKEN);
      GitSource s = spec(url("private"), "v0.1");
      s.setSecretRef(new LocalObjectRef("git-token"));
      ResolvedSource.Git g = resolver.resolve(s, creds);
      assertThat(g.commit()).isEqualTo(first);
      assertThat(g.secretLayout()).isEqualTo(GitCredentials.Layout.USERNAME_TOKEN);
    }

    @Test
    void wrongPasswordIsAClearErrorWithoutThePassword() {
      assertThatThrownBy(
              () ->
                  resolver.resolve(
                      spec(url("private"), "main"),
                      Optional.of(new GitCredentials("alice", "wrong-pw-123"))))
          .isInstanceOf(SourceUnavailableException.class)
          .hasMessageContaining("authentication failed for " + url("private"))
          .hasMessageNotContaining("wrong-pw-123")
          .extracting(e -> ((SourceUnavailableException) e).kind())
          .isEqualTo(SourceUnavailableException.Kind.AUTH_FAILED);
    }

    @Test
    void noCredentialsForAPrivateRepository() {
      assertThatThrownBy(() -> resolver.resolve(spec(url("private"), "main"), Optional.empty()))
          .hasMessageContaining("authentication failed")
          .hasMessageContaining("secretRef");
    }

    @Test
    void credentialsEmbeddedInTheUrlAreNotEchoed() {
      String withUser = url("private").replace("http://", "http://bob:hunter2pw@");
      assertThatThrownBy(() -> resolver.resolve(spec(withUser, "main"), Optional.empty()))
          .isInstanceOf(SourceUnavailableException.class)
          .hasMessageNotContaining("hunter2pw")
          .hasMessageNotContaining("bob:");
    }

    @Test
    void unreachable() throws Exception {
      int port;
      try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      String url = "http://127.0.0.1:" + port + "/app.git";
      assertThatThrownBy(() -> resolver.resolve(spec(url, "main"), Optional.empty()))
          .isInstanceOf(SourceUnavailableException.class)
          .hasMessageContaining("unreachable")
          .extracting(e -> ((SourceUnavailableException) e).kind())
          .isEqualTo(SourceUnavailableException.Kind.UNREACHABLE);
    }
  }

  static String b64(String s) {
    return java.util.Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @SuppressWarnings("unused")
  private static String id(ObjectId id) {
    return id.name();
  }
}

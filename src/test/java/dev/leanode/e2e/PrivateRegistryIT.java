package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.leanode.api.v1alpha1.NodeAppImage;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * spec.build.npmrcSecretRef against a real private registry (Verdaccio, offline on loopback,
 * htpasswd auth, nothing readable without a token): a scoped package published to it, an app
 * depending on it built from git through the operator, the image answering with the private
 * package's text. Then every blob pushed for the image and its cache repository (manifests, configs
 * with their history, layers gunzipped) is searched for the token and the password, and the Job is
 * checked: the Secret reaches the init container only.
 *
 * <p>The buildah stand-in pushes no cache layers (KanikoStandIn.ASSUMPTIONS): what Kaniko would
 * cache are the RUN layers of the install stages, which never hold the npmrc either, since Kaniko
 * and the stand-in alike snapshot no mounted volume; the cache repository is searched all the same.
 */
class PrivateRegistryIT extends OnRealCluster {
  static final String SCOPE = "@leanode-private";
  static final ObjectMapper JSON = new ObjectMapper();
  static Verdaccio npm;
  static String token;
  static Path root;
  static GitHttpServer git;

  @BeforeAll
  static void registry() throws Exception {
    npm = new Verdaccio();
    token = npm.token();
    Path pkg = Files.createTempDirectory("leanode-private-pkg-");
    Files.writeString(
        pkg.resolve("package.json"),
        "{\"name\": \"" + SCOPE + "/greeting\", \"version\": \"1.0.0\", \"main\": \"index.js\"}\n");
    Files.writeString(
        pkg.resolve("index.js"), "module.exports = () => 'hello from a private package';\n");
    npm.publish(pkg, npm.npmrc(SCOPE, token));
    KanikoStandIn.deleteTree(pkg);
    assertThat(npm.status("/" + SCOPE + "%2fgreeting", null)).as("anonymous read").isEqualTo(401);
    assertThat(npm.status("/" + SCOPE + "%2fgreeting", token)).isEqualTo(200);
    root = Files.createTempDirectory("leanode-private-git-");
    git = new GitHttpServer(root);
  }

  @AfterAll
  static void stop() {
    if (git != null) {
      git.close();
      KanikoStandIn.deleteTree(root);
    }
    if (npm != null) {
      npm.close();
    }
  }

  @Test
  void privateScopedPackageInstalledWithTheSecretsNpmrcAndInNoBlob() throws Exception {
    Path app = Files.createTempDirectory("leanode-private-app-");
    Files.writeString(
        app.resolve("package.json"),
        "{\"name\": \"private-dep-app\", \"version\": \"1.0.0\", \"main\": \"index.js\","
            + " \"dependencies\": {\""
            + SCOPE
            + "/greeting\": \"1.0.0\"}}\n");
    Files.writeString(
        app.resolve("index.js"),
        "const greet = require('"
            + SCOPE
            + "/greeting');\n"
            + "require('http').createServer((q, r) => r.end(greet()))"
            + ".listen(process.env.PORT || 3000);\n");
    // the lockfile as the app's developer makes it: npm against the private registry
    Path rc = app.resolve("../" + app.getFileName() + ".npmrc");
    Files.writeString(rc, npm.npmrc(SCOPE, token));
    Proc.run(
            Duration.ofMinutes(2),
            "sh",
            "-c",
            "cd \"$0\" && npm install --package-lock-only --no-audit --no-fund --userconfig \"$1\"",
            app.toString(),
            rc.toString())
        .check();
    Files.delete(rc);
    assertThat(Files.readString(app.resolve("package-lock.json"))).doesNotContain(token);
    git.createRepo(
        "private.git", app, "index.js", Files.readString(app.resolve("index.js")) + "\n");
    KanikoStandIn.deleteTree(app);

    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("npm-auth")
                .endMetadata()
                .withStringData(Map.of(".npmrc", npm.npmrc(SCOPE, token)))
                .build())
        .create();
    String image = Tools.REGISTRY + "/e2e/private-dep:1";
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("source", Map.of("git", Map.of("url", git.url("private.git"), "revision", "main")));
    spec.put("output", Map.of("image", image, "insecure", true));
    spec.put("build", Map.of("cache", true, "npmrcSecretRef", Map.of("name", "npm-auth")));
    client.resource(OperatorE2E.resource("private-dep", spec)).create();
    NodeAppImage r = OperatorE2E.awaitCondition(client, "private-dep", "Ready", "True");

    try (NetnsImageRunner run = new NetnsImageRunner()) {
      String c = run.start(GeneratedAppsIT.image(r), GeneratedAppsIT.creds(r), List.of());
      assertThat(run.get(c, 3000, "/")).isEqualTo("200 hello from a private package");
      GeneratedAppsIT.assertProductionNonRoot(run, c);
      assertThat(run.exec(c, "sh", "-c", "ls -A /leanode 2>&1; ls -A ~ 2>&1; true"))
          .doesNotContain(".npmrc");
    }

    // the Secret reaches the init container only; the Kaniko container gets an emptyDir copy
    Job job = client.batch().v1().jobs().withName(r.getStatus().getBuild().getJob()).get();
    var pod = job.getSpec().getTemplate().getSpec();
    String secretVolume =
        pod.getVolumes().stream()
            .filter(v -> v.getSecret() != null && "npm-auth".equals(v.getSecret().getSecretName()))
            .findFirst()
            .orElseThrow()
            .getName();
    assertThat(pod.getContainers())
        .allSatisfy(
            k -> assertThat(k.getVolumeMounts()).noneMatch(m -> m.getName().equals(secretVolume)));
    assertThat(pod.getInitContainers())
        .anySatisfy(
            i -> assertThat(i.getVolumeMounts()).anyMatch(m -> m.getName().equals(secretVolume)));

    String repo = "e2e/private-dep";
    List<String> searched = new ArrayList<>();
    for (String tagRepo : List.of(repo, repo + "/cache")) {
      for (String tag : tags(tagRepo)) {
        searchManifest(tagRepo, tag, searched);
      }
    }
    assertThat(searched).as("blobs searched").hasSizeGreaterThan(3);
    System.out.println(
        "[PrivateRegistryIT] token absent from " + searched.size() + " blobs: " + searched);
  }

  // ---------------------------------------------------------------------------------------------

  static final HttpClient HTTP = HttpClient.newHttpClient();

  static List<String> tags(String repo) throws Exception {
    HttpResponse<String> r = get("/v2/" + repo + "/tags/list", "application/json");
    if (r.statusCode() == 404) {
      return List.of();
    }
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    JSON.readTree(r.body()).path("tags").forEach(t -> out.add(t.asText()));
    return out;
  }

  static void searchManifest(String repo, String ref, List<String> searched) throws Exception {
    HttpResponse<String> m =
        get(
            "/v2/" + repo + "/manifests/" + ref,
            "application/vnd.docker.distribution.manifest.v2+json,"
                + "application/vnd.oci.image.manifest.v1+json,"
                + "application/vnd.oci.image.index.v1+json,"
                + "application/vnd.docker.distribution.manifest.list.v2+json");
    assertThat(m.statusCode()).as("manifest %s:%s", repo, ref).isEqualTo(200);
    assertSecretFree(repo + ":" + ref + " manifest", m.body().getBytes(StandardCharsets.UTF_8));
    searched.add(repo + ":" + ref);
    JsonNode manifest = JSON.readTree(m.body());
    for (JsonNode child : manifest.path("manifests")) {
      searchManifest(repo, child.path("digest").asText(), searched);
    }
    List<JsonNode> blobs = new ArrayList<>();
    if (manifest.has("config")) {
      blobs.add(manifest.get("config"));
    }
    manifest.path("layers").forEach(blobs::add);
    for (JsonNode b : blobs) {
      String digest = b.path("digest").asText();
      try (InputStream in = blob(repo, digest)) {
        assertSecretFree(repo + "@" + digest, in);
      }
      if (b.path("mediaType").asText().contains("gzip")) {
        try (InputStream in = new GZIPInputStream(blob(repo, digest))) {
          assertSecretFree(repo + "@" + digest + " (gunzipped)", in);
        }
      }
      searched.add(digest.substring(0, 19));
    }
  }

  static void assertSecretFree(String what, byte[] content) throws IOException {
    assertSecretFree(what, new ByteArrayInputStream(content));
  }

  /** Streams the content past the needles (layers are hundreds of MB): none may occur. */
  static void assertSecretFree(String what, InputStream in) throws IOException {
    // not ":_authToken=": the base image's npm has that text in its own source (a real run found it
    // in the node:22-alpine layer); the secret is the token and the password
    List<String> needles = List.of(token, npm.password);
    int keep = needles.stream().mapToInt(String::length).max().orElseThrow();
    byte[] buf = new byte[1 << 20];
    String carry = "";
    int n;
    while ((n = in.read(buf)) > 0) {
      String text = carry + new String(buf, 0, n, StandardCharsets.ISO_8859_1);
      for (String needle : needles) {
        assertThat(text.contains(needle))
            .as(
                "%s contains %s",
                what,
                needle.equals(token)
                    ? "the token"
                    : needle.equals(npm.password) ? "the password" : needle)
            .isFalse();
      }
      carry = text.substring(Math.max(0, text.length() - keep));
    }
  }

  static HttpResponse<String> get(String path, String accept)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://" + Tools.REGISTRY + path))
            .header("accept", accept)
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static InputStream blob(String repo, String digest) throws IOException, InterruptedException {
    HttpResponse<InputStream> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + Tools.REGISTRY + "/v2/" + repo + "/blobs/" + digest))
                .timeout(Duration.ofMinutes(2))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).as("blob %s", digest).isEqualTo(200);
    return r.body();
  }
}

package dev.leanode.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Pushes images to a real registry through the distribution HTTP API (monolithic blob uploads, then
 * a manifest), so tests know exactly which sizes the registry holds.
 */
final class TestRegistry {

  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  final String host;
  private final String authorization;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A pushed manifest: its digest, its JSON size and the size the client should report. */
  record Pushed(String digest, long manifestBytes, long imageBytes, String mediaType) {}

  TestRegistry(String host, String user, String password) {
    this.host = host;
    this.authorization =
        user == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** Status of {@code GET /v2/}; fails the test naming the start command when unreachable. */
  static int requireUp(String host, int expectedStatus) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    try {
      HttpResponse<Void> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://" + host + "/v2/"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() != expectedStatus) {
        throw new AssertionError(
            "registry at "
                + host
                + " answered GET /v2/ with "
                + r.statusCode()
                + ", expected "
                + expectedStatus
                + ": is the right registry on that port? Restart it with `bash hack/registry.sh restart`");
      }
      return r.statusCode();
    } catch (IOException e) {
      throw new AssertionError(
          "no registry reachable at http://"
              + host
              + " ("
              + e
              + "). Start the test registries with `bash hack/registry.sh start` (needs `apt-get"
              + " install -y --no-install-recommends docker-registry apache2-utils`), or point"
              + " LEANODE_TEST_REGISTRY / LEANODE_TEST_AUTH_REGISTRY at running ones.",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  static String sha256(byte[] data) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Monolithic upload: POST to open a session, PUT the bytes with their digest. */
  String pushBlob(String repo, byte[] data) throws Exception {
    HttpResponse<String> start =
        send(
            request("/v2/" + repo + "/blobs/uploads/")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    expect(start, 202, "start blob upload");
    String location = start.headers().firstValue("Location").orElseThrow();
    URI upload = URI.create("http://" + host).resolve(location);
    String digest = sha256(data);
    String sep = upload.toString().contains("?") ? "&" : "?";
    HttpResponse<String> put =
        send(
            withAuth(HttpRequest.newBuilder(URI.create(upload + sep + "digest=" + digest)))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data))
                .build());
    expect(put, 201, "finish blob upload");
    return digest;
  }

  /**
   * Pushes one image: a random config blob and {@code layerSizes.size()} random layers, then a
   * manifest of {@code mediaType} (Docker schema2 or OCI) under {@code tag}.
   */
  Pushed pushImage(String repo, String tag, String mediaType, String arch, List<Integer> layerSizes)
      throws Exception {
    boolean oci = OCI_MANIFEST.equals(mediaType);
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", arch).put("os", "linux");
    config.putObject("config").put("Labels", (String) null);
    config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
    config.put("leanode-test-nonce", HexFormat.of().formatHex(randomBytes(8)));
    byte[] configBytes = JSON.writeValueAsBytes(config);
    String configDigest = pushBlob(repo, configBytes);

    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2).put("mediaType", mediaType);
    manifest
        .putObject("config")
        .put(
            "mediaType",
            oci
                ? "application/vnd.oci.image.config.v1+json"
                : "application/vnd.docker.container.image.v1+json")
        .put("size", configBytes.length)
        .put("digest", configDigest);
    ArrayNode layers = manifest.putArray("layers");
    long expected = configBytes.length;
    for (int size : layerSizes) {
      byte[] layer = randomBytes(size);
      layers
          .addObject()
          .put(
              "mediaType",
              oci
                  ? "application/vnd.oci.image.layer.v1.tar+gzip"
                  : "application/vnd.docker.image.rootfs.diff.tar.gzip")
          .put("size", layer.length)
          .put("digest", pushBlob(repo, layer));
      expected += layer.length;
    }
    // the sum the client must report, computed from the manifest as pushed
    long fromManifest = manifest.get("config").get("size").asLong() + sum(manifest.get("layers"));
    if (fromManifest != expected) {
      throw new IllegalStateException("test bug: " + fromManifest + " != " + expected);
    }
    byte[] body = JSON.writeValueAsBytes(manifest);
    return new Pushed(
        putManifest(repo, tag, mediaType, body), body.length, fromManifest, mediaType);
  }

  /** An index ({@code mediaType} OCI index or Docker list) over already pushed manifests. */
  Pushed pushIndex(String repo, String tag, String mediaType, List<Object[]> entries)
      throws Exception {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2).put("mediaType", mediaType);
    ArrayNode manifests = index.putArray("manifests");
    for (Object[] e : entries) {
      Pushed p = (Pushed) e[0];
      String[] platform = ((String) e[1]).split("/");
      ObjectNode entry =
          manifests
              .addObject()
              .put("mediaType", p.mediaType())
              .put("digest", p.digest())
              .put("size", p.manifestBytes());
      ObjectNode pl =
          entry.putObject("platform").put("os", platform[0]).put("architecture", platform[1]);
      if (platform.length > 2) {
        pl.put("variant", platform[2]);
      }
    }
    byte[] body = JSON.writeValueAsBytes(index);
    return new Pushed(putManifest(repo, tag, mediaType, body), body.length, -1, mediaType);
  }

  private String putManifest(String repo, String tag, String mediaType, byte[] body)
      throws Exception {
    HttpResponse<String> r =
        send(
            request("/v2/" + repo + "/manifests/" + tag)
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    expect(r, 201, "put manifest " + repo + ":" + tag);
    String digest = r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    if (!digest.equals(sha256(body))) {
      throw new IllegalStateException("registry digest " + digest + " != " + sha256(body));
    }
    return digest;
  }

  private static long sum(com.fasterxml.jackson.databind.JsonNode layers) {
    long s = 0;
    for (var l : layers) {
      s += l.get("size").asLong();
    }
    return s;
  }

  private HttpRequest.Builder request(String path) {
    return withAuth(
        HttpRequest.newBuilder(URI.create("http://" + host + path))
            .timeout(Duration.ofSeconds(15)));
  }

  private HttpRequest.Builder withAuth(HttpRequest.Builder b) {
    return authorization == null ? b : b.header("Authorization", authorization);
  }

  private HttpResponse<String> send(HttpRequest req) throws Exception {
    return http.send(req, HttpResponse.BodyHandlers.ofString());
  }

  private static void expect(HttpResponse<String> r, int status, String what) {
    if (r.statusCode() != status) {
      throw new IllegalStateException(
          what + ": HTTP " + r.statusCode() + " (expected " + status + "): " + r.body());
    }
  }
}

package dev.leanode.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Bearer token flow of Docker Hub, GHCR and Harbor (401 + WWW-Authenticate: Bearer realm,
 * service, scope → token endpoint with the push secret's Basic credentials → retry with the token),
 * against an in-process registry: distribution's own token auth needs a separate JWT issuer, which
 * the local test registries do not run.
 */
class OrasRegistryClientBearerTest {

  private static final String TOKEN = "tok-" + System.nanoTime();
  private static final String MANIFEST =
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
          + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":1234,"
          + "\"digest\":\"sha256:"
          + "1".repeat(64)
          + "\"},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
          + "\"size\":50000000,\"digest\":\"sha256:"
          + "2".repeat(64)
          + "\"},{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"size\":4633889,"
          + "\"digest\":\"sha256:"
          + "3".repeat(64)
          + "\"}]}";

  private HttpServer server;
  private String host;
  private final List<String> tokenQueries = new CopyOnWriteArrayList<>();
  private volatile int manifestStatus = 200;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    host = "127.0.0.1:" + server.getAddress().getPort();
    server.createContext("/token", this::token);
    server.createContext("/v2/", this::registry);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void token(HttpExchange ex) throws IOException {
    tokenQueries.add(URLDecoder.decode(ex.getRequestURI().getRawQuery(), StandardCharsets.UTF_8));
    String expected =
        "Basic "
            + Base64.getEncoder().encodeToString("robot:s3cret".getBytes(StandardCharsets.UTF_8));
    if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      reply(ex, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
      return;
    }
    reply(ex, 200, "application/json", "{\"token\":\"" + TOKEN + "\",\"expires_in\":300}");
  }

  private void registry(HttpExchange ex) throws IOException {
    if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      ex.getResponseHeaders()
          .add(
              "WWW-Authenticate",
              "Bearer realm=\"http://"
                  + host
                  + "/token\",service=\"fake-registry\",scope=\"repository:team/app:pull\"");
      reply(ex, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
      return;
    }
    if (!ex.getRequestURI().getPath().equals("/v2/team/app/manifests/v1")) {
      reply(ex, 404, "application/json", "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}");
      return;
    }
    if (manifestStatus != 200) {
      reply(ex, manifestStatus, "text/plain", "busy");
      return;
    }
    ex.getResponseHeaders()
        .add(
            "Docker-Content-Digest",
            TestRegistry.sha256(MANIFEST.getBytes(StandardCharsets.UTF_8)));
    reply(ex, 200, "application/vnd.oci.image.manifest.v1+json", MANIFEST);
  }

  private static void reply(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", type);
    // one request per connection: the JDK server drops idle keep-alive connections on its own
    // schedule, and a client reusing one at that moment reads "no bytes" (seen under load in CI)
    ex.getResponseHeaders().add("Connection", "close");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.getResponseHeaders().add("Content-Length", String.valueOf(bytes.length));
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      ex.getResponseBody().write(bytes);
    }
    ex.close();
  }

  private ImageReference ref() {
    return ImageReference.parse(host + "/team/app:v1");
  }

  @Test
  void fetchesATokenWithThePushSecretAndMeasures() throws Exception {
    ImageSize size =
        new OrasRegistryClient()
            .measure(ref(), Optional.of(new RegistryCredentials("robot", "s3cret")), true);
    assertThat(size.compressedBytes()).isEqualTo(1234L + 50_000_000L + 4_633_889L);
    assertThat(SizeFormat.human(size.compressedBytes())).isEqualTo("52.1 MiB");
    assertThat(size.mediaType()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
    assertThat(tokenQueries)
        .isNotEmpty()
        .allSatisfy(
            q ->
                assertThat(q)
                    .contains("service=fake-registry")
                    .contains("repository:team/app:pull"));
  }

  @Test
  void rejectedTokenRequestIsAFinal401() {
    assertThatThrownBy(
            () ->
                new OrasRegistryClient()
                    .measure(ref(), Optional.of(new RegistryCredentials("robot", "nope")), true))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(401);
              assertThat(e.retryable()).isFalse();
            });
  }

  @Test
  void serverErrorsAreRetryable() {
    manifestStatus = 503;
    assertThatThrownBy(
            () ->
                new OrasRegistryClient()
                    .measure(ref(), Optional.of(new RegistryCredentials("robot", "s3cret")), true))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(503);
              assertThat(e.retryable()).isTrue();
            });
  }
}

package dev.leanode.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leanode.registry.TestRegistry.Pushed;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client against real CNCF distribution registries started by {@code bash hack/registry.sh
 * start}: one without auth, one with htpasswd basic auth. Each test pushes fresh random images
 * through the registry HTTP API and compares the client's size with the pushed manifest's.
 */
class RegistryClientIT {

  private static final String NOAUTH = setting("LEANODE_TEST_REGISTRY", "127.0.0.1:5000");
  private static final String AUTH = setting("LEANODE_TEST_AUTH_REGISTRY", "127.0.0.1:5001");
  private static final String USER = setting("LEANODE_TEST_REGISTRY_USER", "leanode");
  private static final String PASSWORD = setting("LEANODE_TEST_REGISTRY_PASSWORD", "leanode-test");
  private static final Optional<RegistryCredentials> CREDS =
      Optional.of(new RegistryCredentials(USER, PASSWORD));

  private final RegistryClient client = new OrasRegistryClient();

  /** System property (e.g. -DLEANODE_TEST_REGISTRY=...) first, then the environment. */
  private static String setting(String name, String fallback) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      v = System.getenv(name);
    }
    return v == null || v.isBlank() ? fallback : v;
  }

  @BeforeAll
  static void registriesAreUp() {
    TestRegistry.requireUp(NOAUTH, 200);
    TestRegistry.requireUp(AUTH, 401);
  }

  private static String repo() {
    return "leanode-it/app-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static ImageReference ref(String host, String repo, String tag) {
    return ImageReference.parse(host + "/" + repo + ":" + tag);
  }

  @Test
  void measuresDockerSchema2ImageWithoutAuth() throws Exception {
    TestRegistry registry = new TestRegistry(NOAUTH, null, null);
    String repo = repo();
    Pushed pushed =
        registry.pushImage(
            repo, "v1", TestRegistry.DOCKER_MANIFEST, "amd64", List.of(4096, 70_001, 13));

    ImageSize byTag = client.measure(ref(NOAUTH, repo, "v1"), Optional.empty(), true);
    assertThat(byTag.compressedBytes()).isEqualTo(pushed.imageBytes());
    assertThat(byTag.mediaType()).isEqualTo(TestRegistry.DOCKER_MANIFEST);
    assertThat(byTag.platform()).isNull();

    ImageSize byDigest =
        client.measure(ref(NOAUTH, repo, "v1").withDigest(pushed.digest()), Optional.empty(), true);
    assertThat(byDigest).isEqualTo(byTag);
    ImageSize digestOnly =
        client.measure(
            ImageReference.parse(NOAUTH + "/" + repo + "@" + pushed.digest()),
            Optional.empty(),
            true);
    assertThat(digestOnly).isEqualTo(byTag);
  }

  @Test
  void measuresOciImageWithBasicAuth() throws Exception {
    TestRegistry registry = new TestRegistry(AUTH, USER, PASSWORD);
    String repo = repo();
    Pushed pushed =
        registry.pushImage(
            repo, "1.0.0", TestRegistry.OCI_MANIFEST, "amd64", List.of(123_457, 999));

    ImageSize size = client.measure(ref(AUTH, repo, "1.0.0"), CREDS, true);
    assertThat(size.compressedBytes()).isEqualTo(pushed.imageBytes());
    assertThat(size.mediaType()).isEqualTo(TestRegistry.OCI_MANIFEST);
    assertThat(size.platform()).isNull();
    assertThat(client.measure(ref(AUTH, repo, "1.0.0").withDigest(pushed.digest()), CREDS, true))
        .isEqualTo(size);
  }

  @Test
  void measuresDockerSchema2ImageWithBasicAuth() throws Exception {
    TestRegistry registry = new TestRegistry(AUTH, USER, PASSWORD);
    String repo = repo();
    Pushed pushed =
        registry.pushImage(repo, "v2", TestRegistry.DOCKER_MANIFEST, "amd64", List.of(2048));
    assertThat(client.measure(ref(AUTH, repo, "v2"), CREDS, true).compressedBytes())
        .isEqualTo(pushed.imageBytes());
  }

  @Test
  void ociIndexReportsTheAmd64EntryWithAuth() throws Exception {
    TestRegistry registry = new TestRegistry(AUTH, USER, PASSWORD);
    String repo = repo();
    Pushed arm =
        registry.pushImage(repo, "arm", TestRegistry.OCI_MANIFEST, "arm64", List.of(50_000, 10));
    Pushed amd =
        registry.pushImage(repo, "amd", TestRegistry.OCI_MANIFEST, "amd64", List.of(30_000));
    Pushed index =
        registry.pushIndex(
            repo,
            "multi",
            TestRegistry.OCI_INDEX,
            List.of(new Object[] {arm, "linux/arm64/v8"}, new Object[] {amd, "linux/amd64"}));

    ImageSize size = client.measure(ref(AUTH, repo, "multi"), CREDS, true);
    assertThat(size.compressedBytes()).isEqualTo(amd.imageBytes()).isNotEqualTo(arm.imageBytes());
    assertThat(size.platform()).isEqualTo("linux/amd64");
    assertThat(size.mediaType()).isEqualTo(TestRegistry.OCI_MANIFEST);
    assertThat(client.measure(ref(AUTH, repo, "multi").withDigest(index.digest()), CREDS, true))
        .isEqualTo(size);
  }

  @Test
  void dockerManifestListHonoursThePreferredPlatform() throws Exception {
    TestRegistry registry = new TestRegistry(NOAUTH, null, null);
    String repo = repo();
    Pushed amd =
        registry.pushImage(repo, "amd", TestRegistry.DOCKER_MANIFEST, "amd64", List.of(8_000));
    Pushed arm =
        registry.pushImage(repo, "arm", TestRegistry.DOCKER_MANIFEST, "arm64", List.of(9_000, 1));
    registry.pushIndex(
        repo,
        "multi",
        TestRegistry.DOCKER_LIST,
        List.of(new Object[] {amd, "linux/amd64"}, new Object[] {arm, "linux/arm64/v8"}));

    ImageSize amdSize = client.measure(ref(NOAUTH, repo, "multi"), Optional.empty(), true);
    assertThat(amdSize.compressedBytes()).isEqualTo(amd.imageBytes());
    assertThat(amdSize.platform()).isEqualTo("linux/amd64");

    RegistryClient armClient = new OrasRegistryClient(Duration.ofSeconds(15), "linux/arm64");
    ImageSize armSize = armClient.measure(ref(NOAUTH, repo, "multi"), Optional.empty(), true);
    assertThat(armSize.compressedBytes()).isEqualTo(arm.imageBytes());
    assertThat(armSize.platform()).isEqualTo("linux/arm64/v8");

    RegistryClient s390 = new OrasRegistryClient(Duration.ofSeconds(15), "linux/s390x");
    assertThatThrownBy(() -> s390.measure(ref(NOAUTH, repo, "multi"), Optional.empty(), true))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("linux/s390x")
        .hasMessageContaining("linux/arm64/v8");
  }

  @Test
  void indexWithASingleOtherPlatformReportsThatOne() throws Exception {
    TestRegistry registry = new TestRegistry(NOAUTH, null, null);
    String repo = repo();
    Pushed arm = registry.pushImage(repo, "arm", TestRegistry.OCI_MANIFEST, "arm64", List.of(777));
    registry.pushIndex(
        repo, "only", TestRegistry.OCI_INDEX, List.<Object[]>of(new Object[] {arm, "linux/arm64"}));
    ImageSize size = client.measure(ref(NOAUTH, repo, "only"), Optional.empty(), true);
    assertThat(size.compressedBytes()).isEqualTo(arm.imageBytes());
    assertThat(size.platform()).isEqualTo("linux/arm64");
  }

  @Test
  void wrongPasswordIsA401ThatRetryingWillNotFix() throws Exception {
    String repo = repo();
    new TestRegistry(AUTH, USER, PASSWORD)
        .pushImage(repo, "v1", TestRegistry.DOCKER_MANIFEST, "amd64", List.of(100));
    Optional<RegistryCredentials> wrong =
        Optional.of(new RegistryCredentials(USER, PASSWORD + "-wrong"));
    assertThatThrownBy(() -> client.measure(ref(AUTH, repo, "v1"), wrong, true))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(401);
              assertThat(e.retryable()).isFalse();
            })
        .hasMessageNotContaining(PASSWORD);
    assertThatThrownBy(() -> client.measure(ref(AUTH, repo, "v1"), Optional.empty(), true))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.statusCode()).isEqualTo(401));
  }

  @Test
  void unknownTagIsA404ThatRetryingWillNotFix() throws Exception {
    String repo = repo();
    new TestRegistry(NOAUTH, null, null)
        .pushImage(repo, "v1", TestRegistry.DOCKER_MANIFEST, "amd64", List.of(100));
    for (String host : List.of(NOAUTH, AUTH)) {
      Optional<RegistryCredentials> creds = host.equals(AUTH) ? CREDS : Optional.empty();
      assertThatThrownBy(() -> client.measure(ref(host, repo, "no-such-tag"), creds, true))
          .isInstanceOfSatisfying(
              RegistryException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(404);
                assertThat(e.retryable()).isFalse();
              });
    }
  }

  @Test
  void closedPortIsRetryable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ImageReference ref = ImageReference.parse("127.0.0.1:" + port + "/x/y:z");
    for (boolean insecure : new boolean[] {true, false}) {
      assertThatThrownBy(() -> client.measure(ref, Optional.empty(), insecure))
          .isInstanceOfSatisfying(
              RegistryException.class,
              e -> {
                assertThat(e.retryable()).isTrue();
                assertThat(e.statusCode()).isZero();
              });
    }
  }

  @Test
  void registryThatNeverAnswersTimesOutRetryably() throws Exception {
    // the kernel completes the TCP handshake from the backlog; nobody ever reads the request
    try (ServerSocket silent = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      RegistryClient quick = new OrasRegistryClient(Duration.ofSeconds(1), "linux/amd64");
      ImageReference ref = ImageReference.parse("127.0.0.1:" + silent.getLocalPort() + "/x/y:z");
      long start = System.nanoTime();
      assertThatThrownBy(() -> quick.measure(ref, Optional.empty(), false))
          .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.retryable()).isTrue());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
  }
}

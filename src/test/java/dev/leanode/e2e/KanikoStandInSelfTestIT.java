package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stand-in itself, on Jobs written by hand in the documented shape (no operator involved): it
 * builds, pushes with the mounted credentials and writes pod/Job status like the cluster; it fails
 * Jobs it does not understand and reports build failures with the log tail.
 *
 * <p>On the mock on purpose: this tests the harness alone, with the stand-in in its mock-tier role
 * (it plays the Job controller too); the real-tier role (pods of a real Job controller, through
 * {@link NodeAgent}) is what every other {@code e2e} IT uses.
 */
@EnableKubernetesMockClient(crud = true)
class KanikoStandInSelfTestIT {
  static KubernetesClient client;
  static KanikoStandIn standIn;
  static Path work;
  static GitHttpServer git;
  static final Path APPS = Path.of("src/test/resources/apps");

  @BeforeAll
  static void start() throws Exception {
    work = Files.createTempDirectory("leanode-standin-");
    standIn = new KanikoStandIn(client, work, Duration.ofMinutes(10)).start();
    Files.createDirectories(work.resolve("git"));
    git = new GitHttpServer(work.resolve("git"));
  }

  @AfterAll
  static void stop() {
    if (standIn != null) {
      standIn.close();
    }
    if (git != null) {
      git.close();
    }
    KanikoStandIn.deleteTree(work);
  }

  private static Job awaitFinished(String name) {
    return await()
        .atMost(Duration.ofMinutes(8))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> client.batch().v1().jobs().withName(name).get(),
            j ->
                j.getStatus() != null
                    && (j.getStatus().getSucceeded() != null || j.getStatus().getFailed() != null));
  }

  private static List<String> errorsOf(String job) {
    return standIn.errors().stream().filter(e -> e.contains("/" + job + ":")).toList();
  }

  private static Pod pod(String job) {
    List<Pod> pods = client.pods().withLabel("job-name", job).list().getItems();
    assertThat(pods).hasSize(1);
    return pods.get(0);
  }

  private static String kanikoMessage(Pod pod) {
    return pod.getStatus().getContainerStatuses().stream()
        .filter(c -> c.getName().equals("kaniko"))
        .findFirst()
        .orElseThrow()
        .getState()
        .getTerminated()
        .getMessage();
  }

  private static JobCondition condition(Job j, String type) {
    return j.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type + " in " + j.getStatus()));
  }

  @Test
  void inlineContextAuthRegistryAndCaBundle() throws Exception {
    String ca = Files.readString(Path.of("/etc/ssl/certs/ca-certificates.crt"));
    String dest = Tools.AUTH_REGISTRY + "/selftest/seed-express:inline";
    client
        .resource(
            DocumentedJobShape.pushSecret(
                "regcred", Tools.AUTH_REGISTRY, Tools.REGISTRY_USER, Tools.REGISTRY_PASSWORD))
        .create();
    client
        .resource(
            DocumentedJobShape.configMap(
                "selftest-inline",
                Files.readString(Path.of("src/test/resources/standin/Dockerfile")),
                DocumentedJobShape.files(APPS.resolve("seed-express")),
                ca))
        .create();
    client
        .resource(
            DocumentedJobShape.job(
                "selftest-inline",
                dest,
                DocumentedJobShape.files(APPS.resolve("seed-express")),
                null,
                null,
                "regcred",
                true,
                List.of()))
        .create();

    Job job = awaitFinished("selftest-inline");
    assertThat(job.getStatus().getSucceeded()).as(standIn.builds().toString()).isEqualTo(1);
    assertThat(condition(job, "Complete").getStatus()).isEqualTo("True");
    String digest = kanikoMessage(pod("selftest-inline"));
    assertThat(digest).startsWith("sha256:").isEqualTo(Registry.digest(dest));
    var build =
        standIn.builds().stream()
            .filter(b -> b.job().equals("selftest-inline"))
            .findFirst()
            .orElseThrow();
    // the init container's cp -RL + rm gave Kaniko plain files, not the kubelet's links
    assertThat(build.contextFiles())
        .contains("index.js", "package.json", "package-lock.json")
        .noneMatch(f -> f.startsWith("..") || f.endsWith("@"));

    String image = dest.replaceAll(":[^:/]+$", "") + "@" + digest;
    assertThat(ImageRunner.get(image, Registry.creds(dest), List.of("/", "/env")))
        .satisfiesExactly(
            root -> assertThat(root).isEqualTo("200 hello from seed-express"),
            env ->
                assertThat(env).contains("\"NODE_ENV\":\"production\"").contains("\"uid\":1000"));
    assertThat(
            ImageRunner.exec(
                image,
                Registry.creds(dest),
                "ls -A /app; test ! -e /leanode/ca/ca.crt && echo no-ca"))
        .contains("no-ca")
        .doesNotContain("..data");
    assertThat(errorsOf("selftest-inline")).isEmpty();
  }

  @Test
  void gitContextBranchCommitAndSubPath() throws Exception {
    List<String> shas =
        git.createRepo(
            "monorepo.git",
            APPS.resolve("monorepo"),
            "services/api/index.js",
            Files.readString(APPS.resolve("monorepo/services/api/index.js"))
                .replace("hello from monorepo-api", "hello from feature"));
    String dest = Tools.REGISTRY + "/selftest/monorepo:feature";
    client
        .resource(
            DocumentedJobShape.configMap(
                "selftest-git",
                Files.readString(Path.of("src/test/resources/standin/Dockerfile")),
                Map.of(),
                Files.readString(Path.of("/etc/ssl/certs/ca-certificates.crt"))))
        .create();
    client
        .resource(
            DocumentedJobShape.job(
                "selftest-git",
                dest,
                null,
                "git://" + git.hostPort() + "/monorepo.git#refs/heads/feature#" + shas.get(1),
                "services/api",
                null,
                true,
                List.of()))
        .create();

    Job job = awaitFinished("selftest-git");
    assertThat(job.getStatus().getSucceeded()).as(standIn.builds().toString()).isEqualTo(1);
    String digest = kanikoMessage(pod("selftest-git"));
    assertThat(ImageRunner.get(Tools.REGISTRY + "/selftest/monorepo@" + digest, null, List.of("/")))
        .containsExactly("200 hello from feature");
    assertThat(errorsOf("selftest-git")).isEmpty();
  }

  @Test
  void shortRefIsNotFoundLikeGoGit() throws Exception {
    if (!Files.exists(work.resolve("git/short.git"))) {
      git.createRepo("short.git", APPS.resolve("seed-express"), "index.js", "// changed\n");
    }
    client
        .resource(
            DocumentedJobShape.configMap("selftest-shortref", "FROM scratch\n", Map.of(), null))
        .create();
    client
        .resource(
            DocumentedJobShape.job(
                "selftest-shortref",
                Tools.REGISTRY + "/selftest/x:1",
                null,
                "git://" + git.hostPort() + "/short.git#main",
                null,
                null,
                false,
                List.of()))
        .create();
    Job job = awaitFinished("selftest-shortref");
    assertThat(condition(job, "Failed").getReason()).isEqualTo("BackoffLimitExceeded");
    assertThat(kanikoMessage(pod("selftest-shortref"))).contains("reference not found: main");
    assertThat(errorsOf("selftest-shortref")).isEmpty();
  }

  @Test
  void failingBuildReportsLogTail() throws Exception {
    client
        .resource(
            DocumentedJobShape.configMap(
                "selftest-fail",
                Files.readString(Path.of("src/test/resources/standin/Dockerfile.failing")),
                Map.of("index.js", "1\n"),
                null))
        .create();
    client
        .resource(
            DocumentedJobShape.job(
                "selftest-fail",
                Tools.REGISTRY + "/selftest/fail:1",
                Map.of("index.js", "1\n"),
                null,
                null,
                null,
                false,
                List.of()))
        .create();
    Job job = awaitFinished("selftest-fail");
    assertThat(job.getStatus().getFailed()).isEqualTo(1);
    assertThat(condition(job, "Failed").getReason()).isEqualTo("BackoffLimitExceeded");
    assertThat(kanikoMessage(pod("selftest-fail"))).contains("exit status");
    assertThat(errorsOf("selftest-fail")).isEmpty();
  }

  @Test
  void unknownFlagFailsTheJobAndTheTest() throws Exception {
    client
        .resource(DocumentedJobShape.configMap("selftest-flag", "FROM scratch\n", Map.of(), null))
        .create();
    client
        .resource(
            DocumentedJobShape.job(
                "selftest-flag",
                Tools.REGISTRY + "/selftest/x:1",
                Map.of(),
                null,
                null,
                null,
                false,
                List.of("--no-push")))
        .create();
    Job job = awaitFinished("selftest-flag");
    assertThat(condition(job, "Failed").getMessage()).startsWith("stand-in: unsupported");
    assertThat(standIn.errors()).anyMatch(e -> e.contains("--no-push"));
    standIn.forgetErrors(e -> e.contains("--no-push"));
  }
}

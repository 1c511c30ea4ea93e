package dev.leanode.reconciler;

import static dev.leanode.reconciler.OperatorFixture.digest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.registry.RegistryClient;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The running operator against the fabric8 mock API server (CRUD mode, SSA off): resources in,
 * ConfigMaps and Jobs out, simulated Job/pod completion, status and Events back. Each test has its
 * own namespace, so order does not matter.
 *
 * <p>On the mock on purpose: the test plays the Job controller and the kubelet itself, so every Job
 * outcome (failure with a log tail, deadline exceeded, a stuck pod, a registry outage after the
 * push) is written exactly and at once; the same paths with real builds, the real Job controller
 * and a real API server are in {@code dev.leanode.controlplane} and {@code dev.leanode.e2e}.
 */
@QuarkusTest
@WithKubernetesTestServer
class NodeAppImageReconcilerIT {
  @Inject KubernetesClient client;

  FakeRegistryClient registry;
  OperatorFixture k8s;

  @BeforeEach
  void setUp() {
    registry = new FakeRegistryClient();
    QuarkusMock.installMockForType(registry, RegistryClient.class);
    k8s = new OperatorFixture(client);
    createPushSecret("regcred", "registry.example.com", "ci", "s3cret");
  }

  void createPushSecret(String name, String host, String user, String password) {
    String auth =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    String json = "{\"auths\":{\"" + host + "\":{\"auth\":\"" + auth + "\"}}}";
    client
        .secrets()
        .inNamespace(k8s.namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withType("kubernetes.io/dockerconfigjson")
                .withData(
                    Map.of(
                        ".dockerconfigjson",
                        Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))))
                .build())
        .create();
  }

  NodeAppImage expressApp(boolean compare) {
    NodeAppImage nai = k8s.load("examples/express-app.yaml");
    nai.getSpec().getBuild().setCompareSingleStage(compare);
    return nai;
  }

  @Test
  void createsConfigMapAndKanikoJobOwnedByTheResource() {
    NodeAppImage created = k8s.create(expressApp(false));

    Job job = k8s.awaitJobs(1);
    assertThat(job.getMetadata().getName()).startsWith("express-app-").hasSizeLessThanOrEqualTo(63);
    assertThat(job.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid());
              assertThat(o.getController()).isTrue();
              assertThat(o.getKind()).isEqualTo("NodeAppImage");
            });
    var pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    Container kaniko =
        pod.getContainers().stream()
            .filter(c -> c.getName().equals("kaniko"))
            .findFirst()
            .orElseThrow();
    assertThat(kaniko.getArgs())
        .contains(
            "--dockerfile=/leanode/dockerfile/Dockerfile",
            "--context=dir:///workspace",
            "--destination=registry.example.com/team/express-app:1.0.0",
            "--digest-file=/dev/termination-log",
            "--cache=true",
            "--cache-repo=registry.example.com/team/express-app/cache");
    assertThat(kaniko.getArgs()).noneMatch(a -> a.startsWith("--insecure"));
    assertThat(kaniko.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/kaniko/.docker");
              assertThat(m.getReadOnly()).isTrue();
            });

    var cm =
        k8s.configMaps().stream()
            .filter(c -> c.getMetadata().getName().equals(job.getMetadata().getName()))
            .findFirst()
            .orElseThrow();
    assertThat(cm.getData()).containsKey("Dockerfile");
    assertThat(cm.getData().get("Dockerfile"))
        .contains("USER 1000:1000")
        .contains("NODE_ENV=production");
    assertThat(cm.getData().values()).anyMatch(v -> v.contains("require('express')"));
    assertThat(cm.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid()));

    Condition building =
        k8s.awaitCondition(
            "express-app", NodeAppImageStatus.BUILDING, c -> "True".equals(c.getStatus()));
    assertThat(building.getReason()).isEqualTo("BuildRunning");
    NodeAppImageStatus status = k8s.get("express-app").getStatus();
    assertThat(status.getObservedGeneration()).isEqualTo(created.getMetadata().getGeneration());
    assertThat(status.getBuild().getJob()).isEqualTo(job.getMetadata().getName());
    assertThat(status.getDockerfile().getConfigMap()).isEqualTo(job.getMetadata().getName());
    assertThat(status.getDockerfile().getSha256()).matches("[0-9a-f]{64}");
    await()
        .atMost(OperatorFixture.TIMEOUT)
        .until(() -> k8s.events().stream().anyMatch(e -> "BuildStarted".equals(e.getReason())));
  }

  /**
   * A pod event alone (the Job does not change) reaches the resource: the operator maps the build
   * pod back through the pod template's annotation, as it must for pods the Job controller makes.
   */
  @Test
  void aStuckBuildPodIsReportedFromThePodAlone() {
    k8s.create(expressApp(false));
    Job job = k8s.awaitJobs(1);
    k8s.awaitReady("express-app", "False", "BuildRunning");

    k8s.stuckPod(job, "ImagePullBackOff", "Back-off pulling image \"ghcr.io/x/kaniko\"");

    Condition ready =
        k8s.awaitCondition(
            "express-app",
            NodeAppImageStatus.READY,
            c -> c.getMessage().startsWith("container kaniko is waiting: ImagePullBackOff"));
    assertThat(ready.getReason()).isEqualTo("BuildRunning");
    assertThat(ready.getMessage()).contains("Back-off pulling image");
  }

  @Test
  void succeededBuildBecomesReadyWithDigestAndSizeFromTheRegistry() {
    k8s.create(expressApp(false));
    Job job = k8s.awaitJobs(1);
    registry.sizes.put(digest('a'), 54_634_123L);

    k8s.succeed(job, digest('a'));

    Condition ready = k8s.awaitReady("express-app", "True", "BuildSucceeded");
    assertThat(ready.getMessage()).contains(digest('a'));
    NodeAppImageStatus status = k8s.get("express-app").getStatus();
    assertThat(status.getOutput().getDigest()).isEqualTo(digest('a'));
    assertThat(status.getOutput().getSizeBytes()).isEqualTo(54_634_123L);
    assertThat(status.getOutput().getSize()).isEqualTo("52.1 MiB");
    assertThat(status.getOutput().getImage())
        .isEqualTo("registry.example.com/team/express-app:1.0.0");
    assertThat(status.getBuild().getCompletionTime()).isNotNull();
    assertThat(status.condition(NodeAppImageStatus.BUILDING).orElseThrow().getStatus())
        .isEqualTo("False");
    // the push secret's credentials were used to read the size back
    assertThat(registry.credentials)
        .anySatisfy(
            c -> assertThat(c).hasValueSatisfying(r -> assertThat(r.username()).isEqualTo("ci")));
    assertThat(registry.calls).anyMatch(c -> c.contains("@" + digest('a')));
    await()
        .atMost(OperatorFixture.TIMEOUT)
        .until(() -> k8s.events().stream().anyMatch(e -> "BuildSucceeded".equals(e.getReason())));
    // unchanged spec: the finished Job is not repeated
    assertThat(k8s.jobs()).hasSize(1);
  }

  @Test
  void compareSingleStageFillsComparison() {
    k8s.create(expressApp(true));
    Job job = k8s.awaitJobs(1);
    assertThat(job.getSpec().getTemplate().getSpec().getContainers())
        .extracting(Container::getName)
        .containsExactlyInAnyOrder("kaniko", "kaniko-single-stage");
    registry.sizes.put(digest('a'), 40_000_000L);
    registry.sizes.put(digest('b'), 100_000_000L);

    k8s.succeed(
        job,
        Map.of(
            "kaniko", new OperatorFixture.Exit(0, digest('a')),
            "kaniko-single-stage", new OperatorFixture.Exit(0, digest('b'))));

    k8s.awaitReady("express-app", "True", "BuildSucceeded");
    var comparison = k8s.get("express-app").getStatus().getComparison();
    assertThat(comparison.getSingleStageSizeBytes()).isEqualTo(100_000_000L);
    assertThat(comparison.getSavedBytes()).isEqualTo(60_000_000L);
    assertThat(comparison.getSavedPercent()).isEqualTo(60.0);
    assertThat(comparison.getSaved()).isEqualTo("57.2 MiB (60.0%)");
    assertThat(comparison.getSingleStageImage())
        .isEqualTo("registry.example.com/team/express-app:1.0.0-single-stage");
  }

  @Test
  void failedBuildReportsThePodsMessage() {
    k8s.create(expressApp(false));
    Job job = k8s.awaitJobs(1);

    k8s.fail(job, "error building image: npm ERR! code E404\nnpm ERR! 404 Not Found - left-padd");

    Condition ready = k8s.awaitReady("express-app", "False", "BuildFailed");
    assertThat(ready.getMessage()).contains("npm ERR! 404 Not Found");
    assertThat(
            k8s.get("express-app")
                .getStatus()
                .condition(NodeAppImageStatus.BUILDING)
                .orElseThrow()
                .getStatus())
        .isEqualTo("False");
    await()
        .atMost(OperatorFixture.TIMEOUT)
        .until(
            () ->
                k8s.events().stream()
                    .anyMatch(
                        e -> "BuildFailed".equals(e.getReason()) && "Warning".equals(e.getType())));
  }

  @Test
  void timedOutBuildIsBuildTimedOut() {
    k8s.create(expressApp(false));
    Job job = k8s.awaitJobs(1);
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(1200L);

    k8s.timeOut(job);

    k8s.awaitReady("express-app", "False", "BuildTimedOut");
  }

  @Test
  void specChangeCreatesASecondJobAndUnchangedSpecDoesNot() {
    k8s.create(expressApp(false));
    Job first = k8s.awaitJobs(1);
    // let the first build's status settle: the mock server applies a /status patch to the whole
    // object (a real API server ignores spec there), so a status write racing the edit below
    // could undo it
    k8s.awaitCondition(
        "express-app", NodeAppImageStatus.BUILDING, c -> "True".equals(c.getStatus()));

    client
        .resources(NodeAppImage.class)
        .inNamespace(k8s.namespace)
        .withName("express-app")
        .edit(
            n -> {
              n.getSpec().getApp().setPort(8080);
              k8s.bumpGeneration(n);
              return n;
            });
    long generation = k8s.get("express-app").getMetadata().getGeneration();

    Job second = k8s.awaitJobs(2, first);
    assertThat(second.getMetadata().getName()).isNotEqualTo(first.getMetadata().getName());
    k8s.awaitCondition(
        "express-app",
        NodeAppImageStatus.BUILDING,
        c -> c.getObservedGeneration() != null && c.getObservedGeneration() == generation);
    assertThat(k8s.get("express-app").getStatus().getBuild().getJob())
        .isEqualTo(second.getMetadata().getName());

    // an event on the (unchanged) resource's build reconciles again without a new Job
    registry.sizes.put(digest('c'), 1000L);
    k8s.succeed(second, digest('c'));
    k8s.awaitReady("express-app", "True", "BuildSucceeded");
    assertThat(k8s.jobs()).hasSize(2);
  }

  @Test
  void deletingTheResourceLeavesNoOwnedObjectsBehind() {
    NodeAppImage created = k8s.create(expressApp(true));
    k8s.awaitJobs(1);
    assertThat(k8s.allLeanodeObjects()).hasSize(2); // the Job and its ConfigMap

    client.resource(created).delete();
    await().atMost(OperatorFixture.TIMEOUT).until(() -> k8s.get("express-app") == null);
    k8s.collectGarbage(created.getMetadata().getUid());

    assertThat(k8s.allLeanodeObjects()).isEmpty();
  }

  @Test
  void invalidSpecIsAConditionAndAWarningEventAndNoJob() {
    NodeAppImage nai = expressApp(false);
    nai.getSpec().getApp().setFiles(java.util.List.of("../etc/passwd"));
    k8s.create(nai);

    Condition ready = k8s.awaitReady("express-app", "False", "InvalidSpec");
    assertThat(ready.getMessage()).contains("spec.app.files[0]");
    await()
        .atMost(OperatorFixture.TIMEOUT)
        .until(
            () ->
                k8s.events().stream()
                    .anyMatch(
                        e -> "InvalidSpec".equals(e.getReason()) && "Warning".equals(e.getType())));
    assertThat(k8s.jobs()).isEmpty();
    assertThat(k8s.configMaps())
        .noneMatch(c -> c.getMetadata().getName().startsWith("express-app"));
  }

  @Test
  void anUnresolvableBaseImageIsAConditionNamingTheFieldAndNoJob() {
    NodeAppImage nai = expressApp(false);
    nai.getSpec().getApp().setBaseImage("registry.example.com/base/node:99");
    registry.missing.add("registry.example.com/base/node:99");
    k8s.create(nai);

    Condition ready = k8s.awaitReady("express-app", "False", "BaseImageUnavailable");
    assertThat(ready.getMessage())
        .startsWith(
            "spec.app.baseImage: cannot resolve base image registry.example.com/base/node:99")
        .contains("not found");
    assertThat(k8s.jobs()).isEmpty();
    assertThat(registry.digestCalls).contains("registry.example.com/base/node:99");
  }

  @Test
  void theJobsDockerfileIsPinnedToTheBaseDigestAndStatusSaysWhy() {
    k8s.create(expressApp(false));
    Job job = k8s.awaitJobs(1);
    // what the fake answers for it (the operator caches base digests across tests)
    String digest = FakeRegistryClient.digestOf("docker.io/library/node:22-alpine");
    assertThat(digest).startsWith("sha256:");
    var cm =
        k8s.configMaps().stream()
            .filter(c -> c.getMetadata().getName().equals(job.getMetadata().getName()))
            .findFirst()
            .orElseThrow();
    assertThat(cm.getData().get("Dockerfile"))
        .contains("FROM node:22-alpine@" + digest + " AS production");
    k8s.awaitCondition(
        "express-app", NodeAppImageStatus.BUILDING, c -> "True".equals(c.getStatus()));
    NodeAppImageStatus status = k8s.get("express-app").getStatus();
    assertThat(status.getBaseImage().getDigest()).isEqualTo(digest);
    assertThat(status.getBuild().getTrigger()).isEqualTo("Created");
    assertThat(status.getHistory())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getTrigger()).isEqualTo("Created");
              assertThat(r.getOutcome()).isEqualTo("Running");
              assertThat(r.getBaseImageDigest()).isEqualTo(digest);
            });
  }

  @Test
  void missingPushSecretWaitsWithoutAJob() {
    NodeAppImage nai = expressApp(false);
    nai.getSpec().getOutput().getPushSecretRef().setName("not-there");
    k8s.create(nai);

    Condition ready = k8s.awaitReady("express-app", "False", "SecretNotFound");
    assertThat(ready.getMessage()).contains("spec.output.pushSecretRef").contains("not-there");
    assertThat(k8s.jobs()).isEmpty();
  }

  @Test
  void registryOutageKeepsTheDigestAndRetries() {
    k8s.create(expressApp(false));
    Job job = k8s.awaitJobs(1);
    registry.sizes.put(digest('d'), 2048L);
    registry.down = true;

    k8s.succeed(job, digest('d'));

    Condition ready = k8s.awaitReady("express-app", "False", "SizeUnknown");
    assertThat(ready.getMessage()).contains(digest('d')).contains("503");
    assertThat(k8s.get("express-app").getStatus().getOutput().getDigest()).isEqualTo(digest('d'));

    registry.down = false;
    k8s.awaitReady("express-app", "True", "BuildSucceeded");
    assertThat(k8s.get("express-app").getStatus().getOutput().getSizeBytes()).isEqualTo(2048L);
  }
}

package dev.leanode.reconciler;

import static dev.leanode.reconciler.OperatorFixture.digest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leanode.api.v1alpha1.GitSource;
import dev.leanode.api.v1alpha1.LocalObjectRef;
import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.api.v1alpha1.Source;
import dev.leanode.build.ImageBuildRunner;
import dev.leanode.build.Labels;
import dev.leanode.config.BuildSettings;
import dev.leanode.dockerfile.DockerfileGenerator;
import dev.leanode.metrics.BuildMetrics;
import dev.leanode.registry.RegistryClient;
import dev.leanode.validation.SpecValidator;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults around a running operator on the mock API server: restarts, lost Jobs, missing and
 * malformed Secrets, conflicts, deletion mid-build, retention, hostile specs. The happy paths and
 * the failures already covered by {@link NodeAppImageReconcilerIT} (build failure, timeout,
 * registry outage, missing push secret) are not repeated here.
 *
 * <p>On the mock on purpose: each fault is written by the test as the cluster would leave it (a Job
 * deleted mid-build, a 409 on create, a Job removed by its TTL at a chosen moment, a malformed
 * Secret the API server would still store); a real controller-manager would race these writes. The
 * restart that a real cluster does see is also tested there: {@code
 * controlplane.KubectlStoryIT#restartedOperatorAdoptsTheRunningJob}.
 */
@QuarkusTest
@WithKubernetesTestServer
class FaultsIT {
  static final String NAME = "express-app";

  @Inject KubernetesClient client;
  @Inject Operator operator;
  @Inject BuildSettings settings;
  @Inject SpecValidator validator;
  @Inject DockerfileGenerator generator;
  @Inject ImageBuildRunner runner;
  @Inject SourceResolver sources;
  @Inject BuildMetrics metrics;
  @KubernetesTestServer KubernetesServer server;

  FakeRegistryClient registry;
  OperatorFixture k8s;

  @BeforeEach
  void setUp() {
    registry = new FakeRegistryClient();
    QuarkusMock.installMockForType(registry, RegistryClient.class);
    k8s = new OperatorFixture(client);
    createPushSecret("regcred", dockerConfigJson("registry.example.com", "ci", "s3cret"));
  }

  /**
   * Deletes this test's resources, which cancels their pending reschedules (backoffs, poll slots).
   * JOSDK 5.3.2's timer dies for good when a reschedule fires for a resource whose namespace is no
   * longer watched (restartMidBuildAdoptsTheRunningJob switches namespaces): a leftover of an
   * earlier test must not be the one that fires then.
   */
  @AfterEach
  void deleteResources() {
    client.resources(NodeAppImage.class).inNamespace(k8s.namespace).delete();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                client
                    .resources(NodeAppImage.class)
                    .inNamespace(k8s.namespace)
                    .list()
                    .getItems()
                    .isEmpty());
  }

  static String dockerConfigJson(String host, String user, String password) {
    String auth =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return "{\"auths\":{\"" + host + "\":{\"auth\":\"" + auth + "\"}}}";
  }

  Secret createPushSecret(String name, String json) {
    return client
        .secrets()
        .inNamespace(k8s.namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withType("kubernetes.io/dockerconfigjson")
                .withData(Map.of(".dockerconfigjson", base64(json)))
                .build())
        .create();
  }

  static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  NodeAppImage expressApp() {
    NodeAppImage nai = k8s.load("examples/express-app.yaml");
    nai.getSpec().getBuild().setCompareSingleStage(false);
    return nai;
  }

  NodeAppImage gitApp(String secretName) {
    NodeAppImage nai = expressApp();
    GitSource git = new GitSource();
    git.setUrl("https://git.example.com/acme/app.git");
    git.setRevision("3f786850e387550fdab836ed7e6dc881de23001b");
    git.setSecretRef(new LocalObjectRef(secretName));
    Source source = new Source();
    source.setGit(git);
    nai.getSpec().setSource(source);
    return nai;
  }

  NodeAppImageStatus status() {
    return k8s.get(NAME).getStatus();
  }

  void awaitEvent(String reason, String type) {
    await()
        .atMost(OperatorFixture.TIMEOUT)
        .until(
            () ->
                k8s.events().stream()
                    .anyMatch(e -> reason.equals(e.getReason()) && type.equals(e.getType())));
  }

  NodeAppImage edit(java.util.function.UnaryOperator<NodeAppImage> change) {
    return client
        .resources(NodeAppImage.class)
        .inNamespace(k8s.namespace)
        .withName(NAME)
        .edit(change);
  }

  static void annotate(NodeAppImage n, String key, String value) {
    var a = n.getMetadata().getAnnotations();
    a = a == null ? new java.util.HashMap<>() : new java.util.HashMap<>(a);
    a.put(key, value);
    n.getMetadata().setAnnotations(a);
  }

  static void label(NodeAppImage n, String key, String value) {
    var l = n.getMetadata().getLabels();
    l = l == null ? new java.util.HashMap<>() : new java.util.HashMap<>(l);
    l.put(key, value);
    n.getMetadata().setLabels(l);
  }

  // ------------------------------------------------------------------ restart

  /**
   * The operator process goes away while a build runs, the build finishes while nobody watches, and
   * a new operator starts: a new reconciler (empty caches, no build slots, nothing in memory) in a
   * new JOSDK Operator with its own client, whose informers list everything as a new process does.
   * It adopts the Job by its deterministic name instead of creating a second one, and completes the
   * status from the initial list alone: nobody edits the resource to wake it.
   */
  @Test
  void restartMidBuildAdoptsTheRunningJob() {
    k8s.create(expressApp());
    Job job = k8s.awaitJobs(1);
    k8s.awaitReady(NAME, "False", "BuildRunning");
    registry.sizes.put(digest('e'), 4242L);

    // Operator.stop() would close the shared Kubernetes client (QOSDK: closeClientOnStop), so the
    // Quarkus operator is put to sleep with JOSDK's reconfiguration API instead: watching no
    // namespace stops its informers.
    var controller = operator.getRegisteredController(NodeAppImageReconciler.NAME).orElseThrow();
    Operator restarted = null;
    try {
      try {
        controller.changeNamespaces(Set.of("leanode-nowhere"));
      } catch (java.util.NoSuchElementException e) {
        // JOSDK 5.3.2: when an event for this resource is pending while our last status patch is
        // still in its temporary cache, EventProcessor.start() looks the resource up in the
        // informer of a namespace no longer watched and throws; by then the informers are
        // switched and the processor runs, which is all this step needs.
      }
      k8s.startPod(job);
      k8s.succeed(job, digest('e')); // finishes while no operator watches
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(
              () ->
                  status()
                      .condition(NodeAppImageStatus.READY)
                      .orElseThrow()
                      .getReason()
                      .equals("BuildRunning"));

      restarted = newOperatorProcess();
      restarted.start();
      k8s.awaitReady(NAME, "True", "BuildSucceeded");
    } finally {
      if (restarted != null) {
        restarted.stop();
      }
      controller.changeNamespaces(Set.of(Constants.WATCH_ALL_NAMESPACES));
    }
    assertThat(k8s.jobs())
        .singleElement()
        .satisfies(j -> assertThat(j.getMetadata().getUid()).isEqualTo(job.getMetadata().getUid()));
    assertThat(status().getOutput().getDigest()).isEqualTo(digest('e'));
    assertThat(status().getOutput().getSizeBytes()).isEqualTo(4242L);
    assertThat(status().getBuild().getAttempt()).isEqualTo(1);
    assertThat(k8s.events()).noneMatch(e -> "BuildJobLost".equals(e.getReason()));
  }

  /**
   * What a new operator process builds: its own client, a fresh reconciler from the same parts, SSA
   * off as in production (application.properties), watching this test's namespace only.
   */
  Operator newOperatorProcess() {
    KubernetesClient own =
        new KubernetesClientBuilder().withConfig(client.getConfiguration()).build();
    var restarted =
        new Operator(
            o ->
                o.withKubernetesClient(own)
                    .withCloseClientOnStop(true)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false));
    restarted.register(
        new NodeAppImageReconciler(
            settings, validator, generator, runner, registry, sources, metrics),
        c -> c.settingNamespaces(k8s.namespace));
    return restarted;
  }

  // ------------------------------------------------------------------ lost Jobs

  /**
   * Policy: a build Job deleted before it finished is created again once (Warning BuildJobLost,
   * status.build.attempt 2); deleted a second time, the build fails with a message naming the
   * rebuild annotation, and no third Job appears until the user sets it.
   */
  @Test
  void jobDeletedMidBuildIsRecreatedOnceThenTheBuildFails() {
    k8s.create(expressApp());
    Job first = k8s.awaitJobs(1);
    assertThat(k8s.awaitReady(NAME, "False", "BuildRunning")).isNotNull();
    assertThat(status().getBuild().getAttempt()).isEqualTo(1);

    k8s.deleteJob(first);
    await()
        .atMost(OperatorFixture.TIMEOUT)
        .until(
            () ->
                k8s.jobs().size() == 1
                    && !k8s.jobs()
                        .get(0)
                        .getMetadata()
                        .getUid()
                        .equals(first.getMetadata().getUid()));
    Job second = k8s.jobs().get(0);
    assertThat(second.getMetadata().getName()).isEqualTo(first.getMetadata().getName());
    awaitEvent("BuildJobLost", "Warning");
    assertThat(k8s.events())
        .filteredOn(e -> "BuildJobLost".equals(e.getReason()))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .isEqualTo(
                        "Build Job "
                            + first.getMetadata().getName()
                            + " was deleted before it finished; created it again (attempt 2 of"
                            + " 2)"));
    await().atMost(OperatorFixture.TIMEOUT).until(() -> status().getBuild().getAttempt() == 2);

    k8s.deleteJob(second);
    Condition failed = k8s.awaitReady(NAME, "False", "BuildFailed");
    assertThat(failed.getMessage())
        .isEqualTo(
            "build Job "
                + first.getMetadata().getName()
                + " was deleted twice before it finished; set annotation"
                + " leanode.dev/rebuild=<any new value> to retry");
    awaitEvent("BuildFailed", "Warning");
    // no third Job, also not after further reconciliations (a generation bump forces one)
    edit(
        n -> {
          k8s.bumpGeneration(n);
          return n;
        });
    long generation = k8s.get(NAME).getMetadata().getGeneration();
    await()
        .atMost(OperatorFixture.TIMEOUT)
        .until(() -> status().getObservedGeneration() == generation);
    assertThat(k8s.jobs()).isEmpty();
    assertThat(status().condition(NodeAppImageStatus.READY).orElseThrow().getReason())
        .isEqualTo("BuildFailed");

    // the documented way out
    edit(
        n -> {
          annotate(n, Labels.REBUILD_ANNOTATION, "1");
          return n;
        });
    Job third = k8s.awaitJobs(1);
    assertThat(third.getMetadata().getName()).isNotEqualTo(first.getMetadata().getName());
    k8s.awaitReady(NAME, "False", "BuildRunning");
    assertThat(status().getBuild().getAttempt()).isEqualTo(1);
  }

  /** A finished build's Job removed by its TTL (or by hand) is history, not a lost build. */
  @Test
  void finishedJobRemovedByTtlIsNotRecreated() {
    k8s.create(expressApp());
    Job job = k8s.awaitJobs(1);
    registry.sizes.put(digest('f'), 100L);
    k8s.succeed(job, digest('f'));
    k8s.awaitReady(NAME, "True", "BuildSucceeded");
    assertThat(status().getBuild().getCompletionTime()).isNotNull();

    k8s.deleteJob(job); // what the TTL controller does after ttlSecondsAfterFinished
    edit(
        n -> {
          k8s.bumpGeneration(n);
          return n;
        });
    long generation = k8s.get(NAME).getMetadata().getGeneration();
    await()
        .atMost(OperatorFixture.TIMEOUT)
        .until(() -> status().getObservedGeneration() == generation);
    // the Job's delete event reaches the operator on its own watch; give it a window to misbehave
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> k8s.jobs().isEmpty());
    assertThat(status().condition(NodeAppImageStatus.READY).orElseThrow().getReason())
        .isEqualTo("BuildSucceeded");
    assertThat(k8s.events()).noneMatch(e -> "BuildJobLost".equals(e.getReason()));
  }

  /** A new leanode.dev/rebuild value rebuilds unchanged inputs; the same value does not. */
  @Test
  void rebuildAnnotationStartsANewBuildOfUnchangedInputs() {
    k8s.create(expressApp());
    Job first = k8s.awaitJobs(1);
    registry.sizes.put(digest('a'), 100L);
    registry.sizes.put(digest('b'), 200L);
    k8s.succeed(first, digest('a'));
    k8s.awaitReady(NAME, "True", "BuildSucceeded");

    // metadata only: no generation bump, as on a real API server
    edit(
        n -> {
          annotate(n, Labels.REBUILD_ANNOTATION, "2026-11-28");
          return n;
        });
    Job second = k8s.awaitJobs(2, first);
    assertThat(second.getMetadata().getName()).isNotEqualTo(first.getMetadata().getName());
    k8s.awaitReady(NAME, "False", "BuildRunning");
    k8s.succeed(second, digest('b'));
    k8s.awaitReady(NAME, "True", "BuildSucceeded");
    assertThat(status().getOutput().getDigest()).isEqualTo(digest('b'));

    // another label or annotation does not rebuild
    edit(
        n -> {
          label(n, "team", "web");
          annotate(n, "note", "x");
          k8s.bumpGeneration(n);
          return n;
        });
    long generation = k8s.get(NAME).getMetadata().getGeneration();
    await()
        .atMost(OperatorFixture.TIMEOUT)
        .until(() -> status().getObservedGeneration() == generation);
    assertThat(k8s.jobs()).hasSize(2);
  }

  // ------------------------------------------------------------------ retention

  /** keep-jobs=3 (default): after four builds, the three newest Jobs and ConfigMaps remain. */
  @Test
  void retentionKeepsTheLastThreeBuilds() {
    k8s.create(expressApp());
    Job job = k8s.awaitJobs(1);
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      names.add(job.getMetadata().getName());
      registry.sizes.put(digest((char) ('a' + i)), 100L + i);
      k8s.succeed(job, digest((char) ('a' + i)));
      String expected = digest((char) ('a' + i));
      await()
          .atMost(OperatorFixture.TIMEOUT)
          .until(
              () ->
                  status().getOutput() != null
                      && expected.equals(status().getOutput().getDigest())
                      && "BuildSucceeded"
                          .equals(
                              status()
                                  .condition(NodeAppImageStatus.READY)
                                  .orElseThrow()
                                  .getReason()));
      if (i == 3) {
        break;
      }
      int port = 4000 + i;
      edit(
          n -> {
            n.getSpec().getApp().setPort(port);
            k8s.bumpGeneration(n);
            return n;
          });
      Set<String> known = Set.copyOf(names);
      await()
          .atMost(OperatorFixture.TIMEOUT)
          .until(
              () -> k8s.jobs().stream().anyMatch(j -> !known.contains(j.getMetadata().getName())));
      job =
          k8s.jobs().stream()
              .filter(j -> !known.contains(j.getMetadata().getName()))
              .findFirst()
              .orElseThrow();
    }

    List<String> kept = names.subList(1, 4);
    await().atMost(OperatorFixture.TIMEOUT).until(() -> jobNames().equals(Set.copyOf(kept)));
    await()
        .atMost(OperatorFixture.TIMEOUT)
        .until(
            () ->
                k8s.configMaps().stream()
                    .map(c -> c.getMetadata().getName())
                    .filter(n -> n.startsWith(NAME + "-"))
                    .collect(Collectors.toSet())
                    .equals(Set.copyOf(kept)));
    assertThat(status().getBuild().getJob()).isEqualTo(names.get(3));
  }

  Set<String> jobNames() {
    return k8s.jobs().stream().map(j -> j.getMetadata().getName()).collect(Collectors.toSet());
  }

  // ------------------------------------------------------------------ secrets

  /** The push secret appears after the resource: the build starts within seconds, unasked. */
  @Test
  void pushSecretCreatedLaterStartsTheBuild() {
    NodeAppImage nai = expressApp();
    nai.getSpec().getOutput().getPushSecretRef().setName("late");
    k8s.create(nai);
    Condition waiting = k8s.awaitReady(NAME, "False", "SecretNotFound");
    assertThat(waiting.getMessage()).contains("spec.output.pushSecretRef").contains("late");
    assertThat(k8s.jobs()).isEmpty();

    createPushSecret("late", dockerConfigJson("registry.example.com", "ci", "s3cret"));

    Job job = k8s.awaitJobs(1);
    assertThat(
            job.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getSecret() != null)
                .map(v -> v.getSecret().getSecretName()))
        .containsExactly("late");
    k8s.awaitReady(NAME, "False", "BuildRunning");
  }

  @Test
  void malformedDockerConfigJsonNamesTheFieldAndBlocksTheBuildUntilFixed() {
    NodeAppImage nai = expressApp();
    nai.getSpec().getOutput().getPushSecretRef().setName("broken");
    createPushSecret("broken", "{\"auths\": [not json");
    k8s.create(nai);

    Condition ready = k8s.awaitReady(NAME, "False", "SecretNotFound");
    assertThat(ready.getMessage())
        .startsWith("spec.output.pushSecretRef: Secret broken holds malformed .dockerconfigjson");
    awaitEvent("SecretNotFound", "Warning");
    assertThat(k8s.jobs()).isEmpty();

    // wrong type: no .dockerconfigjson key at all
    client
        .secrets()
        .inNamespace(k8s.namespace)
        .withName("broken")
        .edit(
            s -> {
              s.setData(Map.of("password", base64("x")));
              return s;
            });
    k8s.awaitCondition(
        NAME,
        NodeAppImageStatus.READY,
        c -> c.getMessage().contains("has no .dockerconfigjson key"));
    assertThat(k8s.jobs()).isEmpty();

    client
        .secrets()
        .inNamespace(k8s.namespace)
        .withName("broken")
        .edit(
            s -> {
              s.setData(
                  Map.of(
                      ".dockerconfigjson",
                      base64(dockerConfigJson("registry.example.com", "ci", "s3cret"))));
              return s;
            });
    k8s.awaitJobs(1);
  }

  @Test
  void missingOrMalformedGitSecretNamesTheField() {
    k8s.create(gitApp("git-auth"));
    Condition missing = k8s.awaitReady(NAME, "False", "SecretNotFound");
    assertThat(missing.getMessage())
        .isEqualTo("spec.source.git.secretRef: Secret " + k8s.namespace + "/git-auth not found");
    assertThat(k8s.jobs()).isEmpty();

    client
        .secrets()
        .inNamespace(k8s.namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("git-auth")
                .endMetadata()
                .withData(Map.of("user", base64("me")))
                .build())
        .create();
    k8s.awaitCondition(
        NAME,
        NodeAppImageStatus.READY,
        c ->
            c.getMessage()
                .equals(
                    "spec.source.git.secretRef: Secret git-auth must have keys username and"
                        + " password (or token)"));
    assertThat(k8s.jobs()).isEmpty();
  }

  // ------------------------------------------------------------------ deletion

  /** Deleting the resource mid-build: its Job, the Job's pod and the ConfigMap all go. */
  @Test
  void resourceDeletedMidBuildTakesJobPodAndConfigMapWithIt() {
    NodeAppImage created = k8s.create(expressApp());
    Job job = k8s.awaitJobs(1);
    k8s.startPod(job);
    k8s.awaitReady(NAME, "False", "BuildRunning");
    assertThat(k8s.allLeanodeObjects())
        .extracting(o -> o.getKind())
        .containsExactlyInAnyOrder("Job", "ConfigMap", "Pod");
    assertThat(job.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getBlockOwnerDeletion()).isTrue());

    client.resource(created).delete();
    await().atMost(OperatorFixture.TIMEOUT).until(() -> k8s.get(NAME) == null);
    k8s.collectGarbage(created.getMetadata().getUid());

    assertThat(k8s.allLeanodeObjects()).isEmpty();
    // the operator does not resurrect anything for a resource that is gone
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> k8s.allLeanodeObjects().isEmpty());
  }

  // ------------------------------------------------------------------ conflicts

  /**
   * JOSDK 5.3.2 with SSA off writes status as a JSON Patch on /status without resourceVersion, so
   * concurrent metadata writes do not conflict; a 409 that happens anyway (here: injected once by
   * the mock server) fails that reconciliation and JOSDK's retry writes the status again. Meanwhile
   * the test thread keeps editing labels: at the end both the labels and the status are complete.
   */
  @Test
  void conflictOnStatusPatchIsRetriedAndConcurrentEditsAreKept() throws Exception {
    String statusPath =
        "/apis/leanode.dev/v1alpha1/namespaces/"
            + k8s.namespace
            + "/nodeappimages/"
            + NAME
            + "/status";
    AtomicInteger conflicts = new AtomicInteger();
    server
        .expect()
        .patch()
        .withPath(statusPath)
        .andReply(
            409,
            req -> {
              conflicts.incrementAndGet();
              return new StatusBuilder()
                  .withStatus("Failure")
                  .withReason("Conflict")
                  .withCode(409)
                  .withMessage("the object has been modified; please apply your changes")
                  .build();
            })
        .once();

    k8s.create(expressApp());
    Job job = k8s.awaitJobs(1);
    k8s.awaitReady(NAME, "False", "BuildRunning");
    assertThat(conflicts.get()).as("the injected 409 was served").isEqualTo(1);

    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger edits = new AtomicInteger();
    Thread editor =
        new Thread(
            () -> {
              while (!stop.get()) {
                int i = edits.get();
                try {
                  edit(
                      n -> {
                        label(n, "edit", Integer.toString(i));
                        return n;
                      });
                  edits.incrementAndGet();
                } catch (KubernetesClientException e) {
                  if (e.getCode() != 409) {
                    throw e;
                  }
                }
              }
            },
            "label-editor");
    editor.start();
    try {
      await().atMost(OperatorFixture.TIMEOUT).until(() -> edits.get() >= 5);
      registry.sizes.put(digest('c'), 777L);
      k8s.succeed(job, digest('c'));
      k8s.awaitReady(NAME, "True", "BuildSucceeded");
      int before = edits.get();
      await().atMost(OperatorFixture.TIMEOUT).until(() -> edits.get() >= before + 5);
    } finally {
      stop.set(true);
      editor.join();
    }

    NodeAppImage last = k8s.get(NAME);
    assertThat(last.getMetadata().getLabels())
        .containsEntry("edit", Integer.toString(edits.get() - 1));
    assertThat(last.getStatus().getOutput().getDigest()).isEqualTo(digest('c'));
    assertThat(last.getStatus().getOutput().getSizeBytes()).isEqualTo(777L);
    assertThat(last.getStatus().getBuild().getCompletionTime()).isNotNull();
    assertThat(k8s.jobs()).hasSize(1);
  }

  // ------------------------------------------------------------------ hostile specs

  @Test
  void hostileGitUrlIsInvalidSpecWithoutAJob() {
    NodeAppImage nai = gitApp("git-auth");
    nai.getSpec().getSource().getGit().setUrl("--upload-pack=touch /tmp/pwned");
    nai.getSpec().getSource().getGit().setSecretRef(null);
    k8s.create(nai);

    Condition ready = k8s.awaitReady(NAME, "False", "InvalidSpec");
    assertThat(ready.getMessage()).startsWith("spec.source.git.url: ");
    awaitEvent("InvalidSpec", "Warning");
    assertThat(k8s.jobs()).isEmpty();
    assertThat(k8s.configMaps()).noneMatch(c -> c.getMetadata().getName().startsWith(NAME));
  }

  @Test
  void hostileOutputImageIsInvalidSpecWithoutAJob() {
    NodeAppImage nai = expressApp();
    nai.getSpec().getOutput().setImage("registry.example.com/team/app:1 --insecure-registry=evil");
    k8s.create(nai);

    Condition ready = k8s.awaitReady(NAME, "False", "InvalidSpec");
    assertThat(ready.getMessage()).startsWith("spec.output.image: ");
    awaitEvent("InvalidSpec", "Warning");
    assertThat(k8s.jobs()).isEmpty();
  }

  @Test
  void hostileInlinePathIsInvalidSpecWithoutAJob() {
    NodeAppImage nai = expressApp();
    nai.getSpec().getSource().getInline().getFiles().put("../../kaniko/.docker/config.json", "{}");
    k8s.create(nai);

    Condition ready = k8s.awaitReady(NAME, "False", "InvalidSpec");
    assertThat(ready.getMessage()).startsWith("spec.source.inline.files[");
    awaitEvent("InvalidSpec", "Warning");
    assertThat(k8s.jobs()).isEmpty();
  }
}

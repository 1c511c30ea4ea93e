package dev.leanode.reconciler;

import static org.awaitility.Awaitility.await;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.build.Labels;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Test-side stand-ins for what the cluster does around the operator: the kubelet finishing a build
 * pod, the Job controller marking the Job, the garbage collector removing owned objects. Each
 * method writes exactly what that component would write, so the operator sees real API objects.
 */
final class OperatorFixture {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  final KubernetesClient client;
  final String namespace;

  OperatorFixture(KubernetesClient client) {
    this.client = client;
    this.namespace = "t-" + UUID.randomUUID().toString().substring(0, 8);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  /** Loads a NodeAppImage from a file of the project (tests run in the project folder). */
  NodeAppImage load(String file) {
    try (InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(file))) {
      NodeAppImage nai = SERIALIZATION.unmarshal(in, NodeAppImage.class);
      nai.getMetadata().setNamespace(namespace);
      return nai;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  NodeAppImage create(NodeAppImage nai) {
    return client.resources(NodeAppImage.class).inNamespace(namespace).resource(nai).create();
  }

  NodeAppImage get(String name) {
    return client.resources(NodeAppImage.class).inNamespace(namespace).withName(name).get();
  }

  List<Job> jobs() {
    return client.batch().v1().jobs().inNamespace(namespace).list().getItems();
  }

  List<ConfigMap> configMaps() {
    return client.configMaps().inNamespace(namespace).list().getItems();
  }

  List<Event> events() {
    return client.v1().events().inNamespace(namespace).list().getItems();
  }

  /** Waits for exactly {@code count} Jobs and returns one not in {@code known}. */
  Job awaitJobs(int count, Job... known) {
    await().atMost(TIMEOUT).until(() -> jobs().size() == count);
    java.util.Set<String> old =
        java.util.Arrays.stream(known)
            .map(j -> j.getMetadata().getName())
            .collect(java.util.stream.Collectors.toSet());
    return jobs().stream()
        .filter(j -> !old.contains(j.getMetadata().getName()))
        .findFirst()
        .orElseThrow();
  }

  Condition awaitCondition(String name, String type, Predicate<Condition> matches) {
    // the last conditions seen end up in the timeout message
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                Optional.ofNullable(get(name))
                    .map(NodeAppImage::getStatus)
                    .map(NodeAppImageStatus::getConditions)
                    .orElse(List.of()),
            conditions ->
                conditions.stream().anyMatch(c -> type.equals(c.getType()) && matches.test(c)));
    return get(name).getStatus().condition(type).orElseThrow();
  }

  Condition awaitReady(String name, String status, String reason) {
    return awaitCondition(
        name,
        NodeAppImageStatus.READY,
        c -> status.equals(c.getStatus()) && reason.equals(c.getReason()));
  }

  /** What the kubelet and Kaniko write when the build container exits 0 with its digest. */
  void succeed(Job job, String digest) {
    finish(job, Map.of("kaniko", new Exit(0, digest)), true, null);
  }

  void succeed(Job job, Map<String, Exit> containers) {
    finish(job, containers, true, null);
  }

  /** A failed build: the container's termination message is the log tail. */
  void fail(Job job, String logTail) {
    finish(job, Map.of("kaniko", new Exit(1, logTail)), false, "BackoffLimitExceeded");
  }

  /** The Job controller killed the pod at activeDeadlineSeconds. */
  void timeOut(Job job) {
    finish(job, Map.of(), false, "DeadlineExceeded");
  }

  record Exit(int code, String message) {}

  private void finish(
      Job job, Map<String, Exit> containers, boolean succeeded, String failureReason) {
    String now = Instant.now().toString();
    var pod = buildPod(job, succeeded ? "Succeeded" : "Failed");
    containers.forEach(
        (name, exit) ->
            pod.getStatus()
                .getContainerStatuses()
                .add(
                    new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
                        .withName(name)
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(exit.code())
                        .withMessage(exit.message())
                        .withReason(exit.code() == 0 ? "Completed" : "Error")
                        .endTerminated()
                        .endState()
                        .build()));
    client.pods().inNamespace(namespace).resource(pod).create();
    var status =
        new JobStatusBuilder()
            .withStartTime(now)
            .addNewCondition()
            .withType(succeeded ? "Complete" : "Failed")
            .withStatus("True")
            .withLastTransitionTime(now)
            .withReason(failureReason)
            .withMessage(
                failureReason == null ? null : "Job has reached the specified backoff limit")
            .endCondition();
    if (succeeded) {
      status.withSucceeded(1).withCompletionTime(now);
    } else {
      status.withFailed(1);
    }
    Job current =
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .withName(job.getMetadata().getName())
            .get();
    current.setStatus(status.build());
    client.batch().v1().jobs().inNamespace(namespace).resource(current).updateStatus();
  }

  /** What the Job controller and kubelet do first: a running build pod owned by the Job. */
  void startPod(Job job) {
    client.pods().inNamespace(namespace).resource(buildPod(job, "Running")).create();
  }

  /** The kubelet cannot pull the build image: the pod waits, the Job does not change. */
  void stuckPod(Job job, String reason, String message) {
    var pod = buildPod(job, "Pending");
    pod.getStatus()
        .getContainerStatuses()
        .add(
            new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
                .withName("kaniko")
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .withMessage(message)
                .endWaiting()
                .endState()
                .build());
    client.pods().inNamespace(namespace).resource(pod).create();
  }

  /**
   * A pod as the Job controller creates it: the pod template's labels and annotations (ours among
   * them, which is how the operator maps the pod back to its NodeAppImage), the controller's own
   * labels, and a controller ownerReference to the Job (so the garbage collector takes it along).
   */
  Pod buildPod(Job job, String phase) {
    var template = job.getSpec().getTemplate().getMetadata();
    String jobName = job.getMetadata().getName();
    String jobUid = job.getMetadata().getUid();
    Map<String, String> labels = new HashMap<>(template.getLabels());
    labels.put("job-name", jobName);
    labels.put("batch.kubernetes.io/job-name", jobName);
    labels.put("controller-uid", jobUid);
    labels.put("batch.kubernetes.io/controller-uid", jobUid);
    return new PodBuilder()
        .withNewMetadata()
        .withName(jobName + "-" + UUID.randomUUID().toString().substring(0, 5))
        .withNamespace(namespace)
        .withLabels(labels)
        .withAnnotations(new HashMap<>(template.getAnnotations()))
        .addNewOwnerReference()
        .withApiVersion("batch/v1")
        .withKind("Job")
        .withName(jobName)
        .withUid(jobUid)
        .withController(true)
        .withBlockOwnerDeletion(true)
        .endOwnerReference()
        .endMetadata()
        .withSpec(job.getSpec().getTemplate().getSpec())
        .withNewStatus()
        .withPhase(phase)
        .endStatus()
        .build();
  }

  /** Someone (a user, a cleanup script, a TTL controller) deletes the Job. */
  void deleteJob(Job job) {
    client.batch().v1().jobs().inNamespace(namespace).resource(job).delete();
  }

  /**
   * What kube-controller-manager's garbage collector does after the owner is deleted: removes
   * objects whose ownerReferences name it. Objects the operator forgot to own stay — and fail the
   * test that calls this.
   */
  void collectGarbage(String ownerUid) {
    for (HasMetadata o : allLeanodeObjects()) {
      boolean owned =
          o.getMetadata().getOwnerReferences().stream().anyMatch(r -> ownerUid.equals(r.getUid()));
      if (owned) {
        client.resource(o).inNamespace(namespace).delete();
        collectGarbage(o.getMetadata().getUid()); // transitively: a Job's pods
      }
    }
  }

  List<HasMetadata> allLeanodeObjects() {
    var selector = Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE;
    List<HasMetadata> all = new java.util.ArrayList<>();
    all.addAll(
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
            .list()
            .getItems());
    all.addAll(
        client
            .configMaps()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
            .list()
            .getItems());
    all.addAll(
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
            .list()
            .getItems());
    return all;
  }

  /**
   * The real API server increments metadata.generation on every spec change; the fabric8 CRUD mock
   * does not, so a test that changes a spec does it on the server's behalf.
   */
  void bumpGeneration(NodeAppImage n) {
    n.getMetadata()
        .setGeneration(Optional.ofNullable(n.getMetadata().getGeneration()).orElse(1L) + 1);
  }

  static String digest(char c) {
    return "sha256:" + String.valueOf(c).repeat(64);
  }
}

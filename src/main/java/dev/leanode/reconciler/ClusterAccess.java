package dev.leanode.reconciler;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.build.BuildPlan;
import dev.leanode.status.ReconcileErrors;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.List;
import java.util.Optional;

/**
 * The reconciler's reads and writes for one NodeAppImage: informer caches first, the API server
 * where a cache may lag. Everything else in a reconciliation is a pure decision.
 */
final class ClusterAccess {
  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(ClusterAccess.class);

  /**
   * Enough for the last stage's lines of any build we have seen; a bound on what one read costs.
   */
  static final int LOG_TAIL_LINES = 2000;

  private final Context<NodeAppImage> ctx;
  private final KubernetesClient client;
  private final String namespace;

  ClusterAccess(Context<NodeAppImage> ctx, NodeAppImage resource) {
    this.ctx = ctx;
    this.client = ctx.getClient();
    this.namespace = resource.getMetadata().getNamespace();
  }

  /** Secrets are read by name only (no watch, see docs/security.md). */
  Optional<Secret> secret(String name) {
    return Optional.ofNullable(client.secrets().inNamespace(namespace).withName(name).get());
  }

  /** The Job from the cache, or from the API server when the cache has not seen our create yet. */
  Optional<Job> job(String name) {
    return ctx.getSecondaryResources(Job.class).stream()
        .filter(j -> name.equals(j.getMetadata().getName()))
        .findFirst()
        .or(
            () ->
                Optional.ofNullable(
                    client.batch().v1().jobs().inNamespace(namespace).withName(name).get()));
  }

  /** This resource's build Jobs in the cache. */
  List<Job> jobs() {
    return List.copyOf(ctx.getSecondaryResources(Job.class));
  }

  /**
   * The build's pods from the informer cache. The Job and Pod informers are independent, so a
   * finished Job can arrive before its pod: then the pod (which carries the digest or the log tail)
   * is read from the API server rather than guessed.
   */
  List<Pod> pods(Job job) {
    String name = job.getMetadata().getName();
    List<Pod> cached =
        ctx.getSecondaryResources(Pod.class).stream()
            .filter(p -> name.equals(p.getMetadata().getLabels().get("job-name")))
            .toList();
    boolean terminatedSeen =
        cached.stream()
            .anyMatch(
                p ->
                    p.getStatus() != null
                        && p.getStatus().getContainerStatuses() != null
                        && p.getStatus().getContainerStatuses().stream()
                            .anyMatch(
                                c -> c.getState() != null && c.getState().getTerminated() != null));
    if (!JobStates.isFinished(job) || terminatedSeen) {
      return cached;
    }
    return client.pods().inNamespace(namespace).withLabel("job-name", name).list().getItems();
  }

  /** The Job's newest pod that runs now (phase Running): the one whose log can still grow. */
  Optional<Pod> runningPod(Job job) {
    return pods(job).stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
        .max(java.util.Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()));
  }

  /**
   * The end of a build container's log (the API server's {@code pods/log}), or empty when it cannot
   * be read now: not started, pod gone, no permission. The progress it gives is a nicety, never a
   * reason to fail a reconciliation.
   */
  Optional<String> logTail(Pod pod, String container) {
    try {
      return Optional.ofNullable(
          client
              .pods()
              .inNamespace(namespace)
              .withName(pod.getMetadata().getName())
              .inContainer(container)
              .withReadyWaitTimeout(0)
              .tailingLines(LOG_TAIL_LINES)
              .getLog());
    } catch (KubernetesClientException e) {
      LOG.debugf(
          "no log of %s/%s %s yet: %s",
          namespace, pod.getMetadata().getName(), container, e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Creates the build's ConfigMap (unless there) and Job. A 409 means created concurrently (e.g. by
   * a previous leader) and is fine; anything else throws {@link CreateRefused}.
   */
  void create(BuildPlan plan) {
    try {
      if (client.configMaps().inNamespace(namespace).withName(plan.name()).get() == null) {
        client.configMaps().inNamespace(namespace).resource(plan.configMap()).create();
      }
      client.batch().v1().jobs().inNamespace(namespace).resource(plan.job()).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw new CreateRefused("build Job " + namespace + "/" + plan.name(), e);
      }
    }
  }

  /** Deletes a finished build: its Job (pods in the background) and ConfigMap. */
  void delete(String name) {
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withName(name)
        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
        .delete();
    client.configMaps().inNamespace(namespace).withName(name).delete();
  }

  /** A verify Pod, read from the API server (verify Pods are not in the build pod informer). */
  Optional<Pod> pod(String name) {
    return Optional.ofNullable(client.pods().inNamespace(namespace).withName(name).get());
  }

  /** Creates a verify Pod; a 409 (created by an earlier reconciliation or leader) is fine. */
  void create(Pod pod) {
    try {
      client.pods().inNamespace(namespace).resource(pod).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw new CreateRefused("verify Pod " + namespace + "/" + pod.getMetadata().getName(), e);
      }
    }
  }

  void deletePod(String name) {
    client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
  }

  /** The last {@code lines} of a container's log ({@code pods/log} get); empty when unreadable. */
  String logTail(String pod, String container, int lines) {
    try {
      String log =
          client
              .pods()
              .inNamespace(namespace)
              .withName(pod)
              .inContainer(container)
              .tailingLines(lines)
              .getLog();
      return log == null ? "" : log.strip();
    } catch (KubernetesClientException e) {
      return "";
    }
  }

  EventRecorder events() {
    return new EventRecorder(client);
  }

  /** The API server refused the build's ConfigMap or Job (403, quota, admission policy…). */
  static final class CreateRefused extends RuntimeException {
    CreateRefused(String job, KubernetesClientException cause) {
      super("Creating " + job + " failed: " + ReconcileErrors.describe(cause), cause);
    }
  }
}

package dev.leanode.reconciler;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.build.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The operator-wide build queue: the Job and build-pod informers, the slot limit ({@link
 * BuildSlots}) counted from the Job informer, and the wake-ups of queued resources ({@link
 * QueueWakeups}) when a slot frees.
 */
final class BuildQueue {
  private final BuildSlots slots;
  private final QueueWakeups wakeups = new QueueWakeups();
  private volatile InformerEventSource<Job, NodeAppImage> jobs;

  BuildQueue(BuildSlots slots) {
    this.slots = slots;
  }

  int max() {
    return slots.max();
  }

  /** Build Jobs and their pods (mapped back by our annotation), and the queue's wake-ups. */
  List<EventSource<?, NodeAppImage>> eventSources(EventSourceContext<NodeAppImage> context) {
    String managed = Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE;
    var jobSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Job.class, NodeAppImage.class)
                .withName("build-jobs")
                .withLabelSelector(managed)
                .build(),
            context);
    // Build pods are owned by their Job, not by us: map them back through our annotation.
    var podSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, NodeAppImage.class)
                .withName("build-pods")
                .withLabelSelector(managed)
                .withSecondaryToPrimaryMapper(BuildQueue::ownerOfPod)
                .build(),
            context);
    this.jobs = jobSource;
    return List.of(jobSource, podSource, wakeups);
  }

  /** The NodeAppImage a build pod belongs to, from the pod template's annotation. */
  static Set<ResourceID> ownerOfPod(Pod pod) {
    var annotations = pod.getMetadata().getAnnotations();
    String owner = annotations == null ? null : annotations.get(Labels.RESOURCE_NAME_ANNOTATION);
    return owner == null
        ? Set.of()
        : Set.of(new ResourceID(owner, pod.getMetadata().getNamespace()));
  }

  /** Takes a slot for the Job {@code key} (namespace/name), or queues {@code resource}. */
  boolean admit(ResourceID resource, String key) {
    slots.release(this::notInCacheYet);
    if (!slots.tryReserve(key, activeJobKeys())) {
      wakeups.waiting(resource);
      return false;
    }
    wakeups.started(resource);
    return true;
  }

  /** The Job of {@code key} could not be created: free its slot for the next one. */
  void refused(String key) {
    slots.release(key);
    wake();
  }

  /** A build Job was observed; {@code finished}: it no longer holds a slot. */
  void observed(boolean finished) {
    if (slots.max() > 0) {
      slots.release(this::notInCacheYet);
    }
    if (finished) {
      wake();
    }
  }

  /** Let as many queued resources try as there are free slots. */
  private void wake() {
    if (slots.max() > 0) {
      long active = activeJobKeys().count() + slots.reservedCount();
      wakeups.wake((int) Math.max(1, slots.max() - active));
    }
  }

  private Stream<String> activeJobKeys() {
    var source = jobs;
    if (source == null) {
      return Stream.empty();
    }
    return source
        .list(j -> !JobStates.isFinished(j))
        .map(j -> j.getMetadata().getNamespace() + "/" + j.getMetadata().getName());
  }

  /**
   * A reservation stays until the informer shows its Job (from then on it counts as active while
   * unfinished); {@link BuildSlots} drops it after a while anyway.
   */
  private boolean notInCacheYet(String key) {
    var source = jobs;
    String[] nsName = key.split("/", 2);
    return source != null && source.get(new ResourceID(nsName[1], nsName[0])).isEmpty();
  }
}

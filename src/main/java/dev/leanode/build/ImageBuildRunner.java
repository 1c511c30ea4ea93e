package dev.leanode.build;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;

/**
 * Builds images in the cluster (Shipwright-style seam): the reconciler asks for a plan and reads
 * back a {@link BuildState}; it never sees builder flags. {@link KanikoBuildRunner} is the one
 * implementation.
 */
public interface ImageBuildRunner {
  /** The ConfigMap and Job that build this request; pure, no API calls. */
  BuildPlan plan(BuildRequest request);

  /** The state of a build from its Job and the Job's pods. */
  BuildState observe(Job job, List<Pod> pods);
}

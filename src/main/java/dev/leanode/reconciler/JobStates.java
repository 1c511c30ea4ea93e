package dev.leanode.reconciler;

import io.fabric8.kubernetes.api.model.batch.v1.Job;

/** Job status predicates used for retention and the concurrency limit. */
public final class JobStates {
  private JobStates() {}

  /** A Job with a Complete or Failed condition that is True. */
  public static boolean isFinished(Job job) {
    return job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(
                c ->
                    ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
                        && "True".equals(c.getStatus()));
  }
}

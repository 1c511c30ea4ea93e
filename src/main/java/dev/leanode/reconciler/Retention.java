package dev.leanode.reconciler;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;

/** Which finished build Jobs go: those beyond {@code leanode.build.keep-jobs}, oldest first. */
final class Retention {
  private Retention() {}

  /**
   * Names of finished Jobs (other than {@code current}) to delete with their ConfigMaps, so that
   * {@code keepJobs} builds remain, the current one included.
   */
  static List<String> beyond(List<Job> jobs, String current, int keepJobs) {
    List<Job> finished =
        jobs.stream()
            .filter(j -> !current.equals(j.getMetadata().getName()))
            .filter(JobStates::isFinished)
            // newest first; creation timestamps have second precision, so builds created in
            // the same second are ordered by when they finished
            .sorted(
                Comparator.comparing((Job j) -> instant(j.getMetadata().getCreationTimestamp()))
                    .thenComparing(Retention::finishedAt)
                    .thenComparing(j -> j.getMetadata().getName())
                    .reversed())
            .toList();
    int keep = Math.max(0, keepJobs - 1); // the current build counts as one
    return finished.subList(Math.min(keep, finished.size()), finished.size()).stream()
        .map(j -> j.getMetadata().getName())
        .toList();
  }

  static Instant finishedAt(Job job) {
    var status = job.getStatus();
    if (status == null) {
      return Instant.EPOCH;
    }
    if (status.getCompletionTime() != null) {
      return instant(status.getCompletionTime());
    }
    return status.getConditions() == null
        ? Instant.EPOCH
        : status.getConditions().stream()
            .map(c -> instant(c.getLastTransitionTime()))
            .max(Comparator.naturalOrder())
            .orElse(Instant.EPOCH);
  }

  static Instant instant(String timestamp) {
    try {
      return timestamp == null ? Instant.EPOCH : Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }
}

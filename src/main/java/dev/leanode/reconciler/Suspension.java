package dev.leanode.reconciler;

import dev.leanode.observe.BuildObserver;
import dev.leanode.status.BuildHistory;
import dev.leanode.status.Reason;
import dev.leanode.status.StatusAggregator;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code spec.suspend: true}: running builds are deleted (their pods follow through the garbage
 * collector), nothing new starts, {@code Building=False} with reason {@code Suspended}. A build of
 * the current inputs that already finished keeps its result: there is nothing to stop.
 */
final class Suspension {
  private Suspension() {}

  /** Whether suspending changes anything: a build of these inputs has not finished. */
  static boolean stops(BuildObserver.Observation observation) {
    if (observation instanceof BuildObserver.FinishedAndRemoved) {
      return false;
    }
    return !(observation instanceof BuildObserver.Observed o && o.state().phase().finished());
  }

  /**
   * Deletes this resource's unfinished build Jobs (the current one may not be in the cache yet) and
   * records the suspension; returns the names deleted.
   */
  static List<String> suspend(
      ClusterAccess cluster, Optional<Job> current, StatusAggregator status) {
    List<String> deleted = new ArrayList<>();
    List<Job> jobs = new ArrayList<>(cluster.jobs());
    current.ifPresent(jobs::add);
    for (Job job : jobs) {
      String name = job.getMetadata().getName();
      if (!JobStates.isFinished(job) && !deleted.contains(name)) {
        cluster.delete(name);
        deleted.add(name);
      }
    }
    Instant now = Instant.now();
    deleted.forEach(name -> BuildHistory.suspended(status.next(), name, now));
    var build = status.next().getBuild();
    if (build != null && build.getCompletionTime() == null) {
      // an unfinished build left in status.build would be taken for a lost Job on resume
      status.next().setBuild(null);
    }
    String message;
    if (!deleted.isEmpty()) {
      message =
          "spec.suspend is true: deleted build Job "
              + String.join(", ", deleted)
              + "; no build starts until it is false";
    } else if (status.previousReason().orElse(null) == Reason.SUSPENDED) {
      message = status.previousMessage(); // the Job's deletion event must not reword it
    } else {
      message = "spec.suspend is true: no build starts until it is false";
    }
    status.outcome(Reason.SUSPENDED, message, null);
    return deleted;
  }
}

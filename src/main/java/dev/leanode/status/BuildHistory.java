package dev.leanode.status;

import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.api.v1alpha1.NodeAppImageStatus.BuildRecord;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code status.history}: the last builds, newest first, bounded. A record is made when a build
 * starts (its trigger decided against the one before, {@link Trigger#decide}) and follows the Ready
 * reason of its Job until it ends. Pure.
 */
public final class BuildHistory {
  /** How a recorded build ended (or that it still runs). */
  public enum Outcome {
    RUNNING("Running"),
    SUCCEEDED("Succeeded"),
    FAILED("Failed"),
    TIMED_OUT("TimedOut"),
    SUSPENDED("Suspended"),
    SUPERSEDED("Superseded");

    private final String value;

    Outcome(String value) {
      this.value = value;
    }

    public String value() {
      return value;
    }
  }

  private BuildHistory() {}

  /** Records kept: the operator's keep-jobs setting, at least 1 (the trigger needs the last). */
  public static int size(int keepJobs) {
    return Math.max(1, keepJobs);
  }

  /** The last build started, if any. */
  public static Optional<BuildRecord> last(NodeAppImageStatus status) {
    var h = status.getHistory();
    return h == null || h.isEmpty() ? Optional.empty() : Optional.of(h.get(0));
  }

  /**
   * A build of {@code candidate}'s inputs (job, generation, commit, base digest, rebuild value)
   * starts: returns its trigger and puts its record first. The Job of the same inputs created again
   * while its record still runs (the Job was lost) keeps its record and trigger; the same inputs
   * built again after their build ended (resumed after spec.suspend, say) are a new record. A build
   * still running for other inputs is Superseded.
   */
  public static Trigger started(NodeAppImageStatus next, BuildRecord candidate, int max) {
    List<BuildRecord> history =
        next.getHistory() == null ? new ArrayList<>() : new ArrayList<>(next.getHistory());
    Optional<BuildRecord> same =
        history.stream()
            .filter(r -> Objects.equals(r.getJob(), candidate.getJob()))
            .filter(r -> Outcome.RUNNING.value().equals(r.getOutcome()))
            .filter(r -> Trigger.of(r.getTrigger()).isPresent())
            .findFirst();
    BuildRecord record;
    Trigger trigger;
    if (same.isPresent()) {
      record = same.get();
      trigger = Trigger.of(record.getTrigger()).orElseThrow();
      history.remove(record);
    } else {
      trigger =
          history.isEmpty() && next.getBuild() != null
              // built before history was kept (an operator upgrade): not a new resource
              ? Trigger.SPEC_CHANGED
              : Trigger.decide(history.isEmpty() ? null : history.get(0), candidate);
      record = candidate;
      record.setTrigger(trigger.value());
    }
    record.setOutcome(Outcome.RUNNING.value());
    record.setCompletionTime(null);
    for (BuildRecord r : history) {
      if (Outcome.RUNNING.value().equals(r.getOutcome())) {
        r.setOutcome(Outcome.SUPERSEDED.value());
      }
    }
    history.add(0, record);
    next.setHistory(List.copyOf(history.subList(0, Math.min(history.size(), size(max)))));
    return trigger;
  }

  /**
   * After this reconciliation's outcome: the record of {@code next.build}'s Job takes its times and
   * result (digest and size once pushed and measured). Reasons that say nothing about the Job
   * (Queued, InvalidSpec, a missing Secret…) leave it as it was.
   */
  public static void update(NodeAppImageStatus next, Reason reason) {
    if (next.getBuild() == null || next.getHistory() == null) {
      return;
    }
    Outcome outcome =
        switch (reason) {
          case BUILD_RUNNING -> Outcome.RUNNING;
          case BUILD_SUCCEEDED, SIZE_UNKNOWN -> Outcome.SUCCEEDED;
          case BUILD_FAILED -> Outcome.FAILED;
          case BUILD_TIMED_OUT -> Outcome.TIMED_OUT;
          default -> null;
        };
    if (outcome == null) {
      return;
    }
    var build = next.getBuild();
    for (BuildRecord r : next.getHistory()) {
      if (!Objects.equals(r.getJob(), build.getJob())) {
        continue;
      }
      r.setOutcome(outcome.value());
      if (build.getStartTime() != null) {
        r.setStartTime(build.getStartTime());
      }
      if (outcome != Outcome.RUNNING) {
        r.setCompletionTime(build.getCompletionTime());
      }
      if (outcome == Outcome.SUCCEEDED && next.getOutput() != null) {
        r.setDigest(next.getOutput().getDigest());
        r.setSizeBytes(next.getOutput().getSizeBytes());
      }
      return; // the newest record of this Job: an older one (same inputs) has ended already
    }
  }

  /** spec.suspend deleted the running build of {@code job}. */
  public static void suspended(NodeAppImageStatus next, String job, Instant now) {
    if (next.getHistory() == null) {
      return;
    }
    for (BuildRecord r : next.getHistory()) {
      if (Objects.equals(r.getJob(), job) && Outcome.RUNNING.value().equals(r.getOutcome())) {
        r.setOutcome(Outcome.SUSPENDED.value());
        r.setCompletionTime(now.truncatedTo(ChronoUnit.SECONDS).toString());
      }
    }
  }
}

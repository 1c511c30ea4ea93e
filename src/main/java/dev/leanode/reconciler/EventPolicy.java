package dev.leanode.reconciler;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.metrics.BuildMetrics;
import dev.leanode.status.Reason;
import dev.leanode.status.StatusAggregator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which Events and build metrics one reconciliation is worth: one per change of outcome, not one
 * per reconciliation (a running build is reconciled on every pod event).
 */
final class EventPolicy {
  /** Warning Event reason when a build Job vanished before it finished and is created again. */
  static final String JOB_LOST = "BuildJobLost";

  private EventPolicy() {}

  /** Records this reconciliation's Events and, for a build that just finished, its metrics. */
  static void announce(
      NodeAppImage resource,
      EventRecorder events,
      BuildMetrics metrics,
      StatusAggregator status,
      NodeAppImageStatus next,
      String lostMessage) {
    for (var n : notices(status.previous(), next, status.reason(), lostMessage)) {
      if (n.warning()) {
        events.warning(resource, n.reason(), n.message());
      } else {
        events.normal(resource, n.reason(), n.message());
      }
    }
    finishedBuild(status.previous(), next, status.reason())
        .ifPresent(
            outcome ->
                metrics.buildFinished(
                    resource.getMetadata().getNamespace(),
                    outcome,
                    trigger(next.getBuild()),
                    duration(next.getBuild())));
  }

  /** The build's trigger, for labels; "Unknown" for a build started before triggers existed. */
  static String trigger(NodeAppImageStatus.BuildStatus build) {
    return build == null || build.getTrigger() == null ? "Unknown" : build.getTrigger();
  }

  static Duration duration(NodeAppImageStatus.BuildStatus build) {
    if (build == null || build.getStartTime() == null || build.getCompletionTime() == null) {
      return null;
    }
    return Duration.between(
        Instant.parse(build.getStartTime()), Instant.parse(build.getCompletionTime()));
  }

  /** An Event to record. */
  record Notice(boolean warning, String reason, String message) {}

  /** A Warning when SizeWithinBudget turns False, or stays False for a new image. */
  static Optional<Notice> budgetExceeded(NodeAppImageStatus previous, NodeAppImageStatus next) {
    var now = next.condition(dev.leanode.status.SizeBudget.TYPE);
    if (now.isEmpty() || !"False".equals(now.get().getStatus())) {
      return Optional.empty();
    }
    boolean wasFalse =
        previous
            .condition(dev.leanode.status.SizeBudget.TYPE)
            .map(c -> "False".equals(c.getStatus()))
            .orElse(false);
    String before = previous.getOutput() == null ? null : previous.getOutput().getDigest();
    String after = next.getOutput() == null ? null : next.getOutput().getDigest();
    if (wasFalse && Objects.equals(before, after)) {
      return Optional.empty();
    }
    return Optional.of(
        new Notice(true, Reason.SIZE_BUDGET_EXCEEDED.reason(), now.get().getMessage()));
  }

  static List<Notice> notices(
      NodeAppImageStatus previous, NodeAppImageStatus next, Reason reason, String lostMessage) {
    List<Notice> notices = new ArrayList<>();
    boolean buildStarted =
        reason == Reason.BUILD_RUNNING
            && next.getBuild() != null
            && (previous.getBuild() == null
                || !Objects.equals(previous.getBuild().getJob(), next.getBuild().getJob()));
    if (buildStarted) {
      notices.add(
          new Notice(
              false,
              "BuildStarted",
              "Created build Job "
                  + next.getBuild().getJob()
                  + " (trigger "
                  + trigger(next.getBuild())
                  + ")"));
    }
    if (lostMessage != null) {
      notices.add(new Notice(true, JOB_LOST, lostMessage));
    }
    budgetExceeded(previous, next).ifPresent(notices::add);
    if (outcomeChanged(previous, next, reason)) {
      String message = next.condition(NodeAppImageStatus.READY).orElseThrow().getMessage();
      if (reason.isWarning()) {
        notices.add(new Notice(true, reason.reason(), message));
      } else if (reason == Reason.BUILD_SUCCEEDED
          || reason == Reason.QUEUED
          || reason == Reason.SUSPENDED) {
        notices.add(new Notice(false, reason.reason(), message));
      }
    }
    return notices;
  }

  /**
   * The {@code outcome} label of a build that finished in this reconciliation (it was Building
   * before), or empty.
   */
  static Optional<String> finishedBuild(
      NodeAppImageStatus previous, NodeAppImageStatus next, Reason reason) {
    if (!outcomeChanged(previous, next, reason)) {
      return Optional.empty();
    }
    String outcome =
        switch (reason) {
          case BUILD_SUCCEEDED, SIZE_UNKNOWN -> "succeeded";
          case BUILD_FAILED -> "failed";
          case BUILD_TIMED_OUT -> "timed_out";
          default -> null;
        };
    boolean wasRunning =
        previous
            .condition(NodeAppImageStatus.BUILDING)
            .map(c -> "True".equals(c.getStatus()))
            .orElse(false);
    return wasRunning ? Optional.ofNullable(outcome) : Optional.empty();
  }

  /**
   * A new Ready reason, or a new message of a warning (a different error); SizeUnknown's message
   * counts attempts and is not news.
   */
  static boolean outcomeChanged(
      NodeAppImageStatus previous, NodeAppImageStatus next, Reason reason) {
    var before = previous.condition(NodeAppImageStatus.READY);
    var after = next.condition(NodeAppImageStatus.READY).orElseThrow();
    return before.isEmpty()
        || !Objects.equals(before.get().getReason(), after.getReason())
        || (reason.isWarning()
            && reason != Reason.SIZE_UNKNOWN
            && reason != Reason.RECONCILE_ERROR
            && !Objects.equals(before.get().getMessage(), after.getMessage()));
  }
}

package dev.leanode.observe;

import dev.leanode.api.v1alpha1.NodeAppImageStatus.BuildStatus;
import dev.leanode.build.BuildState;
import dev.leanode.build.ImageBuildRunner;
import dev.leanode.build.Labels;
import dev.leanode.status.Reason;
import dev.leanode.status.StatusAggregator;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The build Job of the current inputs (or its absence) and its pods → what happened. The absence is
 * the subtle part: never started, finished and removed by its TTL or retention (the result stands),
 * or lost mid-build (created again once, then the build fails). {@code status.build.completionTime}
 * tells them apart, so no memory of the operator's is needed.
 */
public final class BuildObserver {
  /** Creations of one build input's Job; a Job lost after this many fails the build. */
  public static final int MAX_JOB_ATTEMPTS = 2;

  /** What the Job (or its absence) says. */
  public sealed interface Observation {}

  /** No Job of these inputs was ever started (or the last one belonged to other inputs). */
  public record NotStarted() implements Observation {}

  /** The Job of these exact inputs finished and was removed (TTL, retention): its result stands. */
  public record FinishedAndRemoved() implements Observation {}

  /** The Job vanished before it finished: create it again as {@code attempt}. */
  public record Lost(int attempt, String eventMessage) implements Observation {}

  /** Lost {@link #MAX_JOB_ATTEMPTS} times: the build fails until a rebuild is requested. */
  public record LostTooOften(BuildStatus build, String message) implements Observation {}

  /**
   * The Job exists.
   *
   * @param state what the Job and its pods say
   * @param build {@code status.build} for it
   */
  public record Observed(BuildState state, BuildStatus build) implements Observation {}

  private final ImageBuildRunner runner;

  public BuildObserver(ImageBuildRunner runner) {
    this.runner = runner;
  }

  /**
   * @param job the Job named {@code jobName}, if the API server has it
   * @param pods its pods
   * @param previous {@code status.build} before this reconciliation
   */
  public Observation observe(
      String jobName,
      String inputHash,
      Optional<Job> job,
      List<Pod> pods,
      BuildStatus previous,
      Instant now) {
    if (job.isEmpty()) {
      return missing(jobName, inputHash, previous);
    }
    BuildState state = runner.observe(job.get(), pods);
    return new Observed(state, buildStatus(jobName, inputHash, state, previous, now));
  }

  /** The decision for a Job that is not there. */
  public static Observation missing(String jobName, String inputHash, BuildStatus previous) {
    boolean sameInputs = previous != null && inputHash.equals(previous.getInputHash());
    if (sameInputs && previous.getCompletionTime() != null) {
      return new FinishedAndRemoved();
    }
    if (!sameInputs || !jobName.equals(previous.getJob())) {
      return new NotStarted();
    }
    int attempt = Objects.requireNonNullElse(previous.getAttempt(), 1) + 1;
    if (attempt > MAX_JOB_ATTEMPTS) {
      // Deleted twice before it finished: someone or something (quota, a cleanup job) keeps
      // removing it. Creating it a third time would hide that; the user decides.
      var failed = copy(previous);
      failed.setAttempt(MAX_JOB_ATTEMPTS);
      return new LostTooOften(
          failed,
          "build Job "
              + jobName
              + " was deleted twice before it finished; set annotation "
              + Labels.REBUILD_ANNOTATION
              + "=<any new value> to retry");
    }
    return new Lost(
        attempt,
        "Build Job "
            + jobName
            + " was deleted before it finished; created it again (attempt "
            + attempt
            + " of "
            + MAX_JOB_ATTEMPTS
            + ")");
  }

  /** {@code status.build} for an existing Job. */
  public static BuildStatus buildStatus(
      String jobName, String inputHash, BuildState state, BuildStatus previous, Instant now) {
    var build = new BuildStatus();
    build.setJob(jobName);
    build.setInputHash(inputHash);
    build.setStartTime(state.startTime());
    build.setCompletionTime(state.completionTime());
    boolean sameJob = previous != null && jobName.equals(previous.getJob());
    if (build.getCompletionTime() == null && state.phase().finished()) {
      // A finished build always gets a completion time: it is what tells a Job removed by its
      // TTL (result stands) from a Job lost mid-build (created again).
      build.setCompletionTime(
          sameJob && previous.getCompletionTime() != null
              ? previous.getCompletionTime()
              : now.toString());
    }
    build.setAttempt(sameJob ? previous.getAttempt() : Integer.valueOf(1));
    build.setTrigger(sameJob ? previous.getTrigger() : null);
    return build;
  }

  /**
   * The Job of these inputs finished and was removed: its result stands (a rebuild is asked for
   * with the leanode.dev/rebuild annotation). When the Ready condition says something else since
   * (an error, a Secret missing for a while), the result is taken from the data.
   */
  public static void keepResult(StatusAggregator status, String jobName) {
    Optional<Reason> kept = status.keepFinishedOutcome();
    if (kept.isPresent()) {
      if (kept.get() == Reason.SIZE_UNKNOWN) {
        status.retryAfter(ImageMeasurer.BACKOFF.min());
      }
      return;
    }
    var out = status.previous().getOutput();
    if (out != null && out.getSizeBytes() != null) {
      status.outcome(Reason.BUILD_SUCCEEDED, ImageMeasurer.succeededMessage(out), null);
    } else {
      status.outcome(
          Reason.BUILD_FAILED,
          "build Job "
              + jobName
              + " finished and was removed before its result was recorded; set annotation "
              + Labels.REBUILD_ANNOTATION
              + "=<any new value> to build again",
          null);
    }
  }

  /** {@code status.build} for a Job just created. */
  public static BuildStatus started(
      String jobName, String inputHash, int attempt, dev.leanode.status.Trigger trigger) {
    var build = new BuildStatus();
    build.setJob(jobName);
    build.setInputHash(inputHash);
    build.setAttempt(attempt);
    build.setTrigger(trigger.value());
    return build;
  }

  /** The Job → conditions truth table for every phase but SUCCEEDED (which needs the registry). */
  public static Verdict verdict(String jobName, BuildState state, Integer attempt) {
    return switch (state.phase()) {
      case PENDING, RUNNING ->
          new Verdict(
              Reason.BUILD_RUNNING,
              state.message() != null ? state.message() : runningMessage(jobName, attempt));
      case FAILED -> new Verdict(Reason.BUILD_FAILED, state.message());
      case TIMED_OUT ->
          new Verdict(
              Reason.BUILD_TIMED_OUT,
              "Build Job "
                  + jobName
                  + " exceeded its timeout"
                  + (state.message() == null ? "" : ": " + state.message()));
      case SUCCEEDED -> throw new IllegalArgumentException("a succeeded build is measured");
    };
  }

  /** A reason and its message. */
  public record Verdict(Reason reason, String message) {}

  /**
   * The same words while created and while running: the next reconciliation has nothing to patch.
   */
  public static String runningMessage(String job, Integer attempt) {
    return "Build Job "
        + job
        + " is running"
        + (attempt != null && attempt > 1
            ? " (attempt " + attempt + " of " + MAX_JOB_ATTEMPTS + ")"
            : "");
  }

  private static BuildStatus copy(BuildStatus b) {
    var c = new BuildStatus();
    c.setJob(b.getJob());
    c.setInputHash(b.getInputHash());
    c.setStartTime(b.getStartTime());
    c.setCompletionTime(b.getCompletionTime());
    c.setAttempt(b.getAttempt());
    c.setTrigger(b.getTrigger());
    return c;
  }
}

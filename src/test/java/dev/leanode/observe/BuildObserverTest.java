package dev.leanode.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leanode.api.v1alpha1.NodeAppImageStatus.BuildStatus;
import dev.leanode.build.BuildState;
import dev.leanode.build.BuildState.Phase;
import dev.leanode.status.Reason;
import dev.leanode.status.StatusAggregator;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The decisions about a build Job, called directly: lost, TTL-removed, never started, observed. */
class BuildObserverTest {
  static final String JOB = "express-app-0123456789";
  static final String HASH = "0123456789abcdef";
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  static BuildStatus build(String job, String hash, String completion, Integer attempt) {
    var b = new BuildStatus();
    b.setJob(job);
    b.setInputHash(hash);
    b.setStartTime("2026-12-01T09:00:00Z");
    b.setCompletionTime(completion);
    b.setAttempt(attempt);
    return b;
  }

  static BuildState state(Phase phase, String message, String completion) {
    return new BuildState(phase, null, null, message, "2026-12-01T09:00:00Z", completion);
  }

  @Test
  void noPreviousBuildIsNotStarted() {
    assertThat(BuildObserver.missing(JOB, HASH, null)).isInstanceOf(BuildObserver.NotStarted.class);
  }

  @Test
  void aPreviousBuildOfOtherInputsIsNotStarted() {
    var previous = build("express-app-ffffffffff", "ffff", null, 1);
    assertThat(BuildObserver.missing(JOB, HASH, previous))
        .isInstanceOf(BuildObserver.NotStarted.class);
  }

  @Test
  void finishedJobRemovedByItsTtlKeepsItsResult() {
    var previous = build(JOB, HASH, "2026-12-01T09:10:00Z", 1);
    assertThat(BuildObserver.missing(JOB, HASH, previous))
        .isInstanceOf(BuildObserver.FinishedAndRemoved.class);
  }

  @Test
  void jobLostMidBuildIsCreatedAgainAsAttemptTwo() {
    var previous = build(JOB, HASH, null, 1);
    var decision = BuildObserver.missing(JOB, HASH, previous);
    assertThat(decision)
        .isEqualTo(
            new BuildObserver.Lost(
                2,
                "Build Job "
                    + JOB
                    + " was deleted before it finished; created it again (attempt 2 of 2)"));
  }

  @Test
  void aStatusWithoutAttemptCountsAsTheFirst() {
    var previous = build(JOB, HASH, null, null);
    assertThat(BuildObserver.missing(JOB, HASH, previous))
        .isInstanceOfSatisfying(
            BuildObserver.Lost.class, l -> assertThat(l.attempt()).isEqualTo(2));
  }

  @Test
  void jobLostTwiceFailsTheBuildAndNamesTheWayOut() {
    var previous = build(JOB, HASH, null, 2);
    var decision = BuildObserver.missing(JOB, HASH, previous);
    assertThat(decision)
        .isInstanceOfSatisfying(
            BuildObserver.LostTooOften.class,
            l -> {
              assertThat(l.build().getAttempt()).isEqualTo(2);
              assertThat(l.build().getJob()).isEqualTo(JOB);
              assertThat(l.message())
                  .isEqualTo(
                      "build Job "
                          + JOB
                          + " was deleted twice before it finished; set annotation"
                          + " leanode.dev/rebuild=<any new value> to retry");
            });
    assertThat(previous.getAttempt()).as("the previous status is not modified").isEqualTo(2);
  }

  @Test
  void aFinishedJobWithoutCompletionTimeGetsOneSoItIsNeverTakenForLost() {
    var b =
        BuildObserver.buildStatus(
            JOB, HASH, state(Phase.FAILED, "boom", null), build(JOB, HASH, null, 1), NOW);
    assertThat(b.getCompletionTime()).isEqualTo(NOW.toString());
    // and the first one seen stays, later reconciliations do not move it
    var later =
        BuildObserver.buildStatus(
            JOB, HASH, state(Phase.FAILED, "boom", null), b, NOW.plusSeconds(60));
    assertThat(later.getCompletionTime()).isEqualTo(NOW.toString());
    assertThat(BuildObserver.missing(JOB, HASH, later))
        .isInstanceOf(BuildObserver.FinishedAndRemoved.class);
  }

  @Test
  void aRunningJobHasNoCompletionTimeAndKeepsItsAttempt() {
    var previous = build(JOB, HASH, null, 2);
    previous.setTrigger("NewCommit");
    var b = BuildObserver.buildStatus(JOB, HASH, state(Phase.RUNNING, null, null), previous, NOW);
    assertThat(b.getCompletionTime()).isNull();
    assertThat(b.getAttempt()).isEqualTo(2);
    assertThat(b.getTrigger()).isEqualTo("NewCommit");
    var other =
        BuildObserver.buildStatus(
            JOB, HASH, state(Phase.RUNNING, null, null), build("other", "x", null, 2), NOW);
    assertThat(other.getAttempt()).isEqualTo(1);
  }

  @Test
  void verdictTruthTable() {
    assertThat(BuildObserver.verdict(JOB, state(Phase.PENDING, null, null), 1))
        .isEqualTo(
            new BuildObserver.Verdict(Reason.BUILD_RUNNING, "Build Job " + JOB + " is running"));
    assertThat(BuildObserver.verdict(JOB, state(Phase.RUNNING, null, null), 2))
        .isEqualTo(
            new BuildObserver.Verdict(
                Reason.BUILD_RUNNING, "Build Job " + JOB + " is running (attempt 2 of 2)"));
    assertThat(BuildObserver.verdict(JOB, state(Phase.PENDING, "ImagePullBackOff", null), 1))
        .isEqualTo(new BuildObserver.Verdict(Reason.BUILD_RUNNING, "ImagePullBackOff"));
    assertThat(BuildObserver.verdict(JOB, state(Phase.FAILED, "npm ERR!", "t"), 1))
        .isEqualTo(new BuildObserver.Verdict(Reason.BUILD_FAILED, "npm ERR!"));
    assertThat(BuildObserver.verdict(JOB, state(Phase.TIMED_OUT, "after 20m", "t"), 1))
        .isEqualTo(
            new BuildObserver.Verdict(
                Reason.BUILD_TIMED_OUT, "Build Job " + JOB + " exceeded its timeout: after 20m"));
    assertThatThrownBy(() -> BuildObserver.verdict(JOB, state(Phase.SUCCEEDED, null, "t"), 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void startedBuildCarriesItsAttempt() {
    var b = BuildObserver.started(JOB, HASH, 2, dev.leanode.status.Trigger.NEW_COMMIT);
    assertThat(b.getJob()).isEqualTo(JOB);
    assertThat(b.getInputHash()).isEqualTo(HASH);
    assertThat(b.getAttempt()).isEqualTo(2);
    assertThat(b.getTrigger()).isEqualTo("NewCommit");
    assertThat(b.getCompletionTime()).isNull();
  }

  static dev.leanode.api.v1alpha1.NodeAppImageStatus statusWith(
      Reason reason, String message, Long sizeBytes) {
    var agg = new StatusAggregator(null);
    var out = new dev.leanode.api.v1alpha1.NodeAppImageStatus.OutputStatus();
    out.setImage("r/x:1");
    out.setDigest("sha256:" + "a".repeat(64));
    out.setSize("1 KiB");
    out.setSizeBytes(sizeBytes);
    agg.next().setOutput(out);
    agg.outcome(reason, message, null);
    return agg.build(1, NOW);
  }

  @Test
  void aRemovedJobsResultStands() {
    var failed = new StatusAggregator(statusWith(Reason.BUILD_FAILED, "npm ERR!", null));
    BuildObserver.keepResult(failed, JOB);
    assertThat(failed.reason()).isEqualTo(Reason.BUILD_FAILED);
    assertThat(failed.changed(failed.build(1, NOW.plusSeconds(5)))).isFalse();

    var unknown = new StatusAggregator(statusWith(Reason.SIZE_UNKNOWN, "size failed", null));
    BuildObserver.keepResult(unknown, JOB);
    assertThat(unknown.reason()).isEqualTo(Reason.SIZE_UNKNOWN);
    assertThat(unknown.retryAfter()).contains(ImageMeasurer.BACKOFF.min());
  }

  @Test
  void aRemovedJobAfterAnErrorIsJudgedFromTheData() {
    var measured =
        new StatusAggregator(statusWith(Reason.RECONCILE_ERROR, "forbidden (HTTP 403)", 1024L));
    BuildObserver.keepResult(measured, JOB);
    assertThat(measured.reason()).isEqualTo(Reason.BUILD_SUCCEEDED);

    var unknown = new StatusAggregator(statusWith(Reason.SECRET_NOT_FOUND, "Secret gone", null));
    BuildObserver.keepResult(unknown, JOB);
    assertThat(unknown.reason()).isEqualTo(Reason.BUILD_FAILED);
    assertThat(
            unknown
                .build(1, NOW)
                .condition(dev.leanode.api.v1alpha1.NodeAppImageStatus.READY)
                .orElseThrow()
                .getMessage())
        .contains("leanode.dev/rebuild");
  }
}

package dev.leanode.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Previous status + this round's outcome → next status; patched only when it differs. */
class StatusAggregatorTest {
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  static final Instant T1 = T0.plusSeconds(90);

  static NodeAppImageStatus round(
      NodeAppImageStatus current, Reason reason, String msg, Instant t) {
    var s = new StatusAggregator(current);
    s.outcome(reason, msg, null);
    return s.build(1, t);
  }

  @Test
  void aResourceWithoutStatusIsAlwaysPatched() {
    var s = new StatusAggregator(null);
    s.outcome(Reason.PENDING, null, null);
    assertThat(s.changed(s.build(1, T0))).isTrue();
  }

  @Test
  void theSameOutcomeAgainIsNoPatch() {
    var first = round(null, Reason.BUILD_RUNNING, "Build Job j is running", T0);
    var s = new StatusAggregator(first);
    s.outcome(Reason.BUILD_RUNNING, "Build Job j is running", null);
    assertThat(s.changed(s.build(1, T1))).isFalse();
  }

  @Test
  void aNewMessageIsAPatchButKeepsTheTransitionTime() {
    var first = round(null, Reason.BUILD_RUNNING, "Build Job j is running", T0);
    var s = new StatusAggregator(first);
    s.outcome(Reason.BUILD_FAILED, "npm ERR!", null);
    var next = s.build(1, T1);
    assertThat(s.changed(next)).isTrue();
    // Ready stays False: its lastTransitionTime stays; Building flips True → False: it moves
    assertThat(next.condition(NodeAppImageStatus.READY).orElseThrow().getLastTransitionTime())
        .isEqualTo("2026-12-01T10:00:00Z");
    assertThat(next.condition(NodeAppImageStatus.BUILDING).orElseThrow().getLastTransitionTime())
        .isEqualTo("2026-12-01T10:01:30Z");
  }

  @Test
  void thePreviousStatusIsNotModified() {
    var first = round(null, Reason.BUILD_RUNNING, "running", T0);
    var s = new StatusAggregator(first);
    s.next().setBuild(new NodeAppImageStatus.BuildStatus());
    s.outcome(Reason.BUILD_FAILED, "x", null);
    s.build(2, T1);
    assertThat(first.getBuild()).isNull();
    assertThat(first.getObservedGeneration()).isEqualTo(1L);
    assertThat(s.previous()).isSameAs(first);
  }

  @Test
  void attemptsCountWhileTheReasonRepeatsAndStopAtTheCap() {
    NodeAppImageStatus status = null;
    int[] seen = new int[5];
    for (int i = 0; i < 5; i++) {
      var s = new StatusAggregator(status);
      seen[i] = s.countAttempt(Reason.SECRET_NOT_FOUND, 3);
      s.outcome(Reason.SECRET_NOT_FOUND, "Secret missing", null);
      status = s.build(1, T0);
    }
    assertThat(seen).containsExactly(1, 2, 3, 3, 3);
    assertThat(status.getRetry())
        .isEqualTo(new NodeAppImageStatus.RetryStatus("SecretNotFound", 3));
    // at the cap, another round changes nothing: no patch every 30 s for a missing Secret
    var s = new StatusAggregator(status);
    s.countAttempt(Reason.SECRET_NOT_FOUND, 3);
    s.outcome(Reason.SECRET_NOT_FOUND, "Secret missing", null);
    assertThat(s.changed(s.build(1, T1))).isFalse();
  }

  @Test
  void theRetryCountEndsWithItsReason() {
    var s = new StatusAggregator(null);
    s.countAttempt(Reason.SIZE_UNKNOWN, Integer.MAX_VALUE);
    s.outcome(Reason.SIZE_UNKNOWN, "registry down", null);
    var failing = s.build(1, T0);
    assertThat(failing.getRetry().getAttempt()).isEqualTo(1);

    var healed = round(failing, Reason.BUILD_SUCCEEDED, "Pushed", T1);
    assertThat(healed.getRetry()).isNull();

    // another reason starts from 1
    var s2 = new StatusAggregator(failing);
    assertThat(s2.countAttempt(Reason.SECRET_NOT_FOUND, 10)).isEqualTo(1);
  }

  @Test
  void aKeptOutcomeKeepsReasonMessageAndRetryCount() {
    var s = new StatusAggregator(null);
    s.countAttempt(Reason.SIZE_UNKNOWN, Integer.MAX_VALUE);
    s.outcome(Reason.SIZE_UNKNOWN, "reading its size failed (attempt 1)", null);
    var before = s.build(1, T0);

    var kept = new StatusAggregator(before);
    assertThat(kept.keepFinishedOutcome()).contains(Reason.SIZE_UNKNOWN);
    var next = kept.build(1, T1);
    assertThat(kept.changed(next)).isFalse();
    assertThat(next.getRetry().getAttempt()).isEqualTo(1);
  }

  @Test
  void anErrorSinceIsNotAResultToKeep() {
    var error = round(null, Reason.RECONCILE_ERROR, "secrets is forbidden (HTTP 403)", T0);
    var s = new StatusAggregator(error);
    assertThat(s.keepFinishedOutcome()).isEmpty();
    assertThat(s.reason()).isEqualTo(Reason.PENDING);
  }

  @Test
  void theShortestRetryWins() {
    var s = new StatusAggregator(null);
    assertThat(s.retryAfter()).isEmpty();
    s.retryAfter(Duration.ofMinutes(5));
    s.outcome(Reason.SOURCE_UNAVAILABLE, "down", Duration.ofMinutes(1));
    s.retryAfter(null);
    s.retryAfter(Duration.ofMinutes(2));
    assertThat(s.retryAfter()).contains(Duration.ofMinutes(1));
  }

  @Test
  void backoffDoublesAndSaturates() {
    var b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
    assertThat(b.delay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.delay(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(b.delay(6)).isEqualTo(Duration.ofSeconds(30));
    assertThat(b.saturatesAt()).isEqualTo(6);
  }

  @Test
  void verifiedIsSetKeptAndDroppedAndKeepsItsTransitionTime() {
    var s = new StatusAggregator(null);
    s.outcome(Reason.BUILD_SUCCEEDED, "Pushed", null);
    s.verified(VerifyReason.VERIFYING, "Verify Pod p runs");
    var first = s.build(1, T0);
    assertThat(first.condition(NodeAppImageStatus.VERIFIED).orElseThrow().getStatus())
        .isEqualTo("Unknown");

    s = new StatusAggregator(first);
    s.outcome(Reason.BUILD_SUCCEEDED, "Pushed", null);
    s.verified(VerifyReason.IMAGE_ANSWERED, "answered");
    var passed = s.build(1, T1);
    var v = passed.condition(NodeAppImageStatus.VERIFIED).orElseThrow();
    assertThat(v.getStatus()).isEqualTo("True");
    assertThat(v.getReason()).isEqualTo("ImageAnswered");
    assertThat(v.getLastTransitionTime()).isEqualTo("2026-12-01T10:01:30Z");
    // Ready is about the build and unmoved by Verified
    assertThat(passed.condition(NodeAppImageStatus.READY).orElseThrow().getStatus())
        .isEqualTo("True");

    s = new StatusAggregator(passed);
    s.outcome(Reason.BUILD_RUNNING, "Build Job j2 is running", null);
    s.keepVerified();
    var kept = s.build(1, T1.plusSeconds(60));
    assertThat(kept.condition(NodeAppImageStatus.VERIFIED)).contains(v);

    s = new StatusAggregator(kept);
    s.outcome(Reason.BUILD_RUNNING, "Build Job j2 is running", null);
    var dropped = s.build(1, T1.plusSeconds(90)); // spec.verify removed
    assertThat(dropped.condition(NodeAppImageStatus.VERIFIED)).isEmpty();
  }
}

package dev.leanode.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.status.Reason;
import dev.leanode.status.StatusAggregator;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One Event per change of outcome, not per reconciliation. */
class EventPolicyTest {
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  record Round(NodeAppImageStatus previous, NodeAppImageStatus next, Reason reason) {}

  static Round round(NodeAppImageStatus previous, Reason reason, String message, String job) {
    var s = new StatusAggregator(previous);
    if (job != null) {
      var b = new NodeAppImageStatus.BuildStatus();
      b.setJob(job);
      b.setTrigger("NewCommit");
      s.next().setBuild(b);
    }
    s.outcome(reason, message, null);
    return new Round(s.previous(), s.build(1, NOW), reason);
  }

  static java.util.List<EventPolicy.Notice> notices(Round r, String lost) {
    return EventPolicy.notices(r.previous(), r.next(), r.reason(), lost);
  }

  @Test
  void aNewBuildJobIsAnnouncedOnce() {
    var created = round(null, Reason.BUILD_RUNNING, "Build Job j1 is running", "j1");
    assertThat(notices(created, null))
        .containsExactly(
            new EventPolicy.Notice(
                false, "BuildStarted", "Created build Job j1 (trigger NewCommit)"));
    var again = round(created.next(), Reason.BUILD_RUNNING, "Build Job j1 is running", "j1");
    assertThat(notices(again, null)).isEmpty();
  }

  @Test
  void aLostJobIsAWarningNextToTheNewStart() {
    var running = round(null, Reason.BUILD_RUNNING, "Build Job j1 is running", "j1");
    var recreated =
        round(
            running.next(), Reason.BUILD_RUNNING, "Build Job j1 is running (attempt 2 of 2)", "j1");
    assertThat(notices(recreated, "lost it"))
        .containsExactly(new EventPolicy.Notice(true, EventPolicy.JOB_LOST, "lost it"));
  }

  @Test
  void warningsOnceEachAndAgainWhenTheirMessageChanges() {
    var missing = round(null, Reason.SECRET_NOT_FOUND, "Secret a not found", null);
    assertThat(notices(missing, null))
        .containsExactly(new EventPolicy.Notice(true, "SecretNotFound", "Secret a not found"));
    var same = round(missing.next(), Reason.SECRET_NOT_FOUND, "Secret a not found", null);
    assertThat(notices(same, null)).isEmpty();
    var other = round(missing.next(), Reason.SECRET_NOT_FOUND, "Secret a malformed", null);
    assertThat(notices(other, null)).hasSize(1);
  }

  @Test
  void sizeRetriesAreOneWarningNotOnePerAttempt() {
    var first = round(null, Reason.SIZE_UNKNOWN, "size failed (attempt 1)", null);
    assertThat(notices(first, null)).hasSize(1);
    var second = round(first.next(), Reason.SIZE_UNKNOWN, "size failed (attempt 2)", null);
    assertThat(notices(second, null)).isEmpty();
  }

  @Test
  void aFinishedBuildIsCountedOnceWithItsOutcome() {
    var running = round(null, Reason.BUILD_RUNNING, "running", "j1");
    var failed = round(running.next(), Reason.BUILD_FAILED, "npm ERR!", "j1");
    assertThat(EventPolicy.finishedBuild(failed.previous(), failed.next(), failed.reason()))
        .isEqualTo(Optional.of("failed"));
    var again = round(failed.next(), Reason.BUILD_FAILED, "npm ERR!", "j1");
    assertThat(EventPolicy.finishedBuild(again.previous(), again.next(), again.reason())).isEmpty();
    // never running (e.g. a TTL-removed build seen after a restart): not a finished build
    var kept = round(null, Reason.BUILD_SUCCEEDED, "Pushed", "j1");
    assertThat(EventPolicy.finishedBuild(kept.previous(), kept.next(), kept.reason())).isEmpty();
  }

  static Round sized(NodeAppImageStatus previous, String digest, long size, long budget) {
    var s = new StatusAggregator(previous);
    var out = new NodeAppImageStatus.OutputStatus();
    out.setDigest(digest);
    out.setSizeBytes(size);
    s.next().setOutput(out);
    s.outcome(Reason.BUILD_SUCCEEDED, "Pushed " + digest, null);
    s.sizeBudget(Long.toString(budget), budget);
    return new Round(s.previous(), s.build(1, NOW), Reason.BUILD_SUCCEEDED);
  }

  @Test
  void anImageOverBudgetIsOneWarningPerImage() {
    var over = sized(null, "sha256:a", 200, 100);
    assertThat(notices(over, null))
        .filteredOn(n -> n.reason().equals("SizeBudgetExceeded"))
        .singleElement()
        .satisfies(n -> assertThat(n.warning()).isTrue());
    var again = sized(over.next(), "sha256:a", 200, 100);
    assertThat(notices(again, null))
        .extracting(EventPolicy.Notice::reason)
        .doesNotContain("SizeBudgetExceeded");
    var nextImage = sized(again.next(), "sha256:b", 210, 100);
    assertThat(notices(nextImage, null))
        .extracting(EventPolicy.Notice::reason)
        .contains("SizeBudgetExceeded");
    var within = sized(nextImage.next(), "sha256:c", 90, 100);
    assertThat(notices(within, null))
        .extracting(EventPolicy.Notice::reason)
        .doesNotContain("SizeBudgetExceeded");
  }
}

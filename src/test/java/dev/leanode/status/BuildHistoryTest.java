package dev.leanode.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.api.v1alpha1.NodeAppImageStatus.BuildRecord;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Why a build ran, and the bounded newest-first record of builds. */
class BuildHistoryTest {
  static BuildRecord rec(String job, long generation, String commit, String base, String rebuild) {
    var r = new BuildRecord();
    r.setJob(job);
    r.setGeneration(generation);
    r.setCommit(commit);
    r.setBaseImageDigest(base);
    r.setRebuild(rebuild);
    return r;
  }

  @Test
  void theTriggerIsTheFirstInputThatDiffersFromTheLastBuild() {
    var last = rec("a-1", 1, "c1", "d1", null);
    assertThat(Trigger.decide(null, last)).isEqualTo(Trigger.CREATED);
    assertThat(Trigger.decide(last, rec("a-2", 2, "c2", "d2", null)))
        .isEqualTo(Trigger.SPEC_CHANGED);
    assertThat(Trigger.decide(last, rec("a-2", 1, "c1", "d1", "2026-12-02")))
        .isEqualTo(Trigger.REBUILD_REQUESTED);
    assertThat(Trigger.decide(last, rec("a-2", 1, "c2", "d2", null))).isEqualTo(Trigger.NEW_COMMIT);
    assertThat(Trigger.decide(last, rec("a-2", 1, "c1", "d2", null)))
        .isEqualTo(Trigger.BASE_IMAGE_UPDATED);
    // an annotation that stayed is no new request; what remains is an operator setting
    var withAnnotation = rec("a-1", 1, "c1", "d1", "x");
    assertThat(Trigger.decide(withAnnotation, rec("a-2", 1, "c1", "d1", "x")))
        .isEqualTo(Trigger.SPEC_CHANGED);
  }

  @Test
  void startsGoFirstAreBoundedAndSupersedeARunningOne() {
    var status = new NodeAppImageStatus();
    assertThat(BuildHistory.started(status, rec("a-1", 1, "c1", "d1", null), 2))
        .isEqualTo(Trigger.CREATED);
    assertThat(BuildHistory.started(status, rec("a-2", 1, "c2", "d1", null), 2))
        .isEqualTo(Trigger.NEW_COMMIT);
    assertThat(status.getHistory())
        .extracting(BuildRecord::getJob, BuildRecord::getOutcome, BuildRecord::getTrigger)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a-2", "Running", "NewCommit"),
            org.assertj.core.groups.Tuple.tuple("a-1", "Superseded", "Created"));
    assertThat(BuildHistory.started(status, rec("a-3", 1, "c2", "d2", null), 2))
        .isEqualTo(Trigger.BASE_IMAGE_UPDATED);
    assertThat(status.getHistory()).extracting(BuildRecord::getJob).containsExactly("a-3", "a-2");
    assertThat(BuildHistory.size(0)).isEqualTo(1);
  }

  @Test
  void aLostJobCreatedAgainKeepsItsRecordAndTrigger() {
    var status = new NodeAppImageStatus();
    BuildHistory.started(status, rec("a-1", 1, "c1", "d1", null), 3);
    BuildHistory.started(status, rec("a-2", 1, "c2", "d1", null), 3);
    assertThat(BuildHistory.started(status, rec("a-2", 1, "c2", "d1", null), 3))
        .isEqualTo(Trigger.NEW_COMMIT);
    assertThat(status.getHistory()).extracting(BuildRecord::getJob).containsExactly("a-2", "a-1");
  }

  @Test
  void theRecordFollowsItsJobToTheResult() {
    var status = new NodeAppImageStatus();
    BuildHistory.started(status, rec("a-1", 1, "c1", "d1", null), 3);
    var build = new NodeAppImageStatus.BuildStatus();
    build.setJob("a-1");
    build.setStartTime("2026-12-02T07:00:00Z");
    status.setBuild(build);
    BuildHistory.update(status, Reason.BUILD_RUNNING);
    assertThat(status.getHistory().get(0).getStartTime()).isEqualTo("2026-12-02T07:00:00Z");
    BuildHistory.update(status, Reason.QUEUED); // says nothing about this Job
    assertThat(status.getHistory().get(0).getOutcome()).isEqualTo("Running");

    build.setCompletionTime("2026-12-02T07:01:00Z");
    var out = new NodeAppImageStatus.OutputStatus();
    out.setDigest("sha256:" + "e".repeat(64));
    out.setSizeBytes(42L);
    status.setOutput(out);
    BuildHistory.update(status, Reason.BUILD_SUCCEEDED);
    var r = status.getHistory().get(0);
    assertThat(r.getOutcome()).isEqualTo("Succeeded");
    assertThat(r.getDigest()).isEqualTo(out.getDigest());
    assertThat(r.getSizeBytes()).isEqualTo(42L);
    assertThat(r.getCompletionTime()).isEqualTo("2026-12-02T07:01:00Z");
  }

  @Test
  void theSameInputsBuiltAgainAfterTheirBuildEndedAreANewRecord() {
    var status = new NodeAppImageStatus();
    BuildHistory.started(status, rec("a-1", 1, "c1", "d1", null), 3);
    BuildHistory.suspended(status, "a-1", Instant.parse("2026-12-02T07:02:00Z"));
    assertThat(BuildHistory.started(status, rec("a-1", 3, "c1", "d1", null), 3))
        .isEqualTo(Trigger.SPEC_CHANGED);
    var build = new NodeAppImageStatus.BuildStatus();
    build.setJob("a-1");
    build.setCompletionTime("2026-12-02T07:05:00Z");
    status.setBuild(build);
    BuildHistory.update(status, Reason.BUILD_SUCCEEDED);
    assertThat(status.getHistory())
        .extracting(BuildRecord::getOutcome)
        .containsExactly("Succeeded", "Suspended");
  }

  @Test
  void aSuspendedBuildEndsSuspended() {
    var status = new NodeAppImageStatus();
    BuildHistory.started(status, rec("a-1", 1, "c1", "d1", null), 3);
    BuildHistory.suspended(status, "a-1", Instant.parse("2026-12-02T07:02:00.5Z"));
    assertThat(status.getHistory().get(0).getOutcome()).isEqualTo("Suspended");
    assertThat(status.getHistory().get(0).getCompletionTime()).isEqualTo("2026-12-02T07:02:00Z");
  }
}

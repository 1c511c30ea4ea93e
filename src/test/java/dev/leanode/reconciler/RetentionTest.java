package dev.leanode.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionTest {
  static Job job(String name, String created, String completed) {
    var b =
        new JobBuilder()
            .withNewMetadata()
            .withName(name)
            .withCreationTimestamp(created)
            .endMetadata();
    if (completed != null) {
      b.withNewStatus()
          .withCompletionTime(completed)
          .addNewCondition()
          .withType("Complete")
          .withStatus("True")
          .endCondition()
          .endStatus();
    }
    return b.build();
  }

  @Test
  void keepsTheNewestFinishedBuildsAndNeverTheCurrentOrARunningOne() {
    var jobs =
        List.of(
            job("a", "2026-12-01T10:00:00Z", "2026-12-01T10:05:00Z"),
            job("b", "2026-12-01T11:00:00Z", "2026-12-01T11:05:00Z"),
            job("c", "2026-12-01T12:00:00Z", "2026-12-01T12:05:00Z"),
            job("running", "2026-12-01T09:00:00Z", null),
            job("current", "2026-12-01T13:00:00Z", "2026-12-01T13:05:00Z"));
    // keep 3 = current + the two newest finished others
    assertThat(Retention.beyond(jobs, "current", 3)).containsExactly("a");
    assertThat(Retention.beyond(jobs, "current", 1)).containsExactly("c", "b", "a");
    assertThat(Retention.beyond(jobs, "current", 10)).isEmpty();
  }

  @Test
  void jobsCreatedInTheSameSecondAreOrderedByWhenTheyFinished() {
    var jobs =
        List.of(
            job("late", "2026-12-01T10:00:00Z", "2026-12-01T10:09:00Z"),
            job("early", "2026-12-01T10:00:00Z", "2026-12-01T10:01:00Z"),
            job("current", "2026-12-01T10:00:00Z", null));
    assertThat(Retention.beyond(jobs, "current", 2)).containsExactly("early");
  }
}

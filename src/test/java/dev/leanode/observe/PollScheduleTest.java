package dev.leanode.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.GitSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Per-resource poll slots: stable, within the interval, and spread over it. */
class PollScheduleTest {
  static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

  @Test
  void aResourceKeepsItsSlotWhenReconciledAtOtherTimes() {
    Instant t0 = Instant.parse("2026-12-02T07:00:00Z");
    Instant slot = t0.plus(PollSchedule.next("team/app", FIVE_MINUTES, t0));
    for (int s = 0; s < 300; s += 17) {
      Instant now = t0.plusSeconds(s);
      if (now.isBefore(slot)) {
        assertThat(now.plus(PollSchedule.next("team/app", FIVE_MINUTES, now))).isEqualTo(slot);
      }
    }
    // at the slot itself the next one is a whole interval later
    assertThat(PollSchedule.next("team/app", FIVE_MINUTES, slot)).isEqualTo(FIVE_MINUTES);
  }

  @Test
  void aThousandResourcesCreatedInTheSameSecondSpreadOverTheInterval() {
    Instant now = Instant.parse("2026-12-02T07:00:00Z");
    int[] perSecond = new int[300];
    for (int i = 0; i < 1000; i++) {
      Duration d = PollSchedule.next("ns-" + (i % 10) + "/app-" + i, FIVE_MINUTES, now);
      assertThat(d).isPositive().isLessThanOrEqualTo(FIVE_MINUTES);
      perSecond[(int) ((d.toMillis() - 1) / 1000)]++;
    }
    int max = 0;
    int empty = 0;
    int[] perMinute = new int[5];
    for (int s = 0; s < 300; s++) {
      max = Math.max(max, perSecond[s]);
      empty += perSecond[s] == 0 ? 1 : 0;
      perMinute[s / 60] += perSecond[s];
    }
    // uniform would be 3.3 a second: no second carries more than a handful, none of the minutes
    // more than a quarter (all at once would be 1000 in one second)
    assertThat(max).isLessThanOrEqualTo(12);
    assertThat(empty).isLessThan(60);
    for (int m : perMinute) {
      assertThat(m).isBetween(150, 250);
    }
  }

  @Test
  void gitIntervalsDefaultTo5mAndZeroOrAFullShaNeverPoll() {
    var git = new GitSource();
    git.setUrl("https://git.example.com/a.git");
    assertThat(PollSchedule.gitInterval(git)).contains(FIVE_MINUTES);
    git.setPollInterval("30s");
    assertThat(PollSchedule.gitInterval(git)).contains(Duration.ofSeconds(30));
    git.setPollInterval("1h30m");
    assertThat(PollSchedule.gitInterval(git)).contains(Duration.ofMinutes(90));
    git.setPollInterval("0");
    assertThat(PollSchedule.gitInterval(git)).isEqualTo(Optional.empty());
    git.setPollInterval("1m");
    git.setRevision("3f786850e387550fdab836ed7e6dc881de23001b");
    assertThat(PollSchedule.gitInterval(git)).isEqualTo(Optional.empty());
    git.setRevision("main");
    assertThat(PollSchedule.gitInterval(git)).contains(Duration.ofMinutes(1));
  }
}

package dev.leanode.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BuildSlotsTest {
  @Test
  void unlimitedWhenZero() {
    var slots = new BuildSlots(0);
    for (int i = 0; i < 100; i++) {
      assertThat(slots.tryReserve("ns/j" + i, Stream.empty())).isTrue();
    }
  }

  @Test
  void reservationsCountUntilTheCacheShowsTheJobs() {
    var slots = new BuildSlots(2);
    assertThat(slots.tryReserve("ns/a", Stream.empty())).isTrue();
    assertThat(slots.tryReserve("ns/b", Stream.empty())).isTrue();
    // the cache has not seen a or b yet: both still count
    assertThat(slots.tryReserve("ns/c", Stream.empty())).isFalse();
    // asking again for a reserved Job is not a second slot
    assertThat(slots.tryReserve("ns/a", Stream.empty())).isTrue();
    // the cache now shows a running and b finished: one slot frees up
    slots.release(k -> false);
    assertThat(slots.tryReserve("ns/c", Stream.of("ns/a"))).isTrue();
    assertThat(slots.tryReserve("ns/d", Stream.of("ns/a"))).isFalse();
  }

  /** A clock the test moves by hand. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-12-01T10:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void aRefusedCreateFreesItsSlotAtOnce() {
    var slots = new BuildSlots(1);
    assertThat(slots.tryReserve("ns/a", Stream.empty())).isTrue();
    assertThat(slots.tryReserve("ns/b", Stream.empty())).isFalse();
    slots.release("ns/a"); // the API server answered 403
    assertThat(slots.reservedCount()).isZero();
    assertThat(slots.tryReserve("ns/b", Stream.empty())).isTrue();
  }

  @Test
  void aReservationWhoseJobNeverAppearsExpires() {
    var clock = new TestClock();
    var slots = new BuildSlots(1, clock, Duration.ofMinutes(2));
    assertThat(slots.tryReserve("ns/a", Stream.empty())).isTrue();
    // the cache never shows ns/a: it stays pending, and holds the slot for a while
    slots.release(k -> true);
    clock.now = clock.now.plusSeconds(119);
    assertThat(slots.tryReserve("ns/b", Stream.empty())).isFalse();
    clock.now = clock.now.plusSeconds(2);
    assertThat(slots.tryReserve("ns/b", Stream.empty())).isTrue();
    assertThat(slots.reservedCount()).isEqualTo(1);
  }

  @Test
  void queuedWhileTheCacheShowsTheLimitRunning() {
    var slots = new BuildSlots(2);
    assertThat(slots.tryReserve("ns/c", Stream.of("ns/a", "ns/b"))).isFalse();
    assertThat(slots.reservedCount()).isZero();
    // a Job already running is not a second slot for itself
    assertThat(slots.tryReserve("ns/a", Stream.of("ns/a", "ns/b"))).isTrue();
    assertThat(slots.tryReserve("ns/c", Stream.of("ns/a"))).isTrue();
  }
}

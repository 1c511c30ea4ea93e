package dev.leanode.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

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
}

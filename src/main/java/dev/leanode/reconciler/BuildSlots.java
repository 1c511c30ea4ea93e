package dev.leanode.reconciler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Operator-wide limit of running build Jobs ({@code leanode.build.max-concurrent-builds}). The
 * informer cache lags behind our own creates, so Jobs we created but the cache has not shown yet
 * count too; the check and the reservation happen under one lock so that concurrent reconciliations
 * cannot overshoot the limit. A reservation ends when the cache shows its Job, when the create
 * failed ({@link #release(String)}), or after {@link #DEFAULT_TTL} at the latest: a slot is never
 * held by a Job that does not exist.
 */
public class BuildSlots {
  /** Far longer than an informer takes to show a Job we created; short enough to heal a leak. */
  static final Duration DEFAULT_TTL = Duration.ofMinutes(2);

  private final int max;
  private final Clock clock;
  private final Duration ttl;
  private final Map<String, Instant> reserved = new HashMap<>();

  public BuildSlots(int max) {
    this(max, Clock.systemUTC(), DEFAULT_TTL);
  }

  BuildSlots(int max, Clock clock, Duration ttl) {
    this.max = max;
    this.clock = clock;
    this.ttl = ttl;
  }

  public int max() {
    return max;
  }

  /**
   * Reserves a slot for the Job {@code key} (namespace/name) if fewer than {@code max} builds run.
   *
   * @param activeJobKeys keys of Jobs the cache shows as not finished
   */
  public synchronized boolean tryReserve(String key, Stream<String> activeJobKeys) {
    if (max <= 0) {
      return true;
    }
    expire();
    Set<String> all = new HashSet<>();
    activeJobKeys.forEach(all::add);
    all.addAll(reserved.keySet());
    if (all.contains(key)) {
      return true;
    }
    if (all.size() >= max) {
      return false;
    }
    reserved.put(key, clock.instant());
    return true;
  }

  /**
   * Keeps only the reservations whose Job the cache does not show yet ({@code stillPending}) and
   * that have not expired; the others are counted by the cache now, or finished.
   */
  public synchronized void release(Predicate<String> stillPending) {
    reserved.keySet().removeIf(k -> !stillPending.test(k));
    expire();
  }

  /** The Job of {@code key} could not be created: its slot is free again. */
  public synchronized void release(String key) {
    reserved.remove(key);
  }

  public synchronized int reservedCount() {
    expire();
    return reserved.size();
  }

  private void expire() {
    Instant oldest = clock.instant().minus(ttl);
    reserved.values().removeIf(at -> at.isBefore(oldest));
  }
}

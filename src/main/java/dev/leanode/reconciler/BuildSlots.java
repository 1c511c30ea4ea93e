package dev.leanode.reconciler;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Operator-wide limit of running build Jobs ({@code leanode.build.max-concurrent-builds}). The
 * informer cache lags behind our own creates, so Jobs we created but the cache has not shown yet
 * count too; the check and the reservation happen under one lock so that concurrent reconciliations
 * cannot overshoot the limit.
 */
public class BuildSlots {
  private final int max;
  private final Set<String> reserved = new HashSet<>();

  public BuildSlots(int max) {
    this.max = max;
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
    Set<String> active = new HashSet<>();
    activeJobKeys.forEach(active::add);
    // a reservation is dropped once the cache shows the Job (it is then counted as active)
    // or once the Job has finished; see release()
    Set<String> all = new HashSet<>(active);
    all.addAll(reserved);
    if (all.contains(key)) {
      return true;
    }
    if (all.size() >= max) {
      return false;
    }
    reserved.add(key);
    return true;
  }

  /** Forget reservations the cache now accounts for (or that finished). */
  public synchronized void release(Predicate<String> stillPending) {
    reserved.removeIf(k -> !stillPending.test(k));
  }

  public synchronized int reservedCount() {
    return reserved.size();
  }
}

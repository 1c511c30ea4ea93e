package dev.leanode.status;

import java.time.Duration;

/**
 * Exponential backoff from {@code min}, doubling per attempt, capped at {@code max}. The attempt
 * number comes from {@code status.retry}, so a restarted operator continues where it was.
 */
public record Backoff(Duration min, Duration max) {

  /** The delay after the {@code attempt}-th failure (1-based). */
  public Duration delay(int attempt) {
    long seconds = min.toSeconds() << Math.min(Math.max(attempt, 1) - 1, 20);
    return Duration.ofSeconds(Math.min(seconds, max.toSeconds()));
  }

  /** The first attempt whose delay is {@code max}: counting further changes nothing. */
  public int saturatesAt() {
    int attempt = 1;
    while (delay(attempt).compareTo(max) < 0) {
      attempt++;
    }
    return attempt;
  }
}

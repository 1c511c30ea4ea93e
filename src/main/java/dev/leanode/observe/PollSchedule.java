package dev.leanode.observe;

import dev.leanode.api.v1alpha1.GitSource;
import dev.leanode.validation.SpecValidator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * When a resource looks at something it cannot watch again (its git branch, its base image's tag).
 * Each resource polls at its own fixed offset within the interval, taken from a hash of its
 * namespace/name: 1,000 resources created (or an operator restarted) in the same second spread
 * evenly over the interval instead of asking the git server or the registry all at once, and a
 * reconciliation triggered by something else does not move a resource's slot. Pure.
 */
public final class PollSchedule {
  /** spec.source.git.pollInterval when unset. */
  public static final Duration DEFAULT_GIT_POLL = Duration.ofMinutes(5);

  private static final Pattern FULL_SHA = Pattern.compile("^[0-9a-fA-F]{40}$");

  private PollSchedule() {}

  /**
   * The delay from {@code now} to this resource's next slot: the first instant after {@code now} at
   * which {@code (instant + offset(key)) mod interval = 0}. Between 1 ms and {@code interval}.
   */
  public static Duration next(String key, Duration interval, Instant now) {
    long period = interval.toMillis();
    if (period <= 0) {
      throw new IllegalArgumentException("interval must be positive: " + interval);
    }
    long phase = Math.floorMod(now.toEpochMilli() + offsetMillis(key, interval), period);
    return Duration.ofMillis(period - phase);
  }

  /** This resource's fixed offset within the interval (uniform over keys). */
  static long offsetMillis(String key, Duration interval) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (h[i] & 0xff);
      }
      return Math.floorMod(v, interval.toMillis());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * How often this git source is resolved again: its pollInterval (default 5m); empty for {@code 0}
   * and for a full commit SHA (it cannot move).
   */
  public static Optional<Duration> gitInterval(GitSource git) {
    if (git.getRevision() != null && FULL_SHA.matcher(git.getRevision()).matches()) {
      return Optional.empty();
    }
    String value = git.getPollInterval();
    if (value == null || value.isEmpty()) {
      return Optional.of(DEFAULT_GIT_POLL);
    }
    if (value.equals("0")) {
      return Optional.empty();
    }
    Duration d = SpecValidator.parseTimeout(value);
    return d == null || d.isZero() ? Optional.empty() : Optional.of(d);
  }
}

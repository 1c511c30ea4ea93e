package dev.leanode.build;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of Go durations spec.build.timeout allows: {@code 1h30m}, {@code 20m}, {@code 90s}.
 */
final class GoDuration {
  private static final Pattern FORMAT =
      Pattern.compile("^(?:([0-9]{1,4})h)?(?:([0-9]{1,5})m)?(?:([0-9]{1,6})s)?$");

  private GoDuration() {}

  static Duration parse(String field, String value) {
    Matcher m = FORMAT.matcher(value);
    if (value.isEmpty() || !m.matches()) {
      throw new IllegalArgumentException(
          field + " must be a duration like 1h30m, 20m or 90s: '" + value + "'");
    }
    Duration d = Duration.ofHours(group(m, 1)).plusMinutes(group(m, 2)).plusSeconds(group(m, 3));
    if (d.isZero()) {
      throw new IllegalArgumentException(field + " must be longer than 0s");
    }
    return d;
  }

  private static long group(Matcher m, int i) {
    return m.group(i) == null ? 0 : Long.parseLong(m.group(i));
  }
}

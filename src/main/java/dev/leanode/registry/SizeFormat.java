package dev.leanode.registry;

import java.util.Locale;

/** Byte counts for people: IEC units (KiB = 1024 B) with one decimal. */
public final class SizeFormat {

  private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private SizeFormat() {}

  /** {@code 54634123 → "52.1 MiB"}, {@code 1023 → "1023 B"}, {@code 1024 → "1.0 KiB"}. */
  public static String human(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative size: " + bytes);
    }
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    int unit = -1;
    // promote while the one-decimal rounding would print 1024.0 of the smaller unit
    while (unit < UNITS.length - 1 && Math.round(value * 10) >= 1024 * 10) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }
}

package dev.leanode.cli;

import dev.leanode.registry.SizeFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code leanode get}'s table: NAME, READY, IMAGE, SIZE, SAVED (vs the single-stage build, where
 * compared), LAST BUILD (its duration), TRIGGER (only when some resource records one), AGE; with
 * {@code -A} a NAMESPACE column first.
 */
final class SummaryTable {
  private SummaryTable() {}

  static String render(List<ImageSummary> items, boolean allNamespaces, Instant now) {
    boolean triggers = items.stream().anyMatch(i -> i.trigger() != null);
    List<String> headers = new ArrayList<>();
    if (allNamespaces) {
      headers.add("NAMESPACE");
    }
    headers.addAll(List.of("NAME", "READY", "IMAGE", "SIZE", "SAVED", "LAST BUILD"));
    if (triggers) {
      headers.add("TRIGGER");
    }
    headers.add("AGE");
    Table t = new Table(headers);
    for (ImageSummary i : items) {
      List<String> cells = new ArrayList<>();
      if (allNamespaces) {
        cells.add(i.namespace());
      }
      cells.add(i.name());
      cells.add(i.ready() == null ? "Unknown" : i.ready());
      cells.add(i.image());
      cells.add(i.size());
      cells.add(saved(i));
      cells.add(
          i.lastBuildSeconds() == null ? null : human(Duration.ofSeconds(i.lastBuildSeconds())));
      if (triggers) {
        cells.add(i.trigger());
      }
      cells.add(
          i.created() == null ? null : human(Duration.between(Instant.parse(i.created()), now)));
      t.row(cells);
    }
    return t.render();
  }

  /** {@code 24.1 MiB (30.6%)} when a single-stage build was compared, else nothing. */
  static String saved(ImageSummary i) {
    if (i.savedBytes() == null) {
      return null;
    }
    String pct =
        i.savedPercent() == null ? "" : String.format(Locale.ROOT, " (%.1f%%)", i.savedPercent());
    return SizeFormat.human(i.savedBytes()) + pct;
  }

  /** kubectl's short durations (k8s.io/apimachinery duration.HumanDuration). */
  static String human(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 120) {
      return s + "s";
    }
    long m = s / 60;
    if (m < 10) {
      return m + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
    }
    if (m < 180) {
      return m + "m";
    }
    long h = m / 60;
    if (h < 8) {
      return h + "h" + (m % 60 == 0 ? "" : (m % 60) + "m");
    }
    if (h < 48) {
      return h + "h";
    }
    long days = h / 24;
    if (days < 8) {
      return days + "d" + (h % 24 == 0 ? "" : (h % 24) + "h");
    }
    if (days < 365 * 2) {
      return days + "d";
    }
    long years = days / 365;
    return years < 8 ? years + "y" + (days % 365 == 0 ? "" : (days % 365) + "d") : years + "y";
  }
}

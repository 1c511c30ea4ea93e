package dev.leanode.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.w3c.dom.Element;

/**
 * The leanness benchmark's picture: per reference app one bar per variant — seed single-stage, seed
 * multi-stage, Leanode, fly.io's generator (the anchor), the floor — compressed MiB, the shared
 * base image and the app's own layers stacked. Written from the benchmark's results ({@code
 * bench/leanness.sh} passes its results TSV) or from the raw table committed in docs/benchmarks.md
 * (the same rows), so the chart in the README is never drawn by hand.
 *
 * <p>{@code java -cp target/test-classes dev.leanode.bench.LeannessChart (--tsv FILE | --markdown
 * docs/benchmarks.md) OUT.svg}
 */
public final class LeannessChart {
  static final double MIB = 1024.0 * 1024.0;

  /** The variants in the benchmark's order, with their labels and colours. */
  enum Variant {
    single_stage("seed single-stage", "#d9534f"),
    seed_multi_stage("seed multi-stage", "#f0ad4e"),
    leanode("Leanode", "#2e8b57"),
    fly("fly.io generator (anchor)", "#4a7fd6"),
    floor("floor (deps + runtime files)", "#555555");

    final String label;
    final String color;

    Variant(String label, String color) {
      this.label = label;
      this.color = color;
    }
  }

  static final String BASE_COLOR = "#c7ccd4";

  /**
   * One result row of the benchmark.
   *
   * @param status {@code ok}, {@code builds, app broken: …} (measured) or why it did not build
   * @param compressed image bytes, compressed, or -1 when not measured
   * @param appCompressed bytes above the base image, compressed, or -1
   */
  record Row(String app, String variant, String status, long compressed, long appCompressed) {
    boolean measured() {
      return compressed >= 0 && appCompressed >= 0;
    }

    double mib() {
      return compressed / MIB;
    }

    double appMib() {
      return appCompressed / MIB;
    }

    double baseMib() {
      return (compressed - appCompressed) / MIB;
    }
  }

  // layout (px)
  static final double LEFT = 64;
  static final double TOP = 92;
  static final double PLOT_HEIGHT = 300;
  static final double BOTTOM = 56;
  static final double BAR = 17;
  static final double BAR_GAP = 3;
  static final double GROUP_GAP = 26;

  private LeannessChart() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3 || !(args[0].equals("--tsv") || args[0].equals("--markdown"))) {
      System.err.println(
          "usage: LeannessChart (--tsv FILE | --markdown docs/benchmarks.md) OUT.svg");
      System.exit(2);
    }
    String in = Files.readString(Path.of(args[1]));
    List<Row> rows = args[0].equals("--tsv") ? fromTsv(in) : fromMarkdown(in);
    Files.writeString(Path.of(args[2]), svg(rows));
    System.err.println("wrote " + args[2] + " (" + rows.size() + " results)");
  }

  /** The results TSV: app, variant, status, compressed B, uncompressed B, app compressed B, … */
  static List<Row> fromTsv(String tsv) {
    List<Row> rows = new ArrayList<>();
    for (String line : tsv.split("\n")) {
      if (!line.isBlank()) {
        rows.add(row(line.split("\t", -1)));
      }
    }
    return rows;
  }

  /** The "Raw bytes (results TSV)" table of docs/benchmarks.md: the same columns. */
  static List<Row> fromMarkdown(String md) {
    int start = md.indexOf("Raw bytes (results TSV)");
    if (start < 0) {
      throw new IllegalArgumentException("no 'Raw bytes (results TSV)' table");
    }
    List<Row> rows = new ArrayList<>();
    for (String line : md.substring(start).split("\n")) {
      if (line.startsWith("</details>")) {
        break;
      }
      if (!line.startsWith("| ") || line.startsWith("| app |")) {
        continue;
      }
      String[] cells = line.substring(2, line.length() - 2).split(" \\| ", -1);
      rows.add(row(cells));
    }
    return rows;
  }

  private static Row row(String[] f) {
    if (f.length < 6) {
      throw new IllegalArgumentException("a result row has 10 fields: " + String.join("|", f));
    }
    return new Row(f[0].trim(), f[1].trim(), f[2].trim(), bytes(f[3]), bytes(f[5]));
  }

  private static long bytes(String s) {
    String t = s.trim();
    return t.isEmpty() || t.equals("-") ? -1 : Long.parseLong(t);
  }

  /** The y axis' top: the largest image rounded up to 10 MiB. */
  static double axisMax(List<Row> rows) {
    double max = rows.stream().filter(Row::measured).mapToDouble(Row::mib).max().orElse(10);
    return Math.ceil(max / 10) * 10;
  }

  /** Pixels per MiB. */
  static double scale(List<Row> rows) {
    return PLOT_HEIGHT / axisMax(rows);
  }

  static String svg(List<Row> rows) {
    List<String> apps = new ArrayList<>(new LinkedHashSet<>(rows.stream().map(Row::app).toList()));
    Variant[] variants = Variant.values();
    double groupWidth = variants.length * (BAR + BAR_GAP) - BAR_GAP;
    double width = LEFT + apps.size() * (groupWidth + GROUP_GAP) + 8;
    double height = TOP + PLOT_HEIGHT + BOTTOM;
    double max = axisMax(rows);
    double px = scale(rows);
    double baseline = TOP + PLOT_HEIGHT;

    Svg svg = new Svg(width, height);
    Element root = svg.root();
    svg.rect(root, 0, 0, width, height, "#ffffff");
    svg.text(
        root,
        LEFT,
        22,
        "Image size per reference app: compressed MiB, shared base + the app's own layers",
        14,
        "start");

    // legend: the base, then one swatch per variant
    Element legend = svg.group(root, "legend");
    double lx = LEFT;
    double ly = 40;
    List<String[]> entries = new ArrayList<>();
    entries.add(new String[] {"base image (the same in every variant)", BASE_COLOR});
    for (Variant v : variants) {
      entries.add(new String[] {v.label + ": app layers", v.color});
    }
    for (int i = 0; i < entries.size(); i++) {
      double x = lx + (i % 3) * 250;
      double y = ly + (i / 3) * 18;
      svg.rect(legend, x, y, 11, 11, entries.get(i)[1]);
      svg.text(legend, x + 16, y + 10, entries.get(i)[0], 11, "start");
    }

    // y axis: a line and a label every 10 MiB
    Element axis = svg.group(root, "axis");
    for (int mib = 0; mib <= max; mib += 10) {
      double y = baseline - mib * px;
      svg.line(axis, LEFT - 4, y, width - 8, y, mib == 0 ? "#333333" : "#e3e6ea");
      svg.text(axis, LEFT - 8, y + 4, Integer.toString(mib), 10, "end");
    }
    Element unit = svg.text(axis, 16, TOP + PLOT_HEIGHT / 2, "MiB (compressed)", 11, "middle");
    unit.setAttribute("transform", "rotate(-90 16 " + Svg.num(TOP + PLOT_HEIGHT / 2) + ")");

    for (int a = 0; a < apps.size(); a++) {
      String app = apps.get(a);
      double gx = LEFT + GROUP_GAP / 2 + a * (groupWidth + GROUP_GAP);
      svg.text(root, gx + groupWidth / 2, baseline + 18, app, 11, "middle");
      for (int i = 0; i < variants.length; i++) {
        Variant v = variants[i];
        double x = gx + i * (BAR + BAR_GAP);
        Optional<Row> r = find(rows, app, v.name());
        if (r.isEmpty()) {
          continue;
        }
        Row row = r.get();
        Element g = svg.group(root, row.measured() ? "bar" : "bar-missing");
        g.setAttribute("data-app", app);
        g.setAttribute("data-variant", v.name());
        if (!row.measured()) {
          svg.title(g, app + ", " + v.label + ": " + row.status());
          svg.text(g, x + BAR / 2, baseline - 4, "✕", 12, "middle").setAttribute("fill", v.color);
          continue;
        }
        g.setAttribute("data-compressed-bytes", Long.toString(row.compressed()));
        g.setAttribute("data-app-compressed-bytes", Long.toString(row.appCompressed()));
        svg.title(
            g,
            String.format(
                Locale.ROOT,
                "%s, %s: %.1f MiB (base %.1f MiB + app %.2f MiB)%s",
                app,
                v.label,
                row.mib(),
                row.baseMib(),
                row.appMib(),
                row.status().equals("ok") ? "" : " — " + row.status()));
        double baseH = row.baseMib() * px;
        double appH = row.appMib() * px;
        svg.rect(g, x, baseline - baseH, BAR, baseH, BASE_COLOR).setAttribute("class", "base");
        svg.rect(g, x, baseline - baseH - appH, BAR, appH, v.color).setAttribute("class", "app");
        double top = baseline - baseH - appH;
        Element label =
            svg.text(
                g,
                x + BAR / 2 + 3,
                top - 4,
                String.format(Locale.ROOT, "%.1f", row.mib())
                    + (row.status().equals("ok") ? "" : " ⚠"),
                9,
                "start");
        label.setAttribute(
            "transform", "rotate(-90 " + Svg.num(x + BAR / 2 + 3) + " " + Svg.num(top - 4) + ")");
      }
    }
    svg.text(
        root,
        LEFT,
        height - 12,
        "✕ = does not build, ⚠ = builds, app broken. Generated by bench/leanness.sh (LeannessChart) from docs/benchmarks.md's results.",
        10,
        "start");
    return svg.write();
  }

  private static Optional<Row> find(List<Row> rows, String app, String variant) {
    Row found = null;
    for (Row r : rows) {
      if (r.app().equals(app) && r.variant().equals(variant)) {
        found = r; // the last row of a pair wins, as in the benchmark's own table
      }
    }
    return Optional.ofNullable(found);
  }
}

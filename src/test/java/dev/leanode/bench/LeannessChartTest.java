package dev.leanode.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * docs/leanness-chart.svg: well-formed SVG, one stacked bar per measured result of the committed
 * benchmark table whose heights are those numbers, a mark for each build that failed, and exactly
 * what {@link LeannessChart} writes from the table (regenerate: {@code
 * -Dleanode.golden.update=true}).
 */
class LeannessChartTest {
  static final Path BENCHMARKS = Path.of("docs/benchmarks.md");
  static final Path CHART = Path.of("docs/leanness-chart.svg");

  static List<LeannessChart.Row> rows() throws Exception {
    return LeannessChart.fromMarkdown(Files.readString(BENCHMARKS));
  }

  @Test
  void committedChartIsWhatTheWriterMakesOfTheCommittedTable() throws Exception {
    String fresh = LeannessChart.svg(rows());
    if (Boolean.getBoolean("leanode.golden.update")) {
      Files.writeString(CHART, fresh);
    }
    assertThat(CHART).as("regenerate with -Dleanode.golden.update=true").hasContent(fresh);
  }

  @Test
  void barsAreTheTablesNumbers() throws Exception {
    List<LeannessChart.Row> rows = rows();
    assertThat(rows).hasSizeGreaterThanOrEqualTo(5 * 3);
    Document svg = parse(Files.readString(CHART));
    assertThat(svg.getDocumentElement().getLocalName()).isEqualTo("svg");
    assertThat(svg.getDocumentElement().getNamespaceURI()).isEqualTo(Svg.NS);

    Map<String, Element> bars = new HashMap<>();
    Map<String, Element> missing = new HashMap<>();
    NodeList groups = svg.getElementsByTagNameNS(Svg.NS, "g");
    for (int i = 0; i < groups.getLength(); i++) {
      Element g = (Element) groups.item(i);
      String key = g.getAttribute("data-app") + "/" + g.getAttribute("data-variant");
      if (g.getAttribute("class").equals("bar")) {
        bars.put(key, g);
      } else if (g.getAttribute("class").equals("bar-missing")) {
        missing.put(key, g);
      }
    }
    double px = LeannessChart.PLOT_HEIGHT / LeannessChart.axisMax(rows);
    double baseline = LeannessChart.TOP + LeannessChart.PLOT_HEIGHT;
    int measured = 0;
    for (LeannessChart.Row r : rows) {
      String key = r.app() + "/" + r.variant();
      if (!r.measured()) {
        assertThat(missing).as("a mark for %s (%s)", key, r.status()).containsKey(key);
        assertThat(bars).doesNotContainKey(key);
        continue;
      }
      measured++;
      Element g = bars.get(key);
      assertThat(g).as("bar for %s", key).isNotNull();
      assertThat(Long.parseLong(g.getAttribute("data-compressed-bytes"))).isEqualTo(r.compressed());
      Element base = rect(g, "base");
      Element app = rect(g, "app");
      double baseH = Double.parseDouble(base.getAttribute("height"));
      double appH = Double.parseDouble(app.getAttribute("height"));
      assertThat(baseH + appH).as("%s total height", key).isCloseTo(r.mib() * px, within(0.02));
      assertThat(appH).as("%s app layers", key).isCloseTo(r.appMib() * px, within(0.01));
      // stacked: the base stands on the axis, the app layers on the base
      assertThat(Double.parseDouble(base.getAttribute("y")) + baseH)
          .isCloseTo(baseline, within(0.01));
      assertThat(Double.parseDouble(app.getAttribute("y")) + appH)
          .isCloseTo(Double.parseDouble(base.getAttribute("y")), within(0.02));
      assertThat(g.getTextContent())
          .contains(String.format(java.util.Locale.ROOT, "%.1f", r.mib()));
    }
    assertThat(bars).hasSize(measured);
  }

  @Test
  void tsvAndMarkdownGiveTheSameRows() throws Exception {
    String tsv =
        "seed-express\tleanode\tok\t66714742\t217499291\t734455\t3010500\t128.4\t173.6\treused\n"
            + "pnpm-app\tfly\tdoes not build: ERR_PNPM_BAD_CONFIG_DEP\t-\t-\t-\t-\t60.1\t-\t-\n";
    assertThat(LeannessChart.fromTsv(tsv))
        .containsExactly(
            new LeannessChart.Row("seed-express", "leanode", "ok", 66714742, 734455),
            new LeannessChart.Row(
                "pnpm-app", "fly", "does not build: ERR_PNPM_BAD_CONFIG_DEP", -1, -1));
    assertThat(rows())
        .contains(new LeannessChart.Row("seed-express", "leanode", "ok", 66714742, 734455));
  }

  @Test
  void textIsEscapedByTheWriter() throws Exception {
    String svg =
        LeannessChart.svg(
            List.of(
                new LeannessChart.Row("a<b>&\"c", "leanode", "ok", 10 * 1024 * 1024, 1024 * 1024)));
    Document d = parse(svg);
    assertThat(d.getDocumentElement().getTextContent()).contains("a<b>&\"c");
  }

  private static Element rect(Element g, String cls) {
    NodeList rects = g.getElementsByTagNameNS(Svg.NS, "rect");
    for (int i = 0; i < rects.getLength(); i++) {
      Element r = (Element) rects.item(i);
      if (r.getAttribute("class").equals(cls)) {
        return r;
      }
    }
    throw new AssertionError("no rect." + cls + " in bar " + g.getAttribute("data-app"));
  }

  static Document parse(String xml) throws Exception {
    var f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }
}

package dev.leanode.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration table (section "Configuration") in docs/helm.md lists every value of
 * values.yaml (leaf keys, and maps or lists meant to be filled in), and nothing that no longer
 * exists.
 */
class ChartValuesDocIT {
  static final Path DOC = Path.of("docs/helm.md");
  // a table row whose first cell is a `key`
  static final Pattern ROW =
      Pattern.compile("^\\|\\s*`([A-Za-z0-9_.]+)`\\s*\\|", Pattern.MULTILINE);

  /**
   * Documentable keys: leaves, plus maps/lists that are free-form (resources, securityContext,
   * annotations...). A free-form map documents its children.
   */
  static final Set<String> FREE_FORM = Set.of("resources", "podSecurityContext", "securityContext");

  static Set<String> valueKeys() throws IOException {
    JsonNode values =
        new ObjectMapper(new YAMLFactory())
            .readTree(ChartUnderTest.CHART.resolve("values.yaml").toFile());
    Set<String> keys = new TreeSet<>();
    collect("", values, keys);
    return keys;
  }

  private static void collect(String prefix, JsonNode node, Set<String> out) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String key = prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
      JsonNode v = f.getValue();
      if (v.isObject() && v.size() > 0 && !FREE_FORM.contains(key)) {
        collect(key, v, out);
      } else {
        out.add(key);
      }
    }
  }

  static Set<String> documentedKeys() throws IOException {
    String doc = Files.readString(DOC);
    int start = doc.indexOf("\n## Configuration");
    assertThat(start).as("%s has a '## Configuration' section", DOC).isPositive();
    int end = doc.indexOf("\n## ", start + 1);
    Matcher m = ROW.matcher(end < 0 ? doc.substring(start) : doc.substring(start, end));
    Set<String> keys = new TreeSet<>();
    while (m.find()) {
      keys.add(m.group(1));
    }
    return keys;
  }

  @Test
  void everyValueIsDocumented() throws IOException {
    Set<String> missing = new TreeSet<>(valueKeys());
    missing.removeAll(documentedKeys());
    assertThat(missing).as("values.yaml keys missing from the table in %s", DOC).isEmpty();
  }

  @Test
  void everyDocumentedValueExists() throws IOException {
    List<String> stale = new ArrayList<>(documentedKeys());
    stale.removeAll(valueKeys());
    assertThat(stale).as("keys in %s that values.yaml no longer has", DOC).isEmpty();
  }

  @Test
  void everyTopLevelKeyIsDocumented() throws IOException {
    JsonNode values =
        new ObjectMapper(new YAMLFactory())
            .readTree(ChartUnderTest.CHART.resolve("values.yaml").toFile());
    Set<String> documented = documentedKeys();
    values
        .fieldNames()
        .forEachRemaining(
            top ->
                assertThat(documented)
                    .as("top-level value %s documented", top)
                    .anyMatch(k -> k.equals(top) || k.startsWith(top + ".")));
  }
}

package dev.leanode.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders deploy/helm/leanode with helm-java (no Helm binary) and parses the result into objects.
 */
final class ChartUnderTest {
  static final Path CHART = Path.of("deploy/helm/leanode");
  static final String RELEASE = "leanode";
  static final String NAMESPACE = "leanode-system";
  // helm template assumes Kubernetes 1.20 without a cluster; the chart needs >= 1.25
  static final String KUBE_VERSION = "1.30.0";

  private final Map<String, Object> sets = new LinkedHashMap<>();

  static ChartUnderTest chart() {
    return new ChartUnderTest();
  }

  /** A --set value. */
  ChartUnderTest set(String key, Object value) {
    sets.put(key, value);
    return this;
  }

  /**
   * A list value, as indexed --set entries (helm-java escapes commas, so Helm's {a,b} list syntax
   * arrives as one string).
   */
  ChartUnderTest setList(String key, String... items) {
    for (int i = 0; i < items.length; i++) {
      sets.put(key + "[" + i + "]", items[i]);
    }
    return this;
  }

  /** The rendered manifests, as helm template prints them. */
  String renderYaml() {
    TemplateCommand template =
        new Helm(CHART)
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION)
            .skipCrds();
    sets.forEach(template::set);
    return template.call();
  }

  Rendered render() {
    return new Rendered(renderYaml());
  }

  /** Parsed output of one rendering. */
  record Rendered(String yaml, List<HasMetadata> objects) {
    Rendered(String yaml) {
      this(yaml, parse(yaml));
    }

    private static List<HasMetadata> parse(String yaml) {
      return RbacRules.parseAll(yaml);
    }

    RbacRules rbac() {
      return RbacRules.fromRendered(yaml);
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<HasMetadata> ofKind(String kind) {
      return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    <T extends HasMetadata> T one(Class<T> type) {
      List<T> found = all(type);
      if (found.size() != 1) {
        throw new AssertionError(
            "expected exactly one " + type.getSimpleName() + ", got " + found.size());
      }
      return found.get(0);
    }

    Deployment deployment() {
      return one(Deployment.class);
    }

    /** Value of an env var of the operator container, if set. */
    Optional<String> env(String name) {
      return deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
          .filter(e -> e.getName().equals(name))
          .map(e -> e.getValue())
          .findFirst();
    }
  }
}

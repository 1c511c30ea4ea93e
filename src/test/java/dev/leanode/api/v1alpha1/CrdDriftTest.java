package dev.leanode.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed CRD must be exactly what the API types generate. Regenerate on purpose with {@code
 * ./mvnw test -Dtest=CrdDriftTest -Dleanode.golden.update=true} (then copy it into the chart: the
 * chart test checks that copy too).
 */
class CrdDriftTest {
  static final Path COMMITTED = Path.of("deploy/crds/nodeappimages.leanode.dev-v1.yml");

  static final String HEADER =
      "# Generated from dev.leanode.api.v1alpha1 by CrdDriftTest; do not edit.\n";

  /**
   * Fabric8's generator sorts printer columns by JSON path, which would put AGE first; kubectl
   * shows them in CRD order, and the contract is READY, IMAGE, SIZE, AGE. So the columns are put
   * back in the order the annotations on {@link NodeAppImage} declare.
   */
  static String generate(Path dir) throws IOException {
    new CRDGenerator()
        .customResourceClasses(NodeAppImage.class)
        .forCRDVersions("v1")
        .inOutputDir(dir.toFile())
        .generate();
    var serialization = new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
    var crd =
        serialization.unmarshal(
            Files.readString(dir.resolve("nodeappimages.leanode.dev-v1.yml")),
            io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class);
    java.util.List<String> order =
        java.util.Arrays.stream(
                NodeAppImage.class.getAnnotationsByType(
                    io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.class))
            .map(io.fabric8.crd.generator.annotation.AdditionalPrinterColumn::name)
            .toList();
    for (var version : crd.getSpec().getVersions()) {
      version
          .getAdditionalPrinterColumns()
          .sort(java.util.Comparator.comparingInt(c -> order.indexOf(c.getName())));
    }
    return HEADER + serialization.asYaml(crd);
  }

  @Test
  void printerColumnsFollowTheContractOrder(@TempDir Path dir) throws IOException {
    String crd = generate(dir);
    assertThat(crd.indexOf("name: \"READY\""))
        .isLessThan(crd.indexOf("name: \"IMAGE\""))
        .isLessThan(crd.indexOf("name: \"SIZE\""));
    assertThat(crd.indexOf("name: \"SIZE\"")).isLessThan(crd.indexOf("name: \"AGE\""));
  }

  @Test
  void committedCrdEqualsGenerated(@TempDir Path dir) throws IOException {
    String generated = generate(dir);
    if (Boolean.getBoolean("leanode.golden.update")) {
      Files.createDirectories(COMMITTED.getParent());
      Files.writeString(COMMITTED, generated);
    }
    assertThat(COMMITTED)
        .as(
            "deploy/crds is stale: run ./mvnw test -Dtest=CrdDriftTest -Dleanode.golden.update=true")
        .exists();
    assertThat(Files.readString(COMMITTED)).isEqualTo(generated);
  }

  @Test
  void crdCarriesTheContractNamesAndPrinterColumns(@TempDir Path dir) throws IOException {
    String crd = generate(dir);
    assertThat(crd)
        .contains("group: \"leanode.dev\"")
        .contains("kind: \"NodeAppImage\"")
        .contains("plural: \"nodeappimages\"")
        .contains("singular: \"nodeappimage\"")
        .contains("- \"nai\"")
        .contains("status: {}")
        .contains("name: \"READY\"")
        .contains("name: \"IMAGE\"")
        .contains("name: \"SIZE\"")
        .contains("name: \"AGE\"")
        .contains("has(self.git) != has(self.inline)");
  }
}

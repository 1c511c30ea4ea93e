package dev.leanode.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart's crds/ holds exactly the generated CRD, byte for byte: Helm installs CRDs only from
 * there, so a stale copy would ship an old schema. Fix drift with {@code cp
 * deploy/crds/nodeappimages.leanode.dev-v1.yml deploy/helm/leanode/crds/}.
 */
class ChartCrdIT {
  static final Path GENERATED = Path.of("deploy/crds/nodeappimages.leanode.dev-v1.yml");
  static final Path CHART_CRDS = ChartUnderTest.CHART.resolve("crds");

  @Test
  void chartCrdEqualsGeneratedCrd() throws IOException {
    assertThat(GENERATED).as("generated CRD (produced by the CRD generator test)").exists();
    Path inChart = CHART_CRDS.resolve(GENERATED.getFileName());

    assertThat(inChart).exists();
    assertThat(Files.readAllBytes(inChart))
        .as("%s differs from %s; run: cp %s %s/", inChart, GENERATED, GENERATED, CHART_CRDS)
        .isEqualTo(Files.readAllBytes(GENERATED));
  }

  @Test
  void chartHoldsOnlyThatCrd() throws IOException {
    try (Stream<Path> files = Files.list(CHART_CRDS)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactly(GENERATED.getFileName().toString());
    }
  }

  @Test
  void crdIsTheNodeAppImageApi() throws IOException {
    CustomResourceDefinition crd =
        new KubernetesSerialization()
            .unmarshal(Files.readString(GENERATED), CustomResourceDefinition.class);

    assertThat(crd.getMetadata().getName()).isEqualTo("nodeappimages.leanode.dev");
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("nai");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getVersions())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getName()).isEqualTo("v1alpha1");
              assertThat(v.getSubresources().getStatus()).isNotNull();
            });
  }
}

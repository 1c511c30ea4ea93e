package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.NodeAppImage;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The seed's Express app, inline, pushed to the htpasswd registry with a push secret, compared with
 * the seed's single-stage Dockerfile: Ready, size = skopeo's, comparison filled, image runs.
 */
class InlineSeedAppIT extends OnRealCluster {

  @Test
  void seedExpressInlineAuthRegistryWithComparison() throws Exception {
    String image = Tools.AUTH_REGISTRY + "/e2e/seed-express:1.0.0";
    client
        .resource(
            DocumentedJobShape.pushSecret(
                "regcred", Tools.AUTH_REGISTRY, Tools.REGISTRY_USER, Tools.REGISTRY_PASSWORD))
        .create();
    client
        .resource(
            OperatorE2E.resource(
                "seed-express",
                Map.of(
                    "source", OperatorE2E.inline("seed-express"),
                    "app", Map.of("port", 3000),
                    "output",
                        Map.of(
                            "image",
                            image,
                            "pushSecretRef",
                            Map.of("name", "regcred"),
                            "insecure",
                            true),
                    "build", Map.of("compareSingleStage", true))))
        .create();

    NodeAppImage r = OperatorE2E.awaitCondition(client, "seed-express", "Ready", "True");
    OperatorE2E.assertMeasuredAndRuns(r, "hello from seed-express");

    var cmp = r.getStatus().getComparison();
    long single = Registry.compressedSize(image + "-single-stage");
    assertThat(cmp.getSingleStageSizeBytes()).isEqualTo(single);
    assertThat(cmp.getSavedBytes()).isEqualTo(single - r.getStatus().getOutput().getSizeBytes());
    assertThat(cmp.getSavedBytes()).as("lean image smaller than single-stage").isPositive();
    assertThat(cmp.getSavedPercent())
        .isCloseTo(100.0 * cmp.getSavedBytes() / single, org.assertj.core.data.Offset.offset(0.1));
  }
}

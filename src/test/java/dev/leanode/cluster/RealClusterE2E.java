package dev.leanode.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leanode.api.v1alpha1.LocalObjectRef;
import dev.leanode.api.v1alpha1.NodeAppImage;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Opt-in, for maintainers with a cluster (kind, k3s, ...) and a registry it can push to: the
 * example app built by real Kaniko. Not part of CI (no cluster can run on the CI machines).
 *
 * <pre>
 * LEANODE_E2E_IMAGE=registry.local:5000/leanode/express-app:e2e \
 * LEANODE_E2E_PUSH_SECRET=regcred LEANODE_E2E_NAMESPACE=leanode-e2e \
 *   ./mvnw verify -Pe2e
 * </pre>
 *
 * The namespace must exist with the push secret in it (or the registry must need no auth).
 */
@QuarkusTest
class RealClusterE2E {
  @Inject KubernetesClient client;

  @Test
  void exampleAppBecomesReadyWithAMeasuredImage() throws Exception {
    String image = System.getenv("LEANODE_E2E_IMAGE");
    assertThat(image)
        .as("set LEANODE_E2E_IMAGE to an image reference the cluster's Kaniko can push to")
        .isNotBlank();
    String namespace = System.getenv().getOrDefault("LEANODE_E2E_NAMESPACE", "leanode-e2e");
    var serialization = new KubernetesSerialization();
    client
        .resource(
            serialization.unmarshal(
                Files.readString(Path.of("deploy/crds/nodeappimages.leanode.dev-v1.yml")),
                CustomResourceDefinition.class))
        .serverSideApply();
    if (client.namespaces().withName(namespace).get() == null) {
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .create();
    }
    NodeAppImage nai =
        serialization.unmarshal(
            Files.readString(Path.of("examples/express-app.yaml")), NodeAppImage.class);
    String name = "e2e-" + UUID.randomUUID().toString().substring(0, 6);
    nai.getMetadata().setName(name);
    nai.getMetadata().setNamespace(namespace);
    nai.getSpec().getOutput().setImage(image);
    String secret = System.getenv("LEANODE_E2E_PUSH_SECRET");
    nai.getSpec().getOutput().setPushSecretRef(secret == null ? null : new LocalObjectRef(secret));
    client.resource(nai).create();

    await()
        .atMost(Duration.ofMinutes(20))
        .pollInterval(Duration.ofSeconds(5))
        .until(
            () -> client.resources(NodeAppImage.class).inNamespace(namespace).withName(name).get(),
            r ->
                r.getStatus() != null
                    && r.getStatus()
                        .condition("Ready")
                        .map(c -> "True".equals(c.getStatus()))
                        .orElse(false));
    var status =
        client
            .resources(NodeAppImage.class)
            .inNamespace(namespace)
            .withName(name)
            .get()
            .getStatus();
    assertThat(status.getOutput().getDigest()).startsWith("sha256:");
    assertThat(status.getOutput().getSizeBytes()).isPositive();
    assertThat(status.getComparison().getSavedBytes()).isPositive();
    client.resource(nai).delete();
  }
}

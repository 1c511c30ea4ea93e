package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.leanode.api.v1alpha1.NodeAppImage;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shared plumbing of the real-build ITs (which run on the real control plane of {@code
 * hack/cluster.sh}, see {@code dev.leanode.controlplane.OperatorOnCluster}): NodeAppImage
 * construction, waiting for conditions and the registry cross-checks.
 */
final class OperatorE2E {
  static final Path APPS = Path.of("src/test/resources/apps");
  private static final ObjectMapper JSON = new ObjectMapper();

  private OperatorE2E() {}

  /** A NodeAppImage from a nested map written like the YAML a user would apply. */
  @SuppressWarnings("unchecked")
  static NodeAppImage resource(String name, Map<String, Object> spec) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("apiVersion", "leanode.dev/v1alpha1");
    m.put("kind", "NodeAppImage");
    m.put("metadata", Map.of("name", name));
    m.put("spec", spec);
    return JSON.convertValue(m, NodeAppImage.class);
  }

  static Map<String, Object> inline(String app) throws Exception {
    return Map.of("inline", Map.of("files", DocumentedJobShape.files(APPS.resolve(app))));
  }

  static NodeAppImage awaitCondition(
      KubernetesClient client, String name, String type, String status) {
    return awaitCondition(client, name, type, status, Duration.ofMinutes(10));
  }

  /** The same, with a longer wait (a native addon compiled from source on 2 loaded cores). */
  static NodeAppImage awaitCondition(
      KubernetesClient client, String name, String type, String status, Duration atMost) {
    return await()
        .atMost(atMost)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> client.resources(NodeAppImage.class).withName(name).get(),
            r ->
                r.getStatus() != null
                    && r.getStatus()
                        .condition(type)
                        .map(c -> status.equals(c.getStatus()))
                        .orElse(false)
                    && r.getMetadata()
                        .getGeneration()
                        .equals(r.getStatus().getObservedGeneration()));
  }

  /** Waits until the Ready condition has this reason (Ready=False also means "still building"). */
  static NodeAppImage awaitReadyReason(KubernetesClient client, String name, String reason) {
    return await()
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> client.resources(NodeAppImage.class).withName(name).get(),
            r ->
                r.getStatus() != null
                    && r.getStatus()
                        .condition("Ready")
                        .map(c -> reason.equals(c.getReason()))
                        .orElse(false));
  }

  static Condition condition(NodeAppImage r, String type) {
    return r.getStatus().condition(type).orElseThrow();
  }

  /** status.output as skopeo sees it, then the running image answers as a production app. */
  static String assertMeasuredAndRuns(NodeAppImage r, String expectedHello) {
    var out = r.getStatus().getOutput();
    String repo = out.getImage().replaceAll(":[^:/]+$", "");
    String byDigest = repo + "@" + out.getDigest();
    assertThat(out.getDigest()).startsWith("sha256:").isEqualTo(Registry.digest(out.getImage()));
    assertThat(out.getSizeBytes()).isEqualTo(Registry.compressedSize(byDigest));
    List<String> answers =
        ImageRunner.get(byDigest, Registry.creds(out.getImage()), List.of("/", "/env"));
    assertThat(answers.get(0)).isEqualTo("200 " + expectedHello);
    assertThat(answers.get(1)).contains("\"NODE_ENV\":\"production\"").contains("\"uid\":1000");
    // the extra CA bundle helped RUN steps but is not in the image; no kubelet links shipped
    assertThat(
            ImageRunner.exec(
                byDigest,
                Registry.creds(out.getImage()),
                "test ! -e /leanode/ca/ca.crt && echo no-ca; ls -A \"$PWD\""))
        .contains("no-ca")
        .doesNotContain("..data");
    return byDigest;
  }
}

package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.verify.VerifyPods;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * spec.verify through the running operator on the real API server: after the push, the image runs
 * in a verify Pod (run by the node agent's pod runner in a network namespace of its own, asked by
 * the operator over the Pod's IP), and the result is the Verified condition; the Pod is deleted
 * afterwards. An image that crashes, and one that listens elsewhere, are pushed all the same
 * (Ready=True) and fail verification with the container's log tail.
 */
class VerifyIT extends OnRealCluster {

  @BeforeEach
  void pushSecret() {
    client
        .resource(
            DocumentedJobShape.pushSecret(
                "regcred", Tools.AUTH_REGISTRY, Tools.REGISTRY_USER, Tools.REGISTRY_PASSWORD))
        .create();
  }

  Map<String, Object> spec(Map<String, Object> source, String name, Map<String, Object> verify) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("source", source);
    spec.put(
        "output",
        Map.of(
            "image",
            Tools.AUTH_REGISTRY + "/" + ns + "/" + name + ":1",
            "pushSecretRef",
            Map.of("name", "regcred"),
            "insecure",
            true));
    spec.put("verify", verify);
    return spec;
  }

  static Condition verified(NodeAppImage r) {
    return r.getStatus().condition(NodeAppImageStatus.VERIFIED).orElseThrow();
  }

  /**
   * Every image here builds and is pushed; a build that fails cannot be verified, so the wait stops
   * at once and says why (the Ready message holds the build's log tail) instead of running out.
   */
  NodeAppImage awaitVerified(String name, String status) {
    return await(name + " Verified=" + status)
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofSeconds(1))
        .failFast("the build of " + name + " did not push an image", () -> buildNotFailed(name))
        .until(
            () -> client.resources(NodeAppImage.class).withName(name).get(),
            r ->
                r.getStatus() != null
                    && r.getStatus()
                        .condition(NodeAppImageStatus.VERIFIED)
                        .map(c -> status.equals(c.getStatus()))
                        .orElse(false));
  }

  void buildNotFailed(String name) {
    NodeAppImage r = client.resources(NodeAppImage.class).withName(name).get();
    var ready = r == null || r.getStatus() == null ? null : r.getStatus().condition("Ready");
    if (ready != null
        && ready.isPresent()
        && "False".equals(ready.get().getStatus())
        && List.of("BuildFailed", "BuildTimedOut", "InvalidSpec")
            .contains(ready.get().getReason())) {
      throw new AssertionError(
          "Ready=False "
              + ready.get().getReason()
              + ": "
              + ready.get().getMessage()
              + "\nconditions: "
              + r.getStatus().getConditions()
              + "\n"
              + install.diagnostics()
              + "\ndisk: "
              + Proc.run(Duration.ofSeconds(30), List.of("df", "-h", "/", "/tmp")).output());
    }
  }

  void awaitNoVerifyPods() {
    await("verify Pods deleted")
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                client
                    .pods()
                    .withLabel("app.kubernetes.io/component", VerifyPods.COMPONENT_VERIFY)
                    .list()
                    .getItems()
                    .isEmpty());
  }

  boolean event(String reason, String object) {
    return client.v1().events().list().getItems().stream()
        .anyMatch(
            (Event e) ->
                reason.equals(e.getReason()) && object.equals(e.getInvolvedObject().getName()));
  }

  @Test
  void theSeedImageStartsAndAnswers() throws Exception {
    client
        .resource(
            OperatorE2E.resource(
                "seed", spec(OperatorE2E.inline("seed-express"), "seed", Map.of("path", "/"))))
        .create();
    NodeAppImage r = awaitVerified("seed", "True");
    Condition v = verified(r);
    assertThat(v.getReason()).isEqualTo("ImageAnswered");
    assertThat(v.getMessage()).contains("answered GET :3000/ with HTTP 200");
    var check = r.getStatus().getVerify();
    assertThat(check.getOutcome()).isEqualTo("Passed");
    assertThat(check.getDigest()).isEqualTo(r.getStatus().getOutput().getDigest());
    assertThat(check.getPod()).isEqualTo(VerifyPods.name("seed", check.getDigest()));
    assertThat(check.getAnsweredAfterMillis()).isNotNull().isBetween(0L, 60_000L);
    assertThat(r.getStatus().condition("Ready").orElseThrow().getStatus()).isEqualTo("True");
    System.out.printf(
        "verify: seed image answered %d ms after its container started (%s)%n",
        check.getAnsweredAfterMillis(), v.getMessage());
    awaitNoVerifyPods();
    await("Normal Event ImageAnswered")
        .atMost(Duration.ofSeconds(30))
        .until(() -> event("ImageAnswered", "seed"));
  }

  @Test
  void imagesThatCrashOrListenElsewhereFailWithTheirLog() throws Exception {
    Map<String, String> crash =
        Map.of(
            "package.json",
            "{\"name\":\"crash\",\"version\":\"1.0.0\",\"main\":\"index.js\"}\n",
            "index.js",
            "console.log('crash app starting');\n"
                + "if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set');\n");
    Map<String, String> elsewhere =
        Map.of(
            "package.json",
            "{\"name\":\"elsewhere\",\"version\":\"1.0.0\",\"main\":\"index.js\"}\n",
            "index.js",
            "require('http').createServer((q, s) => s.end('ok')).listen(4000, () =>\n"
                + "  console.log('listening on 4000, not on PORT'));\n");
    client
        .resource(
            OperatorE2E.resource(
                "crash",
                spec(Map.of("inline", Map.of("files", crash)), "crash", Map.of("timeout", "30s"))))
        .create();
    client
        .resource(
            OperatorE2E.resource(
                "elsewhere",
                spec(
                    Map.of("inline", Map.of("files", elsewhere)),
                    "elsewhere",
                    Map.of("timeout", "15s"))))
        .create();

    NodeAppImage crashed = awaitVerified("crash", "False");
    Condition c = verified(crashed);
    assertThat(c.getReason()).isEqualTo("VerifyFailed");
    assertThat(c.getMessage())
        .contains("exited with code 1")
        .contains("crash app starting")
        .contains("DATABASE_URL is not set");
    assertThat(crashed.getStatus().getVerify().getOutcome()).isEqualTo("Failed");
    assertThat(crashed.getStatus().condition("Ready").orElseThrow().getStatus())
        .as("the image is pushed all the same: Ready is about the build")
        .isEqualTo("True");

    NodeAppImage other = awaitVerified("elsewhere", "False");
    assertThat(verified(other).getMessage())
        .contains("no answer 200-399 to GET :3000/ within 15s")
        .contains("listening on 4000, not on PORT");
    awaitNoVerifyPods();
    await("Warning Events VerifyFailed")
        .atMost(Duration.ofSeconds(30))
        .until(() -> event("VerifyFailed", "crash") && event("VerifyFailed", "elsewhere"));
  }
}

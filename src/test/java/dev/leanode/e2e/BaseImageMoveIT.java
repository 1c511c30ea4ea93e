package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus.BuildRecord;
import dev.leanode.controlplane.ControlPlane;
import dev.leanode.controlplane.OperatorOnCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The base image moves under its tag (a Node security release): a new image is pushed to the real
 * registry as the same {@code node:22-alpine} tag, and the operator — polling the tag every 2 s
 * here (leanode.build.base-image-poll-interval) — pins the new digest and rebuilds with trigger
 * BaseImageUpdated; a resource with baseImagePolicy pin keeps its digest, even when rebuilt for
 * another reason.
 */
class BaseImageMoveIT {
  static ControlPlane cp;
  static OperatorOnCluster install;
  static String ns;
  static KubernetesClient client;
  static String base;

  @BeforeAll
  static void installWithShortBasePoll() {
    cp = ControlPlane.require();
    OperatorOnCluster.releaseShared();
    install =
        OperatorOnCluster.install(Map.of(), Map.of("LEANODE_BUILD_BASE_IMAGE_POLL_INTERVAL", "2s"));
    install.startOperator();
    ns = cp.newNamespace("basemove");
    client = cp.adminIn(ns);
    // a base image of our own under a tag we may move: the local node:22-alpine stand-in, copied
    base =
        Tools.REGISTRY
            + "/fresh-"
            + UUID.randomUUID().toString().substring(0, 8)
            + "/node:22-alpine";
    Proc.run(
            Duration.ofMinutes(2),
            "skopeo",
            "copy",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            "docker://" + Tools.REGISTRY + "/library/node:22-alpine",
            "docker://" + base)
        .check();
  }

  @AfterAll
  static void uninstall() {
    if (install != null) {
      install.assertNoAgentErrors();
      install.close();
    }
    if (cp != null && ns != null) {
      cp.deleteNamespace(ns);
    }
    if (client != null) {
      client.close();
    }
  }

  static NodeAppImage resource(String name, String policy) throws Exception {
    return OperatorE2E.resource(
        name,
        Map.of(
            "source", OperatorE2E.inline("seed-express"),
            "app", Map.of("baseImage", base),
            "build", Map.of("baseImagePolicy", policy),
            "output",
                Map.of("image", Tools.REGISTRY + "/fresh/base-" + name + ":1", "insecure", true)));
  }

  /**
   * Pushes a new image under the same tag: the old one plus a label (a new config, a new digest).
   */
  static String moveBaseTag() {
    String ctr =
        Proc.run(
                Duration.ofMinutes(5),
                Tools.buildah(
                    "from", "--quiet", "--tls-verify=false", "--pull=always", "docker://" + base))
            .check()
            .output()
            .trim();
    String[] lines = ctr.split("\n");
    ctr = lines[lines.length - 1].trim();
    try {
      Proc.run(
              Duration.ofMinutes(1),
              Tools.buildah("config", "--label", "io.leanode.test/security-release=1", ctr))
          .check();
      Proc.run(
              Duration.ofMinutes(5),
              Tools.buildah(
                  "commit", "--tls-verify=false", "--format", "docker", ctr, "docker://" + base))
          .check();
    } finally {
      Proc.run(Duration.ofMinutes(1), Tools.buildah("rm", ctr));
    }
    return Registry.digest(base);
  }

  @Test
  void aNewDigestUnderTheTagRebuildsTrackedResourcesOnly() throws Exception {
    client.resource(resource("tracked", "track")).create();
    client.resource(resource("pinned", "pin")).create();
    NodeAppImage tracked = OperatorE2E.awaitCondition(client, "tracked", "Ready", "True");
    NodeAppImage pinned = OperatorE2E.awaitCondition(client, "pinned", "Ready", "True");
    String before = Registry.digest(base);
    assertThat(tracked.getStatus().getBaseImage().getDigest()).isEqualTo(before);
    assertThat(tracked.getStatus().getBaseImage().getImage()).isEqualTo(base);
    assertThat(pinned.getStatus().getBaseImage().getDigest()).isEqualTo(before);
    String dockerfile =
        client
            .configMaps()
            .withName(tracked.getStatus().getDockerfile().getConfigMap())
            .get()
            .getData()
            .get("Dockerfile");
    assertThat(dockerfile).contains("FROM " + base + "@" + before + " AS production");

    String after = moveBaseTag();
    assertThat(after).isNotEqualTo(before);

    NodeAppImage rebuilt =
        await()
            .atMost(Duration.ofMinutes(10))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> client.resources(NodeAppImage.class).withName("tracked").get(),
                r ->
                    r.getStatus().getBuild() != null
                        && "BaseImageUpdated".equals(r.getStatus().getBuild().getTrigger())
                        && r.getStatus()
                            .condition("Ready")
                            .map(c -> "True".equals(c.getStatus()))
                            .orElse(false));
    assertThat(rebuilt.getStatus().getBaseImage().getDigest()).isEqualTo(after);
    assertThat(rebuilt.getStatus().getHistory())
        .extracting(BuildRecord::getTrigger, BuildRecord::getBaseImageDigest)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("BaseImageUpdated", after),
            org.assertj.core.groups.Tuple.tuple("Created", before));
    // the new image really is built on the new base: it carries the base's new label
    String byDigest = OperatorE2E.assertMeasuredAndRuns(rebuilt, "hello from seed-express");
    assertThat(Registry.inspectLabels(byDigest))
        .containsEntry("io.leanode.test/security-release", "1");

    // the pinned resource, rebuilt for another reason after the move, stays on the digest it had
    client
        .resources(NodeAppImage.class)
        .withName("pinned")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"spec\":{\"app\":{\"port\":8080}}}");
    NodeAppImage repinned =
        await()
            .atMost(Duration.ofMinutes(10))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> client.resources(NodeAppImage.class).withName("pinned").get(),
                r ->
                    r.getStatus().getBuild() != null
                        && "SpecChanged".equals(r.getStatus().getBuild().getTrigger())
                        && r.getStatus()
                            .condition("Ready")
                            .map(c -> "True".equals(c.getStatus()))
                            .orElse(false));
    assertThat(repinned.getStatus().getBaseImage().getDigest()).isEqualTo(before);
    assertThat(repinned.getStatus().getHistory())
        .extracting(BuildRecord::getBaseImageDigest)
        .containsExactly(before, before);
    assertThat(Registry.inspectLabels(repinned.getStatus().getOutput().getImage()))
        .doesNotContainKey("io.leanode.test/security-release");
  }
}

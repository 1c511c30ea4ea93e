package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl logs} through the real API server: it dials the node agent's kubelet log endpoint
 * ({@link KubeletLogServer}) with its kubelet client certificate, as it would a kubelet, and hands
 * on a build container's output — whole, tailed, timestamped, followed while the build runs — and
 * the kubelet's words for a container that has not started.
 */
class KubectlLogsIT extends OnRealCluster {

  @Test
  void kubectlLogsShowsAndFollowsTheBuildThroughTheApiServer() throws Exception {
    var node = install.cp.admin().nodes().withName(install.cp.nodeName).get();
    int port = node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort();
    assertThat(port)
        .as("an ephemeral port, not the kubelet's 10250")
        .isPositive()
        .isNotEqualTo(10250);
    assertThat(node.getStatus().getAddresses())
        .anyMatch(a -> a.getType().equals("InternalIP") && a.getAddress().equals("127.0.0.1"));

    String image = Tools.REGISTRY + "/logs/kubectl-logs:1";
    client
        .resource(
            OperatorE2E.resource(
                "kubectl-logs",
                Map.of(
                    "source", OperatorE2E.inline("seed-express"),
                    "output", Map.of("image", image, "insecure", true))))
        .create();
    Pod pod =
        await("build pod")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> client.pods().list().getItems(), l -> !l.isEmpty())
            .get(0);
    String name = pod.getMetadata().getName();

    // the kaniko container runs after the init container: until then, the kubelet's refusal
    // ("waiting to start") reaches kubectl; once it runs, what it wrote so far
    Proc.Result early =
        await("kaniko container started")
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> install.cp.kubectl("logs", "-n", ns, name, "-c", "kaniko"),
                r ->
                    r.ok()
                        || !(r.output().contains("is waiting to start")
                            // bound, not yet admitted by the node: the kubelet's 404
                            || r.output().contains("NotFound")));
    assertThat(early.exitCode()).as(early.output()).isZero();
    assertThat(early.output()).as("the push has not happened yet").doesNotContain("Pushed ");

    // -f follows until the container ends: it sees the lines written after it started
    Proc.Result followed = install.cp.kubectl("logs", "-f", "-n", ns, name, "-c", "kaniko");
    assertThat(followed.exitCode()).as(followed.output()).isZero();
    assertThat(followed.output())
        // the base pinned by digest, as the operator writes FROM (issue 12)
        .containsPattern(
            "Building stage 'node:22-alpine@sha256:[0-9a-f]{64}' \\[idx: '0', base-idx: '-1'\\]")
        .contains("RUN ")
        .contains("Pushing image to " + image)
        .containsPattern(
            "Pushed "
                + java.util.regex.Pattern.quote(Tools.REGISTRY + "/logs/kubectl-logs")
                + "@sha256:[0-9a-f]{64}");

    OperatorE2E.awaitCondition(client, "kubectl-logs", "Ready", "True");
    Proc.Result tail = install.cp.kubectl("logs", "-n", ns, name, "-c", "kaniko", "--tail=1");
    assertThat(tail.output().strip().lines().toList()).hasSize(1);
    assertThat(tail.output()).contains("Pushed ");
    Proc.Result stamped =
        install.cp.kubectl("logs", "-n", ns, name, "-c", "kaniko", "--timestamps", "--tail=3");
    assertThat(stamped.output().strip().lines().toList())
        .hasSize(3)
        .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z .*"));
    Proc.Result limited =
        install.cp.kubectl("logs", "-n", ns, name, "-c", "kaniko", "--limit-bytes=25");
    assertThat(limited.output()).hasSize(25).isEqualTo(followed.output().substring(0, 25));
    assertThat(install.cp.kubectl("logs", "-n", ns, name, "-c", "kaniko", "--since=1h").output())
        .isEqualTo(followed.output());
    assertThat(
            install
                .cp
                .kubectl(
                    "logs", "-n", ns, name, "-c", "kaniko", "--since-time=2999-01-01T00:00:00Z")
                .output())
        .as("nothing written after a future time")
        .isEmpty();
    assertThat(install.cp.kubectl("logs", "-n", ns, name, "-c", "prepare-context").exitCode())
        .isZero();
    assertThat(install.cp.kubectl("logs", "-n", ns, name, "-c", "no-such").output())
        .contains("container no-such is not valid for pod " + name);

    // fabric8, as `leanode logs` uses it: the same endpoint through the API server
    String viaClient = client.pods().withName(name).inContainer("kaniko").getLog();
    assertThat(viaClient).isEqualTo(followed.output());
    assertThat(List.of(viaClient.split("\n"))).last().asString().contains("Pushed ");
  }
}

package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.leanode.controlplane.ControlPlane;
import dev.leanode.controlplane.OperatorOnCluster;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node agent's kubelet part for ordinary pods ({@link PodmanPodRunner}) on the real API server
 * and controller-manager: a Deployment's pod runs with its security context, env and downward API
 * and emptyDir; its readiness is the pod's Ready condition; a failing liveness probe restarts the
 * container (the emptyDir survives, as on a kubelet); deletion stops it; what the runner does not
 * implement ends the pod Failed with the field named.
 */
class PodmanPodRunnerIT {
  static final String IMAGE = Tools.REGISTRY + "/library/node:22-alpine";
  // healthy unless it is the first container of the pod: that one fails liveness after 5 probes
  static final String SERVER =
      """
      const fs = require('fs');
      const first = !fs.existsSync('/scratch/started');
      fs.writeFileSync('/scratch/started', String(Date.now()));
      let probes = 0;
      require('http').createServer((q, s) => {
        if (q.url === '/live') { probes++; s.statusCode = first && probes > 5 ? 500 : 200; return s.end(); }
        if (q.url === '/ready') return s.end('ok');
        let rootWritable = true;
        try { fs.writeFileSync('/x', 'x'); } catch (e) { rootWritable = false; }
        s.setHeader('content-type', 'application/json');
        s.end(JSON.stringify({uid: process.getuid(), gid: process.getgid(), rootWritable,
          name: process.env.MY_POD_NAME, ip: process.env.MY_POD_IP, greeting: process.env.GREETING,
          api: process.env.KUBERNETES_SERVICE_HOST + ':' + process.env.KUBERNETES_SERVICE_PORT,
          caps: fs.readFileSync('/proc/self/status', 'utf8').match(/CapEff:\\s+(\\w+)/)[1],
          token: fs.existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')}));
      }).listen(8080);
      """;

  ControlPlane cp;
  NodeAgent agent;
  String ns;

  @BeforeEach
  void setUp() {
    cp = ControlPlane.require();
    OperatorOnCluster.releaseShared(); // one node agent per cluster
    ns = cp.newNamespace("pods");
    agent =
        new NodeAgent(
                cp.admin(),
                cp.nodeName,
                Path.of("target/node-agent-pods").toAbsolutePath(),
                Duration.ofMinutes(5))
            .servingLogs(cp.dir.resolve("pki"))
            .start();
  }

  @AfterEach
  void tearDown() {
    try {
      assertThat(agent.errors()).as("node agent errors").isEmpty();
    } finally {
      cp.deleteNamespace(ns);
      await("pods of " + ns + " stopped")
          .atMost(Duration.ofMinutes(2))
          .until(() -> cp.admin().pods().inNamespace(ns).list().getItems().isEmpty());
      agent.close();
    }
  }

  @Test
  void deploymentPodRunsProbesRestartsAndStops() throws Exception {
    cp.admin()
        .apps()
        .deployments()
        .inNamespace(ns)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("probe-app")
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .addToMatchLabels("app", "probe-app")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "probe-app")
                .endMetadata()
                .withNewSpec()
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(1000L)
                .withRunAsGroup(1000L)
                .endSecurityContext()
                .addNewContainer()
                .withName("app")
                .withImage(IMAGE)
                .withCommand("node", "-e", SERVER)
                .addNewEnv()
                .withName("GREETING")
                .withValue("hello")
                .endEnv()
                .addNewEnv()
                .withName("MY_POD_NAME")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("metadata.name")
                .endFieldRef()
                .endValueFrom()
                .endEnv()
                .addNewEnv()
                .withName("MY_POD_IP")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("status.podIP")
                .endFieldRef()
                .endValueFrom()
                .endEnv()
                .addNewPort()
                .withName("http")
                .withContainerPort(8080)
                .endPort()
                .withNewLivenessProbe()
                .withNewHttpGet()
                .withPath("/live")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withPeriodSeconds(1)
                .withFailureThreshold(2)
                .endLivenessProbe()
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPath("/ready")
                .withPort(new IntOrString(8080))
                .endHttpGet()
                .withPeriodSeconds(1)
                .endReadinessProbe()
                .withNewSecurityContext()
                .withReadOnlyRootFilesystem(true)
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount()
                .withName("scratch")
                .withMountPath("/scratch")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("scratch")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();

    // the liveness failure of the first container restarts it; the second stays healthy and Ready
    Pod pod =
        await("pod restarted once after liveness failures, then Ready")
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () ->
                    cp.admin().pods().inNamespace(ns).list().getItems().stream()
                        .findFirst()
                        .orElse(null),
                p -> {
                  assertThat(agent.errors()).isEmpty();
                  if (p == null
                      || p.getStatus() == null
                      || p.getStatus().getContainerStatuses() == null
                      || p.getStatus().getContainerStatuses().isEmpty()) {
                    return false;
                  }
                  ContainerStatus c = p.getStatus().getContainerStatuses().get(0);
                  return c.getRestartCount() == 1
                      && Boolean.TRUE.equals(c.getReady())
                      && p.getStatus().getConditions().stream()
                          .anyMatch(
                              k -> k.getType().equals("Ready") && k.getStatus().equals("True"));
                });
    ContainerStatus c = pod.getStatus().getContainerStatuses().get(0);
    assertThat(c.getLastState().getTerminated().getMessage()).contains("liveness probe failed");
    await("Deployment available")
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                Integer.valueOf(1)
                    .equals(
                        cp.admin()
                            .apps()
                            .deployments()
                            .inNamespace(ns)
                            .withName("probe-app")
                            .get()
                            .getStatus()
                            .getAvailableReplicas()));

    String ip = pod.getStatus().getPodIP();
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://" + ip + ":8080/env")).build(),
                HttpResponse.BodyHandlers.ofString());
    JsonNode env = new ObjectMapper().readTree(r.body());
    assertThat(env.get("uid").asInt()).isEqualTo(1000);
    assertThat(env.get("gid").asInt()).isEqualTo(1000);
    assertThat(env.get("rootWritable").asBoolean()).as("read-only root file system").isFalse();
    assertThat(env.get("name").asText()).isEqualTo(pod.getMetadata().getName());
    assertThat(env.get("ip").asText()).isEqualTo(ip);
    assertThat(env.get("greeting").asText()).isEqualTo("hello");
    assertThat(env.get("api").asText()).isEqualTo("10.96.0.1:443");
    assertThat(env.get("caps").asText()).matches("0+");
    assertThat(env.get("token").asBoolean()).as("projected ServiceAccount token").isTrue();

    String container = agent.pods().containerOf(ns, pod.getMetadata().getName());
    assertThat(container).isNotNull();
    cp.admin().apps().deployments().inNamespace(ns).withName("probe-app").delete();
    await("pod deleted and its container stopped")
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                cp.admin().pods().inNamespace(ns).list().getItems().isEmpty()
                    && !Proc.run(
                            Duration.ofSeconds(30), Tools.podman("container", "exists", container))
                        .ok());
  }

  @Test
  void unsupportedPodIsRefusedLoudly() {
    cp.admin()
        .pods()
        .inNamespace(ns)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("host-path")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage(IMAGE)
                .addNewVolumeMount()
                .withName("data")
                .withMountPath("/data")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("data")
                .withNewHostPath()
                .withPath("/etc")
                .endHostPath()
                .endVolume()
                .endSpec()
                .build())
        .create();
    Pod failed =
        await("pod refused")
            .atMost(Duration.ofMinutes(2))
            .until(
                () -> cp.admin().pods().inNamespace(ns).withName("host-path").get(),
                p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase()));
    assertThat(
            failed
                .getStatus()
                .getContainerStatuses()
                .get(0)
                .getState()
                .getTerminated()
                .getMessage())
        .contains("unsupported volume data");
    assertThat(agent.errors())
        .singleElement()
        .asString()
        .contains("host-path")
        .contains("volume data");
    agent.forgetErrors(e -> e.contains("host-path"));
  }

  /**
   * A pod that ends (restartPolicy Never) stays ended with its exit code and its log readable
   * through the API server; its image comes from the registry that needs credentials, pulled with
   * the pod's image pull Secret; activeDeadlineSeconds ends a pod that runs on.
   */
  @Test
  void podEndsAsItsRestartPolicySaysWithItsLogAndPullSecret() {
    cp.createPushSecret(ns); // "regcred", dockerconfigjson for the htpasswd registry
    String image = Tools.AUTH_REGISTRY + "/" + ns + "/node:22-alpine";
    // registry to registry: the image is never in the local store, so the pod's pull is a real
    // one (and no other test's pull or clean-up decides whether IMAGE is there locally)
    Proc.run(
            Duration.ofMinutes(3),
            "skopeo",
            "copy",
            "--quiet",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            "--dest-creds",
            Tools.REGISTRY_USER + ":" + Tools.REGISTRY_PASSWORD,
            "docker://" + IMAGE,
            "docker://" + image)
        .check();
    cp.admin()
        .pods()
        .inNamespace(ns)
        .resource(oneShot("once", image, "console.log('hello from once'); process.exit(3)", null))
        .create();
    Pod once =
        await("pod once ended")
            .atMost(Duration.ofMinutes(2))
            .until(
                () -> cp.admin().pods().inNamespace(ns).withName("once").get(),
                p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase()));
    ContainerStatus c = once.getStatus().getContainerStatuses().get(0);
    assertThat(c.getState().getTerminated().getExitCode()).isEqualTo(3);
    assertThat(c.getRestartCount()).isZero();
    Proc.Result logs = cp.kubectl("logs", "once", "-n", ns);
    assertThat(logs.exitCode()).as(logs.output()).isZero();
    assertThat(logs.output()).contains("hello from once");

    cp.admin()
        .pods()
        .inNamespace(ns)
        .resource(oneShot("deadline", IMAGE, "setInterval(() => {}, 1000)", 5L))
        .create();
    Pod deadline =
        await("pod deadline stopped")
            .atMost(Duration.ofMinutes(2))
            .until(
                () -> cp.admin().pods().inNamespace(ns).withName("deadline").get(),
                p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase()));
    assertThat(deadline.getStatus().getReason()).isEqualTo("DeadlineExceeded");
  }

  static Pod oneShot(String name, String image, String script, Long deadline) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withActiveDeadlineSeconds(deadline)
        .withTerminationGracePeriodSeconds(2L)
        .withAutomountServiceAccountToken(false)
        .addNewImagePullSecret("regcred")
        .addNewContainer()
        .withName("app")
        .withImage(image)
        .withCommand("node", "-e", script)
        .endContainer()
        .endSpec()
        .build();
  }
}

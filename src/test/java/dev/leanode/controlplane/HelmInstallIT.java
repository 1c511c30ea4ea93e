package dev.leanode.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.e2e.NodeAgent;
import dev.leanode.e2e.Proc;
import dev.leanode.e2e.Registry;
import dev.leanode.e2e.Tools;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code helm install} for real: the chart (helm-java, Helm 3 as a library) into the real API
 * server, the operator image built by Jib on the local JRE base ({@code hack/operator-image.sh
 * --base local}) pulled from the local registry, its Deployment's pods run by the node agent's
 * {@link dev.leanode.e2e.PodmanPodRunner} as a kubelet would (read-only root, uid from the image,
 * capabilities dropped, the projected ServiceAccount token, probes). The operator in the pod has
 * nothing but the chart's ServiceAccount and RBAC; build pods still run on the buildah stand-in.
 */
class HelmInstallIT {
  static final String RELEASE = "leanode-helm";
  static final String CHART = "deploy/helm/leanode";

  ControlPlane cp;
  NodeAgent agent;
  String releaseNs;
  String appNs;

  @BeforeEach
  void setUp() {
    cp = ControlPlane.require();
    OperatorOnCluster.releaseShared(); // one operator and one node agent per cluster
    cp.applyCrd();
    releaseNs = "leanode-helm-" + java.util.UUID.randomUUID().toString().substring(0, 5);
    cp.admin()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(releaseNs).endMetadata().build())
        .create();
    // The chart's CA-bundle feature: outbound HTTPS here is re-signed by a local CA (npm in builds)
    try {
      cp.admin()
          .configMaps()
          .inNamespace(releaseNs)
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("host-ca")
                  .endMetadata()
                  .addToData("ca.crt", Files.readString(Path.of(OperatorOnCluster.HOST_CA)))
                  .build())
          .create();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    appNs = cp.newNamespace("helmapp");
    cp.createPushSecret(appNs);
    agent =
        new NodeAgent(
                cp.admin(),
                cp.nodeName,
                Path.of("target/node-agent-helm").toAbsolutePath(),
                Duration.ofMinutes(15))
            .start();
  }

  @AfterEach
  void tearDown() {
    try {
      Helm.uninstall(RELEASE).withNamespace(releaseNs).withKubeConfig(cp.adminKubeconfig).call();
    } catch (RuntimeException e) {
      // already uninstalled by the test
    }
    if (agent != null) {
      await("operator pods stopped")
          .atMost(Duration.ofSeconds(90))
          .until(() -> cp.admin().pods().inNamespace(releaseNs).list().getItems().isEmpty());
      List<String> errors = agent.errors();
      agent.close();
      assertThat(errors).as("node agent errors").isEmpty();
    }
    cp.deleteNamespace(appNs);
    cp.deleteNamespace(releaseNs);
  }

  /** The image the tests install: LEANODE_TEST_OPERATOR_IMAGE or operator-image.env. */
  static String operatorImage() {
    String img = System.getenv("LEANODE_TEST_OPERATOR_IMAGE");
    if (img == null || img.isEmpty()) {
      Path env =
          Path.of(System.getenv().getOrDefault("LEANODE_STATE_DIR", "/tmp/leanode-ci"))
              .resolve("operator-image.env");
      if (Files.isRegularFile(env)) {
        var m =
            Pattern.compile("LEANODE_TEST_OPERATOR_IMAGE=(\\S+)").matcher(ControlPlane.read(env));
        if (m.find()) {
          img = m.group(1);
        }
      }
    }
    if (img == null
        || !Proc.run(
                Duration.ofSeconds(30),
                "skopeo",
                "inspect",
                "--raw",
                "--tls-verify=false",
                "docker://" + img)
            .ok()) {
      throw new AssertionError(
          "no operator image in the local registry ("
              + img
              + "): run 'bash hack/operator-image.sh --base local' (or ./mvnw verify with"
              + " $(bash hack/operator-image.sh --base local --maven-args), as .ci/run does)");
    }
    return img;
  }

  Map<String, Object> values(Map<String, Object> extra) {
    String img = operatorImage();
    int colon = img.lastIndexOf(':');
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("image.repository", img.substring(0, colon));
    v.put("image.tag", img.substring(colon + 1));
    v.put("build.caBundle.configMap", "host-ca");
    // Docker Hub's node:22-alpine through the local registry as its pull-through mirror (no
    // internet here): the operator resolves the base's digest there, the builds pull it there
    v.put("build.registryMirrors[0]", dev.leanode.e2e.Tools.REGISTRY);
    v.putAll(extra);
    return v;
  }

  Instant install(Map<String, Object> values) {
    var cmd =
        new Helm(Path.of(CHART))
            .install()
            .withName(RELEASE)
            .withNamespace(releaseNs)
            .withKubeConfig(cp.adminKubeconfig);
    values.forEach(cmd::set);
    Instant t0 = Instant.now();
    cmd.call();
    return t0;
  }

  Deployment deployment() {
    return cp.admin().apps().deployments().inNamespace(releaseNs).withName(RELEASE).get();
  }

  Duration awaitAvailable(Instant since, long generation) {
    await("Deployment " + RELEASE + " Available")
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              assertThat(agent.errors()).as("node agent errors").isEmpty();
              Deployment d = deployment();
              var s = d.getStatus();
              return s != null
                  && s.getObservedGeneration() != null
                  && s.getObservedGeneration() >= generation
                  && d.getSpec().getReplicas().equals(s.getUpdatedReplicas())
                  && d.getSpec().getReplicas().equals(s.getAvailableReplicas())
                  && (s.getReplicas() == null || s.getReplicas().equals(s.getUpdatedReplicas()))
                  && s.getConditions().stream()
                      .anyMatch(
                          c -> c.getType().equals("Available") && c.getStatus().equals("True"));
            });
    return Duration.between(since, Instant.now());
  }

  List<Pod> operatorPods() {
    return cp.admin().pods().inNamespace(releaseNs).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  String podman(Pod pod, String... command) {
    String container =
        agent.pods().containerOf(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    List<String> cmd = new java.util.ArrayList<>(Tools.podman("exec", container));
    cmd.addAll(List.of(command));
    return Proc.run(Duration.ofMinutes(1), cmd).output();
  }

  static String get(String url) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    return r.body();
  }

  void applySeed(String name) throws Exception {
    applySeed(appNs, name);
  }

  void applySeed(String ns, String name) throws Exception {
    String yaml =
        """
        apiVersion: leanode.dev/v1alpha1
        kind: NodeAppImage
        metadata:
          name: %s
        spec:
          source:
            inline:
              files:
                package.json: '{"name":"seed","version":"1.0.0","main":"index.js"}'
                index.js: 'require("http").createServer((q,s)=>s.end("hello from seed")).listen(process.env.PORT||3000)'
          app: {port: 3000}
          output: {image: "%s", insecure: true, pushSecretRef: {name: regcred}}
        """
            .formatted(name, Tools.AUTH_REGISTRY + "/" + ns + "/" + name + ":1");
    Path f = Files.createTempFile("nai", ".yaml");
    Files.writeString(f, yaml);
    cp.kubectl("apply", "-n", ns, "-f", f.toString()).check();
  }

  String awaitReady(String name) {
    Proc.Result r =
        cp.kubectl("wait", "--for=condition=Ready", "nai/" + name, "-n", appNs, "--timeout=6m");
    assertThat(r.exitCode()).as("%s\noperator log:\n%s", r.output(), operatorLogs()).isZero();
    NodeAppImage built =
        cp.admin().resources(NodeAppImage.class).inNamespace(appNs).withName(name).get();
    assertThat(built.getStatus().getOutput().getDigest())
        .isEqualTo(Registry.digest(Tools.AUTH_REGISTRY + "/" + appNs + "/" + name + ":1"));
    return built.getStatus().getOutput().getDigest();
  }

  String operatorLogs() {
    StringBuilder b = new StringBuilder();
    for (Pod p : operatorPods()) {
      String c = agent.pods().containerOf(releaseNs, p.getMetadata().getName());
      if (c != null) {
        b.append("--- ").append(p.getMetadata().getName()).append('\n');
        b.append(
            Proc.run(Duration.ofSeconds(30), Tools.podman("logs", "--tail", "40", c)).output());
      }
    }
    return b.toString();
  }

  @Test
  void installBuildUpgradeUninstall() throws Exception {
    Instant t0 = install(values(Map.of()));
    Duration toAvailable = awaitAvailable(t0, 1);
    Pod pod = operatorPods().get(0);
    System.out.printf(
        "helm install -> Deployment Available: %.1f s (image pull, podman start, JVM, probes)%n",
        toAvailable.toMillis() / 1000.0);

    // the pod as the kubelet runs it: numeric non-root user of the image, read-only root with a
    // writable /tmp emptyDir, no capabilities, the projected ServiceAccount token
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(RELEASE);
    String status = podman(pod, "cat", "/proc/1/status");
    assertThat(status).containsPattern("(?m)^Uid:\\s+185\\s");
    assertThat(status).containsPattern("(?m)^CapEff:\\s+0+$");
    assertThat(status).containsPattern("(?m)^NoNewPrivs:\\s+1$");
    assertThat(podman(pod, "sh", "-c", "touch /home/jboss/x 2>&1; touch /tmp/x && echo tmp-ok"))
        .contains("Read-only file system")
        .contains("tmp-ok");
    assertThat(podman(pod, "cat", "/var/run/secrets/kubernetes.io/serviceaccount/namespace"))
        .isEqualTo(releaseNs);
    assertThat(podman(pod, "sh", "-c", "ls /var/run/secrets/kubernetes.io/serviceaccount"))
        .contains("token")
        .contains("ca.crt");
    String podIp =
        cp.admin()
            .pods()
            .inNamespace(releaseNs)
            .withName(pod.getMetadata().getName())
            .get()
            .getStatus()
            .getPodIP();

    // a build, reconciled by the operator in the pod (the chart's RBAC only)
    applySeed("seed");
    awaitReady("seed");
    String metrics = get("http://" + podIp + ":8080/q/metrics");
    assertThat(metrics)
        .containsPattern("(?m)^leanode_builds_started_total(\\{[^}]*\\})? [1-9]")
        .containsPattern(
            "(?m)^leanode_builds_finished_total\\{[^}]*outcome=\"succeeded\"[^}]*\\} [1-9]");
    String rss = podman(pod, "sh", "-c", "grep VmRSS /proc/1/status");
    System.out.printf("operator RSS after one build (limit 512Mi): %s%n", rss.trim());

    // helm upgrade with a changed value rolls the Deployment: a new pod with the new env
    String oldPod = pod.getMetadata().getName();
    // the CRD upgrade path of docs/helm.md, as written
    cp.kubectl("apply", "--server-side", "-f", CHART + "/crds/").check();
    var up =
        Helm.upgrade(CHART)
            .withName(RELEASE)
            .withNamespace(releaseNs)
            .withKubeConfig(cp.adminKubeconfig)
            .reuseValues()
            .set("logLevel", "DEBUG");
    up.call();
    awaitAvailable(Instant.now(), 2);
    await("old pod " + oldPod + " gone")
        .atMost(Duration.ofMinutes(2))
        .until(() -> cp.admin().pods().inNamespace(releaseNs).withName(oldPod).get() == null);
    Pod rolled = operatorPods().get(0);
    assertThat(rolled.getMetadata().getName()).isNotEqualTo(oldPod);
    assertThat(rolled.getSpec().getContainers().get(0).getEnv())
        .anyMatch(
            e ->
                e.getName().equals("QUARKUS_LOG_CATEGORY__DEV_LEANODE__LEVEL")
                    && "DEBUG".equals(e.getValue()));
    // the upgraded operator still reconciles
    applySeed("seed2");
    awaitReady("seed2");

    // helm uninstall leaves what docs/helm.md says: the CRD and the NodeAppImages (with their
    // Jobs and ConfigMaps); the operator, its RBAC and Services are gone
    Helm.uninstall(RELEASE).withNamespace(releaseNs).withKubeConfig(cp.adminKubeconfig).call();
    await("release objects gone")
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                cp.admin().apps().deployments().inNamespace(releaseNs).list().getItems().isEmpty()
                    && cp.admin().pods().inNamespace(releaseNs).list().getItems().isEmpty());
    assertThat(cp.admin().serviceAccounts().inNamespace(releaseNs).withName(RELEASE).get())
        .isNull();
    assertThat(cp.admin().services().inNamespace(releaseNs).list().getItems()).isEmpty();
    assertThat(cp.admin().rbac().clusterRoles().list().getItems())
        .noneMatch(r -> r.getMetadata().getName().startsWith(RELEASE));
    assertThat(cp.admin().rbac().clusterRoleBindings().list().getItems())
        .noneMatch(r -> r.getMetadata().getName().startsWith(RELEASE));
    assertThat(cp.admin().rbac().roles().inNamespace(releaseNs).list().getItems()).isEmpty();
    assertThat(
            cp.admin()
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(ControlPlane.CRD_NAME)
                .get())
        .isNotNull();
    assertThat(cp.admin().resources(NodeAppImage.class).inNamespace(appNs).list().getItems())
        .extracting(n -> n.getMetadata().getName())
        .containsExactlyInAnyOrder("seed", "seed2");
    assertThat(cp.admin().batch().v1().jobs().inNamespace(appNs).list().getItems()).hasSize(2);
  }

  /**
   * Two replicas: one holds the Lease and reconciles; its pod is deleted while a build runs, the
   * other takes the Lease over within the lease duration (JOSDK's default 15 s), adopts the running
   * Job (no second Job, one build), and records the result.
   */
  @Test
  void leaderElectionFailoverMidBuild() throws Exception {
    Instant t0 = install(values(Map.of("replicas", 2)));
    awaitAvailable(t0, 1);
    List<String> pods = operatorPods().stream().map(p -> p.getMetadata().getName()).toList();
    assertThat(pods).hasSize(2);
    await("a Lease holder")
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> {
              Lease l = lease(cp, releaseNs);
              return l == null ? null : l.getSpec().getHolderIdentity();
            },
            h -> h != null && pods.contains(h));

    applySeed("seed");
    await("build Job running")
        .atMost(Duration.ofMinutes(3))
        .until(
            () ->
                cp.admin().batch().v1().jobs().inNamespace(appNs).list().getItems().stream()
                    .anyMatch(
                        j ->
                            j.getStatus() != null
                                && Integer.valueOf(1).equals(j.getStatus().getActive())));
    // only the leader reconciles: one pod started the build, it holds the Lease now, and the
    // other (informers warm) started none
    java.util.Map<String, Long> started = new java.util.LinkedHashMap<>();
    try {
      await("one build started, counted by one operator pod")
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (String p : pods) {
                  started.put(p, buildsStarted(p));
                }
                return started.values().stream().mapToLong(Long::longValue).sum() == 1;
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "leanode_builds_started_total per pod: "
              + started
              + ", Lease holder "
              + lease(cp, releaseNs).getSpec().getHolderIdentity()
              + "\noperator logs:\n"
              + operatorLogs(),
          e);
    }
    String leader =
        started.entrySet().stream()
            .filter(e -> e.getValue() == 1)
            .findFirst()
            .orElseThrow()
            .getKey();
    String standby = pods.stream().filter(p -> !p.equals(leader)).findFirst().orElseThrow();
    assertThat(lease(cp, releaseNs).getSpec().getHolderIdentity())
        .as("the pod that started the build holds the Lease (builds started: %s)", started)
        .isEqualTo(leader);
    assertThat(started).as("leanode_builds_started_total per pod").containsEntry(standby, 0L);
    String job =
        cp.admin()
            .batch()
            .v1()
            .jobs()
            .inNamespace(appNs)
            .list()
            .getItems()
            .get(0)
            .getMetadata()
            .getName();
    var atStop = cp.admin().batch().v1().jobs().inNamespace(appNs).withName(job).get().getStatus();
    Instant stop = Instant.now();
    cp.admin().pods().inNamespace(releaseNs).withName(leader).delete();
    assertThat(atStop.getSucceeded() == null || atStop.getSucceeded() == 0)
        .as("the build still ran when the leader went: %s", atStop)
        .isTrue();
    // the standby, or the pod the ReplicaSet starts in the deleted one's place: whichever asks
    // first once the Lease has expired (both are followers; a fast replacement can win the race)
    String holder =
        await("another operator pod than " + leader + " holds the Lease")
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(250))
            .until(
                () -> lease(cp, releaseNs).getSpec().getHolderIdentity(),
                h -> h != null && !h.equals(leader));
    Duration failover = Duration.between(stop, Instant.now());
    System.out.printf(
        "leader %s deleted mid-build -> %s (%s) holds the Lease after %.1f s%n",
        leader,
        holder,
        holder.equals(standby) ? "the standby" : "its replacement",
        failover.toMillis() / 1000.0);
    assertThat(operatorPods())
        .as("the new holder is a live operator pod of the release")
        .extracting(p -> p.getMetadata().getName())
        .contains(holder);

    awaitReady("seed");
    assertThat(cp.admin().batch().v1().jobs().inNamespace(appNs).list().getItems())
        .as("the running Job was adopted, not built again")
        .extracting(j -> j.getMetadata().getName())
        .containsExactly(job);
    assertThat(agent.builds().stream().filter(b -> b.namespace().equals(appNs)).count())
        .as("builds run by the node agent")
        .isEqualTo(1);
  }

  /** The chart's other variant: watchNamespaces, Roles instead of a ClusterRole. */
  @Test
  void watchNamespacesVariant() throws Exception {
    String other = cp.newNamespace("helmother");
    try {
      cp.createPushSecret(other);
      Instant t0 = install(values(Map.of("watchNamespaces[0]", appNs)));
      awaitAvailable(t0, 1);
      assertThat(cp.admin().rbac().clusterRoleBindings().list().getItems())
          .noneMatch(b -> b.getMetadata().getName().startsWith(RELEASE));
      applySeed(other, "seed");
      applySeed("seed");
      awaitReady("seed");
      assertThat(
              cp.admin()
                  .resources(NodeAppImage.class)
                  .inNamespace(other)
                  .withName("seed")
                  .get()
                  .getStatus())
          .as("a NodeAppImage outside watchNamespaces is left alone")
          .isNull();
      assertThat(cp.admin().batch().v1().jobs().inNamespace(other).list().getItems()).isEmpty();
    } finally {
      cp.deleteNamespace(other);
    }
  }

  /** leanode_builds_started_total of one operator pod (0 when the counter has no sample yet). */
  long buildsStarted(String pod) throws Exception {
    String ip = cp.admin().pods().inNamespace(releaseNs).withName(pod).get().getStatus().getPodIP();
    var m =
        Pattern.compile("(?m)^leanode_builds_started_total(?:\\{[^}]*\\})? ([0-9.]+)")
            .matcher(get("http://" + ip + ":8080/q/metrics"));
    long n = 0;
    while (m.find()) {
      n += (long) Double.parseDouble(m.group(1));
    }
    return n;
  }

  static Lease lease(ControlPlane cp, String ns) {
    return cp.admin().leases().inNamespace(ns).withName("leanode-operator-lease").get();
  }
}

package dev.leanode.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.e2e.Proc;
import dev.leanode.e2e.Registry;
import dev.leanode.e2e.Tools;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * README's cluster story on a real API server and controller-manager, through kubectl: apply the
 * example, {@code kubectl wait --for=condition=Ready}, {@code kubectl get nai}, digest = the
 * registry's; a spec edit bumps generation and builds again; {@code kubectl delete} leaves the
 * garbage collector to remove Jobs, pods and ConfigMaps; an operator killed mid-build and started
 * anew (fresh JVM, initial list) adopts the running Job instead of starting another. The operator
 * runs with the chart's ServiceAccount token (cluster-wide RBAC) and env.
 */
class KubectlStoryIT {
  static final String LABEL = "leanode.dev/nodeappimage";
  static OperatorOnCluster install;
  static ControlPlane cp;
  String ns;

  @BeforeEach
  void namespace(TestInfo info) {
    install = OperatorOnCluster.shared();
    cp = install.cp;
    ns = cp.newNamespace("story");
    cp.createPushSecret(ns);
  }

  @AfterEach
  void cleanUp() {
    install.assertNoAgentErrors();
    cp.deleteNamespace(ns);
  }

  /** examples/express-app.yaml, pointed at the local htpasswd registry (plain HTTP: insecure). */
  Path example(String image) throws Exception {
    String yaml = Files.readString(Path.of("examples/express-app.yaml"));
    assertThat(yaml).contains("image: registry.example.com/team/express-app:1.0.0");
    yaml =
        yaml.replace(
            "image: registry.example.com/team/express-app:1.0.0",
            "image: " + image + "\n    insecure: true");
    Path f = Files.createTempFile("express-app", ".yaml");
    Files.writeString(f, yaml);
    return f;
  }

  NodeAppImage nai(String name) {
    return cp.admin().resources(NodeAppImage.class).inNamespace(ns).withName(name).get();
  }

  List<Job> jobs() {
    return cp.admin().batch().v1().jobs().inNamespace(ns).list().getItems();
  }

  void kubectlWaitReady(String name) {
    Proc.Result r =
        cp.kubectl("wait", "--for=condition=Ready", "nai/" + name, "-n", ns, "--timeout=10m");
    assertThat(r.exitCode())
        .as(
            "kubectl wait: %s\n%s\nstatus: %s",
            r.output(), install.diagnostics(), nai(name).getStatus())
        .isZero();
  }

  @Test
  void applyWaitGetEditDelete() throws Exception {
    String image = Tools.AUTH_REGISTRY + "/" + ns + "/express-app:1.0.0";
    cp.kubectl("apply", "-n", ns, "-f", example(image).toString()).check();
    kubectlWaitReady("express-app");

    NodeAppImage r = nai("express-app");
    String digest = Registry.digest(image);
    assertThat(r.getStatus().getOutput().getDigest()).isEqualTo(digest);
    assertThat(r.getStatus().getObservedGeneration()).isEqualTo(1L);
    Proc.Result get = cp.kubectl("get", "nai", "-n", ns).check();
    String row =
        get.output().lines().filter(l -> l.startsWith("express-app")).findFirst().orElseThrow();
    assertThat(row).contains("True").contains(image).contains(r.getStatus().getOutput().getSize());
    assertThat(jobs()).hasSize(1);
    String firstJob = jobs().get(0).getMetadata().getName();

    // a spec edit: the API server bumps generation, the operator builds the new inputs
    cp.kubectl(
            "patch",
            "nai",
            "express-app",
            "-n",
            ns,
            "--type=merge",
            "-p",
            "{\"spec\":{\"app\":{\"port\":3001}}}")
        .check();
    await("a second build Job for generation 2")
        .atMost(Duration.ofMinutes(2))
        .until(() -> jobs().stream().anyMatch(j -> !j.getMetadata().getName().equals(firstJob)));
    await("observedGeneration 2, Ready")
        .atMost(Duration.ofMinutes(10))
        .until(
            () -> {
              NodeAppImage n = nai("express-app");
              return n.getStatus() != null
                  && Long.valueOf(2).equals(n.getStatus().getObservedGeneration())
                  && n.getStatus().getConditions().stream()
                      .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
            });
    assertThat(nai("express-app").getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(nai("express-app").getStatus().getOutput().getDigest())
        .isEqualTo(Registry.digest(image));

    // delete: the real garbage collector removes what the NodeAppImage owns
    assertThat(cp.admin().configMaps().inNamespace(ns).withLabel(LABEL).list().getItems())
        .isNotEmpty();
    assertThat(cp.admin().pods().inNamespace(ns).withLabel(LABEL).list().getItems()).isNotEmpty();
    cp.kubectl("delete", "nai", "express-app", "-n", ns, "--wait=true").check();
    await("Jobs, pods and ConfigMaps garbage-collected")
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                jobs().isEmpty()
                    && cp.admin()
                        .pods()
                        .inNamespace(ns)
                        .withLabel(LABEL)
                        .list()
                        .getItems()
                        .isEmpty()
                    && cp.admin()
                        .configMaps()
                        .inNamespace(ns)
                        .withLabel(LABEL)
                        .list()
                        .getItems()
                        .isEmpty());
  }

  @Test
  void restartedOperatorAdoptsTheRunningJob() throws Exception {
    String image = Tools.AUTH_REGISTRY + "/" + ns + "/express-app:restart";
    cp.kubectl("apply", "-n", ns, "-f", example(image).toString()).check();
    await("the build pod runs")
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                cp.admin().pods().inNamespace(ns).list().getItems().stream()
                    .anyMatch(
                        p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())));
    String job = jobs().get(0).getMetadata().getName();
    install.operator().kill();
    install.startOperator();
    kubectlWaitReady("express-app");
    assertThat(jobs()).extracting(j -> j.getMetadata().getName()).containsExactly(job);
    assertThat(nai("express-app").getStatus().getBuild().getJob()).isEqualTo(job);
    assertThat(nai("express-app").getStatus().getBuild().getAttempt()).isIn(null, 1);
    assertThat(nai("express-app").getStatus().getOutput().getDigest())
        .isEqualTo(Registry.digest(image));
  }
}

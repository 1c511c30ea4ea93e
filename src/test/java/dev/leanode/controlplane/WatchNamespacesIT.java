package dev.leanode.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.e2e.Proc;
import dev.leanode.e2e.Registry;
import dev.leanode.e2e.Tools;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's {@code watchNamespaces} variant on a real API server: RBAC is a Role + RoleBinding in
 * the watched namespace (no ClusterRoleBinding for NodeAppImages), and with exactly that the
 * operator builds a NodeAppImage there (status written, Job created, Ready) while one in another
 * namespace is left alone. A verb missing from the Role fails this test.
 */
class WatchNamespacesIT {
  static ControlPlane cp;
  static OperatorOnCluster install;
  static String watched;
  static String other;

  @BeforeAll
  static void installNamespaced() {
    cp = ControlPlane.require();
    OperatorOnCluster.releaseShared();
    watched = cp.newNamespace("watched");
    other = cp.newNamespace("unwatched");
    install = OperatorOnCluster.install(Map.of("watchNamespaces[0]", watched), Map.of());
    install.startOperator();
  }

  @AfterAll
  static void uninstall() {
    if (install != null) {
      install.close();
    }
    if (cp != null) {
      cp.deleteNamespace(watched);
      cp.deleteNamespace(other);
    }
    // the next installation (OperatorOnCluster.shared) prunes this one's RBAC, as helm upgrade
    // would
  }

  @Test
  void rbacIsNamespacedAndEnough() throws Exception {
    assertThat(install.chart)
        .anyMatch(o -> o instanceof RoleBinding && watched.equals(o.getMetadata().getNamespace()));
    assertThat(install.chart)
        .noneMatch(
            o ->
                o instanceof ClusterRoleBinding
                    && ((ClusterRoleBinding) o).getRoleRef().getName().contains("nodeappimage"));
    Proc.Result can =
        cp.kubectl(
            "auth",
            "can-i",
            "create",
            "jobs.batch",
            "-n",
            other,
            "--as=system:serviceaccount:"
                + OperatorOnCluster.RELEASE_NAMESPACE
                + ":"
                + install.serviceAccount);
    assertThat(can.output().trim())
        .as("no Job rights outside the watched namespace")
        .isEqualTo("no");

    for (String ns : new String[] {watched, other}) {
      cp.createPushSecret(ns);
    }
    String image = Tools.AUTH_REGISTRY + "/" + watched + "/seed:1";
    String yaml =
        """
        apiVersion: leanode.dev/v1alpha1
        kind: NodeAppImage
        metadata:
          name: seed
        spec:
          source:
            inline:
              files:
                package.json: '{"name":"seed","version":"1.0.0","main":"index.js"}'
                index.js: 'require("http").createServer((q,s)=>s.end("hello from seed")).listen(process.env.PORT||3000)'
          app: {port: 3000}
          output: {image: "%s", insecure: true, pushSecretRef: {name: regcred}}
        """;
    for (String ns : new String[] {watched, other}) {
      Path f = Files.createTempFile("seed", ".yaml");
      Files.writeString(f, yaml.formatted(Tools.AUTH_REGISTRY + "/" + ns + "/seed:1"));
      cp.kubectl("apply", "-n", ns, "-f", f.toString()).check();
    }
    Proc.Result r =
        cp.kubectl("wait", "--for=condition=Ready", "nai/seed", "-n", watched, "--timeout=10m");
    assertThat(r.exitCode()).as("%s\n%s", r.output(), install.diagnostics()).isZero();
    NodeAppImage built =
        cp.admin().resources(NodeAppImage.class).inNamespace(watched).withName("seed").get();
    assertThat(built.getStatus().getOutput().getDigest()).isEqualTo(Registry.digest(image));
    // the other namespace: the operator neither watches nor may touch it
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                cp.admin()
                            .resources(NodeAppImage.class)
                            .inNamespace(other)
                            .withName("seed")
                            .get()
                            .getStatus()
                        == null
                    && cp.admin()
                        .batch()
                        .v1()
                        .jobs()
                        .inNamespace(other)
                        .list()
                        .getItems()
                        .isEmpty());
    install.assertNoAgentErrors();
  }
}

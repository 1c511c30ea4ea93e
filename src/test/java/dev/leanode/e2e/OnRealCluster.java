package dev.leanode.e2e;

import dev.leanode.controlplane.OperatorOnCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every real-build IT stands on: the JVM's shared installation on the real control plane
 * (operator process with the chart's RBAC, node agent), a namespace of the test's own and an admin
 * client defaulting to it; afterwards no node-agent or stand-in error, and the namespace deleted.
 */
abstract class OnRealCluster {
  OperatorOnCluster install;
  String ns;
  KubernetesClient client;

  @BeforeEach
  void cluster() {
    install = OperatorOnCluster.shared();
    ns = install.cp.newNamespace(getClass().getSimpleName().replace("IT", "").toLowerCase());
    client = install.cp.adminIn(ns);
  }

  @AfterEach
  void noAgentErrors() {
    install.assertNoAgentErrors();
    install.cp.deleteNamespace(ns);
    client.close();
  }
}

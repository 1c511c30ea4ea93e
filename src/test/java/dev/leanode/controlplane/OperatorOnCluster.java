package dev.leanode.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.e2e.NodeAgent;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One test class's installation, as {@code helm install} would leave it minus the Deployment: the
 * CRD, the chart's ServiceAccount and (Cluster)Role bindings in {@code leanode-system}, the
 * operator as its own process with that ServiceAccount's token and the chart's env, and the node
 * agent that runs the build pods. A missing verb in the chart's RBAC fails the operator's calls,
 * and so the test.
 */
public final class OperatorOnCluster implements AutoCloseable {
  public static final String RELEASE_NAMESPACE = "leanode-system";

  /** Outbound HTTPS here is re-signed by a local CA: builds trust it (the CA-bundle feature). */
  static final String HOST_CA = "/etc/ssl/certs/ca-certificates.crt";

  public final ControlPlane cp;
  public final List<HasMetadata> chart;
  public final Path kubeconfig;
  public final String serviceAccount;
  public final Map<String, String> env;
  public final NodeAgent agent;
  private final Path logDir;
  private OperatorProcess operator;
  private int starts;

  private OperatorOnCluster(
      ControlPlane cp, Map<String, Object> chartValues, Map<String, String> envOverrides) {
    this.cp = cp;
    cp.applyCrd();
    if (cp.admin().namespaces().withName(RELEASE_NAMESPACE).get() == null) {
      cp.admin()
          .namespaces()
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName(RELEASE_NAMESPACE)
                  .endMetadata()
                  .build())
          .create();
    }
    this.chart = cp.installChartRbac(RELEASE_NAMESPACE, chartValues);
    String sa =
        chart.stream()
            .filter(o -> o.getKind().equals("ServiceAccount"))
            .map(o -> o.getMetadata().getName())
            .findFirst()
            .orElseThrow(() -> new AssertionError("the chart renders no ServiceAccount"));
    this.serviceAccount = sa;
    this.kubeconfig = cp.serviceAccountKubeconfig(RELEASE_NAMESPACE, sa);
    Map<String, String> e = new LinkedHashMap<>(OperatorProcess.chartEnv(chart));
    e.put("POD_NAMESPACE", RELEASE_NAMESPACE);
    e.put("LEANODE_BUILD_CA_BUNDLE_FILE", HOST_CA);
    // There is no Docker Hub here: node:<version>-alpine resolves to a digest (and builds pull it)
    // through the local registry as a pull-through mirror, the product's registry-mirrors feature.
    e.put("LEANODE_BUILD_REGISTRY_MIRRORS", dev.leanode.e2e.Tools.REGISTRY);
    e.putAll(envOverrides);
    this.env = Map.copyOf(e);
    this.logDir = Path.of("target/controlplane-logs");
    this.agent =
        new NodeAgent(
                cp.admin(),
                cp.nodeName,
                Path.of("target/node-agent").toAbsolutePath(),
                Duration.ofMinutes(15))
            .servingLogs(cp.dir.resolve("pki"))
            .start();
  }

  private static OperatorOnCluster shared;

  /**
   * The JVM's default installation (cluster-wide chart, default values), its operator running: what
   * the real-build ITs share. A class that needs another installation calls {@link
   * #releaseShared()} first; the next {@code shared()} installs it again.
   */
  public static synchronized OperatorOnCluster shared() {
    if (shared == null) {
      shared = install(Map.of(), Map.of());
      Runtime.getRuntime().addShutdownHook(new Thread(OperatorOnCluster::releaseShared));
    }
    if (shared.operator() == null || !shared.operator().alive()) {
      shared.startOperator();
    }
    return shared;
  }

  /** Stops the shared installation's operator and node agent (only one of each may run). */
  public static synchronized void releaseShared() {
    if (shared != null) {
      shared.close();
      shared = null;
    }
  }

  /** Installs with these chart values (--set), env overrides on top of the chart's env. */
  public static OperatorOnCluster install(
      Map<String, Object> chartValues, Map<String, String> envOverrides) {
    return new OperatorOnCluster(ControlPlane.require(), chartValues, envOverrides);
  }

  /** Starts a new operator process (a fresh JVM: initial list, no memory of an earlier one). */
  public OperatorProcess startOperator() {
    assertThat(operator == null || !operator.alive()).as("one operator at a time").isTrue();
    Map<String, String> e = new LinkedHashMap<>(env);
    e.put(
        "POD_NAME",
        "leanode-test-" + (++starts) + "-" + UUID.randomUUID().toString().substring(0, 5));
    try {
      Files.createDirectories(logDir);
    } catch (java.io.IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
    operator =
        OperatorProcess.start(
            kubeconfig,
            e,
            List.of("-Xmx256m"),
            logDir.resolve("operator-" + e.get("POD_NAME") + ".log"));
    return operator;
  }

  public OperatorProcess operator() {
    return operator;
  }

  /** The operator's log and the node agent's errors: what a failing test needs to say why. */
  public String diagnostics() {
    return (operator == null ? "" : "operator log tail:\n" + operator.logTail(60) + "\n")
        + "node agent errors: "
        + agent.errors();
  }

  public void assertNoAgentErrors() {
    assertThat(agent.errors()).as("node agent / stand-in errors").isEmpty();
  }

  @Override
  public void close() {
    if (operator != null) {
      operator.close();
    }
    agent.close();
  }
}

package dev.leanode.controlplane;

import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.leanode.e2e.Proc;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The real control plane of {@code hack/cluster.sh} (etcd, kube-apiserver, kube-controller-manager
 * built from Go modules), as the tests use it: an admin client, kubectl, the CRD and the chart's
 * RBAC objects applied for real, and kubeconfigs holding a ServiceAccount token. Missing cluster →
 * the test fails with the command that starts it (it never skips).
 */
public final class ControlPlane {
  public static final String START = "bash hack/cluster.sh start";
  static final Path CHART = Path.of("deploy/helm/leanode");
  static final String CRD_NAME = "nodeappimages.leanode.dev";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static volatile ControlPlane instance;

  public final Path dir;
  public final Path adminKubeconfig;
  public final Path kubectl;
  public final String nodeName;
  private final KubernetesClient admin;

  private ControlPlane(Path dir) {
    this.dir = dir;
    this.adminKubeconfig = dir.resolve("admin.kubeconfig");
    this.kubectl = Path.of(read(dir.resolve("bin-dir")).trim()).resolve("kubectl");
    this.nodeName = System.getenv().getOrDefault("LEANODE_TEST_NODE_NAME", "leanode-node");
    this.admin = client(adminKubeconfig);
  }

  /** The running control plane, or an AssertionError that names {@link #START}. */
  public static ControlPlane require() {
    ControlPlane cp = instance;
    if (cp != null) {
      return cp;
    }
    synchronized (ControlPlane.class) {
      if (instance == null) {
        String d = System.getenv("LEANODE_TEST_CLUSTER_DIR");
        if (d == null || d.isBlank()) {
          d = System.getenv().getOrDefault("LEANODE_STATE_DIR", "/tmp/leanode-ci") + "/cluster";
        }
        Path dir = Path.of(d);
        if (!Files.isRegularFile(dir.resolve("admin.kubeconfig"))
            || !Files.isRegularFile(dir.resolve("bin-dir"))) {
          throw new AssertionError(
              "no real control plane at " + dir + ": run '" + START + "' (hack/README.md)");
        }
        Path agentPid = dir.resolve("node-agent.pid");
        if (Files.isRegularFile(agentPid)
            && ProcessHandle.of(Long.parseLong(read(agentPid).trim()))
                .map(ProcessHandle::isAlive)
                .orElse(false)) {
          throw new AssertionError(
              "the playground node agent runs on this cluster and would run the tests' pods too:"
                  + " stop it with 'bash hack/node-agent.sh stop'");
        }
        ControlPlane fresh = new ControlPlane(dir);
        try {
          fresh.admin.getKubernetesVersion();
        } catch (RuntimeException e) {
          throw new AssertionError(
              "the control plane at "
                  + dir
                  + " does not answer ("
                  + e.getMessage()
                  + "): run '"
                  + START
                  + "'",
              e);
        }
        instance = fresh;
      }
      return instance;
    }
  }

  public KubernetesClient admin() {
    return admin;
  }

  static KubernetesClient client(Path kubeconfig) {
    return new KubernetesClientBuilder().withConfig(config(kubeconfig)).build();
  }

  /**
   * The kubeconfig's settings and nothing else. A mock-tier {@code @QuarkusTest} that ran earlier
   * in the same failsafe JVM leaves fabric8's system properties ({@code kubernetes.master}, …)
   * pointing at its finished mock server; they must not redirect the real tier.
   */
  static Config config(Path kubeconfig) {
    System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith("kubernetes."))
        .forEach(System::clearProperty);
    String text = read(kubeconfig);
    Config config = Config.fromKubeconfig(null, text, kubeconfig.toString());
    var server = java.util.regex.Pattern.compile("(?m)^\\s*server:\\s*(\\S+)").matcher(text);
    if (server.find()) {
      config.setMasterUrl(server.group(1));
    }
    return config;
  }

  /** A fresh namespace for one test, deleted by the caller (or left to the next cluster start). */
  public String newNamespace(String prefix) {
    String ns = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    // the serviceaccount controller creates 'default'; the Job controller's pods need it
    await("default ServiceAccount in " + ns)
        .atMost(Duration.ofSeconds(60))
        .until(() -> admin.serviceAccounts().inNamespace(ns).withName("default").get() != null);
    return ns;
  }

  /** An admin client whose default namespace is {@code ns} (for tests written namespace-free). */
  public KubernetesClient adminIn(String ns) {
    Config config = config(adminKubeconfig);
    config.setNamespace(ns);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** {@code kubectl create secret docker-registry regcred} for the local htpasswd registry. */
  public void createPushSecret(String ns) {
    kubectl(
            "create",
            "secret",
            "docker-registry",
            "regcred",
            "-n",
            ns,
            "--docker-server=" + dev.leanode.e2e.Tools.AUTH_REGISTRY,
            "--docker-username=" + dev.leanode.e2e.Tools.REGISTRY_USER,
            "--docker-password=" + dev.leanode.e2e.Tools.REGISTRY_PASSWORD)
        .check();
  }

  public void deleteNamespace(String ns) {
    admin.namespaces().withName(ns).delete();
  }

  /** kubectl (the one built with the control plane) as the cluster admin. */
  public Proc.Result kubectl(String... args) {
    return kubectlAs(adminKubeconfig, args);
  }

  public Proc.Result kubectlAs(Path kubeconfig, String... args) {
    List<String> cmd =
        new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    return Proc.run(Duration.ofMinutes(12), Path.of("."), Map.of(), null, cmd);
  }

  /** Applies deploy/crds/ as a user would and waits until the API server serves the CRD. */
  public CustomResourceDefinition applyCrd() {
    kubectl("apply", "--server-side", "--force-conflicts", "-f", "deploy/crds/").check();
    await("CRD established")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                established(
                    admin
                        .apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .withName(CRD_NAME)
                        .get()));
    return admin.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).get();
  }

  static boolean established(CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }

  /** The chart rendered with helm-java (as {@code helm template} would), parsed. */
  public List<HasMetadata> renderChart(String releaseNamespace, Map<String, Object> sets) {
    TemplateCommand template =
        new Helm(CHART)
            .template()
            .withName("leanode")
            .withNamespace(releaseNamespace)
            .withKubeVersion(admin.getKubernetesVersion().getGitVersion().replaceFirst("^v", ""))
            .skipCrds();
    sets.forEach(template::set);
    String yaml = template.call();
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
        out.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
      }
    }
    return out;
  }

  /**
   * Installs what the chart would install except the workload (the operator runs as a process of
   * the test, with the chart's ServiceAccount token and env): ServiceAccount, (Cluster)Roles and
   * bindings, applied by the admin as Helm would. Returns the rendered objects, Deployment
   * included, so a test can read the env the chart gives the operator.
   */
  public List<HasMetadata> installChartRbac(String releaseNamespace, Map<String, Object> sets) {
    List<HasMetadata> objects = renderChart(releaseNamespace, sets);
    Set<String> workload = Set.of("Deployment", "Service", "ServiceMonitor");
    for (HasMetadata o : objects) {
      if (workload.contains(o.getKind())) {
        continue;
      }
      if (o.getMetadata().getNamespace() == null && namespaced(o.getKind())) {
        o.getMetadata().setNamespace(releaseNamespace);
      }
      admin.resource(o).forceConflicts().serverSideApply();
    }
    prune(objects);
    return objects;
  }

  /**
   * What {@code helm upgrade} does to objects of the release that the new rendering no longer has:
   * deletes them. Without it, a ClusterRoleBinding of an earlier cluster-wide install would still
   * grant what a {@code watchNamespaces} install must not.
   */
  private void prune(List<HasMetadata> rendered) {
    Set<String> keep = new java.util.HashSet<>();
    rendered.forEach(
        o ->
            keep.add(
                o.getKind()
                    + "/"
                    + o.getMetadata().getNamespace()
                    + "/"
                    + o.getMetadata().getName()));
    String[] release = {"app.kubernetes.io/part-of", "leanode"};
    List<HasMetadata> existing = new ArrayList<>();
    var rbac = admin.rbac();
    existing.addAll(rbac.clusterRoles().withLabel(release[0], release[1]).list().getItems());
    existing.addAll(rbac.clusterRoleBindings().withLabel(release[0], release[1]).list().getItems());
    existing.addAll(
        rbac.roles().inAnyNamespace().withLabel(release[0], release[1]).list().getItems());
    existing.addAll(
        rbac.roleBindings().inAnyNamespace().withLabel(release[0], release[1]).list().getItems());
    for (HasMetadata o : existing) {
      String kind = o.getKind() != null ? o.getKind() : o.getClass().getSimpleName();
      if (!keep.contains(
          kind + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName())) {
        admin.resource(o).delete();
      }
    }
  }

  private static boolean namespaced(String kind) {
    return !Set.of("ClusterRole", "ClusterRoleBinding", "Namespace", "CustomResourceDefinition")
        .contains(kind);
  }

  /** A kubeconfig that authenticates as a ServiceAccount with a token from TokenRequest. */
  public Path serviceAccountKubeconfig(String namespace, String serviceAccount) {
    var tr =
        admin
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(serviceAccount)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(7200L)
                    .endSpec()
                    .build());
    String token = tr.getStatus().getToken();
    Map<String, Object> kubeconfig = new LinkedHashMap<>();
    kubeconfig.put("apiVersion", "v1");
    kubeconfig.put("kind", "Config");
    String server = admin.getConfiguration().getMasterUrl().replaceAll("/$", "");
    kubeconfig.put(
        "clusters",
        List.of(
            Map.of(
                "name",
                "leanode-test",
                "cluster",
                Map.of(
                    "server",
                    server,
                    "certificate-authority",
                    dir.resolve("pki/ca.crt").toString()))));
    kubeconfig.put(
        "users", List.of(Map.of("name", serviceAccount, "user", Map.of("token", token))));
    kubeconfig.put(
        "contexts",
        List.of(
            Map.of(
                "name",
                "sa",
                "context",
                Map.of(
                    "cluster", "leanode-test", "user", serviceAccount, "namespace", namespace))));
    kubeconfig.put("current-context", "sa");
    Path file = dir.resolve("sa-" + namespace + "-" + serviceAccount + ".kubeconfig");
    try {
      Files.writeString(file, SERIALIZATION.asYaml(kubeconfig));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

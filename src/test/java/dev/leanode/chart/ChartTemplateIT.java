package dev.leanode.chart;

import static dev.leanode.chart.ChartUnderTest.NAMESPACE;
import static dev.leanode.chart.ChartUnderTest.chart;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.leanode.config.BuildSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Renders the chart with the value combinations users run and asserts on the objects. */
class ChartTemplateIT {

  static String appVersion() throws IOException {
    JsonNode chart =
        new ObjectMapper(new YAMLFactory())
            .readTree(ChartUnderTest.CHART.resolve("Chart.yaml").toFile());
    return chart.get("appVersion").asText();
  }

  static Container operator(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Nested
  class Defaults {
    final ChartUnderTest.Rendered r = chart().render();

    @Test
    void rendersExactlyTheOperatorObjects() {
      assertThat(r.objects().stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()))
          .containsExactlyInAnyOrder(
              "ServiceAccount/leanode",
              "ClusterRole/leanode",
              "ClusterRoleBinding/leanode",
              "Role/leanode-leader-election",
              "RoleBinding/leanode-leader-election",
              "Service/leanode-metrics",
              "Deployment/leanode");
      assertThat(r.objects())
          .filteredOn(o -> !(o instanceof ClusterRole || o instanceof ClusterRoleBinding))
          .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo(NAMESPACE));
      assertThat(r.objects())
          .allSatisfy(
              o ->
                  assertThat(o.getMetadata().getLabels())
                      .containsEntry("app.kubernetes.io/name", "leanode")
                      .containsEntry("app.kubernetes.io/managed-by", "Helm"));
    }

    @Test
    void imageDefaultsToWhereReleasesPublish() throws IOException {
      Container c = operator(r.deployment());
      assertThat(c.getImage()).isEqualTo("ghcr.io/leanode/leanode-operator:" + appVersion());
      assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
    }

    @Test
    void probesUseQuarkusHealthEndpointsOnOnePort() {
      Container c = operator(r.deployment());
      assertThat(c.getPorts())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(p.getContainerPort()).isEqualTo(8080);
              });
      assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
      assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
      assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
      assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    @Test
    void podMeetsTheRestrictedPodSecurityStandard() {
      PodSpec pod = r.deployment().getSpec().getTemplate().getSpec();
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getSeccompProfile().getType())
          .isEqualTo("RuntimeDefault");
      Container c = pod.getContainers().get(0);
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(c.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
      assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
      // read-only root filesystem: the JVM and Vert.x still need a writable /tmp
      assertThat(c.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/tmp"));
    }

    @Test
    void resourcesAreSet() {
      Container c = operator(r.deployment());
      assertThat(c.getResources().getRequests())
          .containsEntry("cpu", new Quantity("100m"))
          .containsEntry("memory", new Quantity("256Mi"));
      assertThat(c.getResources().getLimits()).containsEntry("memory", new Quantity("512Mi"));
    }

    @Test
    void operatorSettingsMatchTheOperatorsOwnDefaults() {
      BuildSettings defaults = BuildSettings.defaults();
      assertThat(r.env("LEANODE_BUILD_KANIKO_IMAGE")).hasValue(defaults.kanikoImage());
      assertThat(r.env("LEANODE_BUILD_CONTEXT_INIT_IMAGE")).hasValue(defaults.contextInitImage());
      assertThat(r.env("LEANODE_BUILD_DEFAULT_TIMEOUT")).hasValue("20m");
      assertThat(defaults.defaultTimeout().toMinutes()).isEqualTo(20);
      assertThat(r.env("LEANODE_BUILD_DEFAULT_CACHE"))
          .hasValue(String.valueOf(defaults.defaultCache()));
      assertThat(r.env("LEANODE_BUILD_MAX_CONCURRENT_BUILDS"))
          .hasValue(String.valueOf(defaults.maxConcurrentBuilds()));
      assertThat(r.env("LEANODE_BUILD_TTL_SECONDS_AFTER_FINISHED"))
          .hasValue(String.valueOf(defaults.ttlSecondsAfterFinished()));
      assertThat(r.env("LEANODE_BUILD_KEEP_JOBS")).hasValue(String.valueOf(defaults.keepJobs()));
      assertThat(r.env("LEANODE_BUILD_BASE_IMAGE_POLL_INTERVAL")).hasValue("10m");
      assertThat(defaults.baseImagePollInterval()).isEqualTo(java.time.Duration.ofMinutes(10));
      assertThat(r.env("LEANODE_BUILD_DEFAULT_PUSH_SECRET")).isEmpty();
      assertThat(r.env("LEANODE_BUILD_CA_BUNDLE_FILE")).isEmpty();
      assertThat(r.env("LEANODE_BUILD_REGISTRY_MIRRORS")).isEmpty();
      assertThat(defaults.registryMirrors()).isEmpty();
      assertThat(r.env("QUARKUS_LOG_CATEGORY__DEV_LEANODE__LEVEL")).hasValue("INFO");
    }

    @Test
    void watchesAllNamespacesWithLeaderElection() {
      assertThat(r.env("QUARKUS_OPERATOR_SDK_CONTROLLERS_NODEAPPIMAGE_NAMESPACES"))
          .hasValue("JOSDK_ALL_NAMESPACES");
      assertThat(r.env("LEANODE_LEADER_ELECTION_ENABLED")).hasValue("true");
      assertThat(r.env("LEANODE_LEADER_ELECTION_LEASE_NAME")).hasValue("leanode-operator-lease");
      assertThat(operator(r.deployment()).getEnv())
          .anySatisfy(
              e -> {
                assertThat(e.getName()).isEqualTo("POD_NAMESPACE");
                assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                    .isEqualTo("metadata.namespace");
              });
      assertThat(r.deployment().getSpec().getReplicas()).isEqualTo(1);
      assertThat(r.deployment().getSpec().getStrategy()).isNull();
    }

    @Test
    void runsAsItsOwnServiceAccountBoundToItsRoles() {
      String sa = r.one(ServiceAccount.class).getMetadata().getName();
      assertThat(r.deployment().getSpec().getTemplate().getSpec().getServiceAccountName())
          .isEqualTo(sa);
      assertThat(r.one(ClusterRoleBinding.class).getSubjects())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.getName()).isEqualTo(sa);
                assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
              });
      assertThat(r.one(RoleBinding.class).getSubjects())
          .singleElement()
          .satisfies(s -> assertThat(s.getName()).isEqualTo(sa));
    }

    @Test
    void metricsServiceSelectsTheOperatorPod() {
      Service svc = r.one(Service.class);
      Map<String, String> podLabels =
          r.deployment().getSpec().getTemplate().getMetadata().getLabels();
      assertThat(podLabels).containsAllEntriesOf(svc.getSpec().getSelector());
      assertThat(svc.getSpec().getType()).isEqualTo("ClusterIP");
      assertThat(svc.getSpec().getPorts())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.getName()).isEqualTo("http-metrics");
                assertThat(p.getPort()).isEqualTo(8080);
                assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
              });
      assertThat(r.ofKind("ServiceMonitor")).isEmpty();
    }

    @Test
    void templatesDoNotRenderTheCrd() {
      // CRDs come from crds/ (installed once by helm install), never from templates/
      assertThat(r.ofKind("CustomResourceDefinition")).isEmpty();
    }
  }

  @Nested
  class WatchNamespaces {
    final ChartUnderTest.Rendered r =
        chart().setList("watchNamespaces", "team-a", "team-b").render();

    @Test
    void operatorWatchesOnlyTheListedNamespaces() {
      assertThat(r.env("QUARKUS_OPERATOR_SDK_CONTROLLERS_NODEAPPIMAGE_NAMESPACES"))
          .hasValue("team-a,team-b");
    }

    @Test
    void rbacIsARolePerWatchedNamespaceAndNoClusterRole() {
      assertThat(r.all(ClusterRole.class)).isEmpty();
      assertThat(r.all(ClusterRoleBinding.class)).isEmpty();
      assertThat(r.all(Role.class).stream().map(ChartTemplateIT::nsName))
          .containsExactlyInAnyOrder(
              "team-a/leanode", "team-b/leanode", NAMESPACE + "/leanode-leader-election");
      assertThat(r.all(RoleBinding.class))
          .allSatisfy(
              b -> {
                assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
                assertThat(b.getSubjects())
                    .singleElement()
                    .satisfies(s -> assertThat(s.getNamespace()).isEqualTo(NAMESPACE));
              });
    }

    @Test
    void permissionsStopAtTheWatchedNamespaces() {
      RbacRules rbac = r.rbac();
      assertThat(rbac.allows("watch", "leanode.dev", "nodeappimages", "team-a")).isTrue();
      assertThat(rbac.allows("create", "batch", "jobs", "team-b")).isTrue();
      assertThat(rbac.allows("watch", "leanode.dev", "nodeappimages", "team-c")).isFalse();
      assertThat(rbac.allows("get", "", "secrets", NAMESPACE)).isFalse();
      assertThat(rbac.allows("list", "leanode.dev", "nodeappimages", null))
          .as("no cluster-wide list")
          .isFalse();
    }
  }

  @Nested
  class CustomImage {
    @Test
    void repositoryTagAndPullPolicyComeFromValues() {
      Deployment d =
          chart()
              .set("image.repository", "registry.internal/mirror/leanode-operator")
              .set("image.tag", "0.2.0-rc1")
              .set("image.pullPolicy", "Always")
              .setList("imagePullSecrets", "mirror-pull")
              .render()
              .deployment();
      assertThat(operator(d).getImage())
          .isEqualTo("registry.internal/mirror/leanode-operator:0.2.0-rc1");
      assertThat(operator(d).getImagePullPolicy()).isEqualTo("Always");
      assertThat(d.getSpec().getTemplate().getSpec().getImagePullSecrets())
          .singleElement()
          .satisfies(s -> assertThat(s.getName()).isEqualTo("mirror-pull"));
    }

    @Test
    void digestPinsTheImage() {
      String digest = "sha256:" + "a".repeat(64);
      Deployment d = chart().set("image.digest", digest).render().deployment();
      assertThat(operator(d).getImage()).isEqualTo("ghcr.io/leanode/leanode-operator@" + digest);
    }

    @Test
    void kindLoadedImageWithNeverPull() {
      Deployment d =
          chart()
              .set("image.repository", "leanode-operator")
              .set("image.tag", "dev")
              .set("image.pullPolicy", "Never")
              .render()
              .deployment();
      assertThat(operator(d).getImage()).isEqualTo("leanode-operator:dev");
      assertThat(operator(d).getImagePullPolicy()).isEqualTo("Never");
    }
  }

  @Nested
  class LeaderElectionOff {
    final ChartUnderTest.Rendered r = chart().set("leaderElection.enabled", false).render();

    @Test
    void noLeaseRbacAndTheOperatorIsTold() {
      assertThat(r.all(Role.class)).isEmpty();
      assertThat(r.all(RoleBinding.class)).isEmpty();
      assertThat(r.env("LEANODE_LEADER_ELECTION_ENABLED")).hasValue("false");
      assertThat(r.rbac().allows("create", "coordination.k8s.io", "leases", NAMESPACE)).isFalse();
    }

    @Test
    void oldPodStopsBeforeTheNewOneStarts() {
      // without a lease two operator pods overlapping in a rolling update would both reconcile
      assertThat(r.deployment().getSpec().getStrategy().getType()).isEqualTo("Recreate");
    }
  }

  @Nested
  class OperatorSettings {
    @Test
    void buildSettingsBecomeLeanodeProperties() {
      ChartUnderTest.Rendered r =
          chart()
              .set("build.kanikoImage", "mirror.internal/kaniko:v1.26.2")
              .set("build.contextInitImage", "mirror.internal/busybox:1.37.0")
              .set("build.defaultTimeout", "45m")
              .set("build.defaultCache", false)
              .set("build.maxConcurrentBuilds", 4)
              .set("build.defaultPushSecret", "regcred")
              .set("build.ttlSecondsAfterFinished", 600)
              .set("build.keepJobs", 1)
              .setList("build.registryMirrors", "harbor.corp/dockerhub-proxy", "127.0.0.1:5000")
              .set("logLevel", "DEBUG")
              .set("replicas", 2)
              .set("jvmOptions", "-XX:MaxRAMPercentage=60")
              .render();
      assertThat(r.env("LEANODE_BUILD_KANIKO_IMAGE")).hasValue("mirror.internal/kaniko:v1.26.2");
      assertThat(r.env("LEANODE_BUILD_CONTEXT_INIT_IMAGE"))
          .hasValue("mirror.internal/busybox:1.37.0");
      assertThat(r.env("LEANODE_BUILD_DEFAULT_TIMEOUT")).hasValue("45m");
      assertThat(r.env("LEANODE_BUILD_DEFAULT_CACHE")).hasValue("false");
      assertThat(r.env("LEANODE_BUILD_MAX_CONCURRENT_BUILDS")).hasValue("4");
      assertThat(r.env("LEANODE_BUILD_DEFAULT_PUSH_SECRET")).hasValue("regcred");
      assertThat(r.env("LEANODE_BUILD_TTL_SECONDS_AFTER_FINISHED")).hasValue("600");
      assertThat(r.env("LEANODE_BUILD_KEEP_JOBS")).hasValue("1");
      // SmallRye splits a list property on commas: the operator reads both mirrors, in order
      assertThat(r.env("LEANODE_BUILD_REGISTRY_MIRRORS"))
          .hasValue("harbor.corp/dockerhub-proxy,127.0.0.1:5000");
      assertThat(r.env("QUARKUS_LOG_CATEGORY__DEV_LEANODE__LEVEL")).hasValue("DEBUG");
      assertThat(r.env("JAVA_OPTS_APPEND"))
          .hasValue(
              "-Djava.util.logging.manager=org.jboss.logmanager.LogManager -XX:MaxRAMPercentage=60");
      assertThat(r.deployment().getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void caBundleFromAConfigMapIsMountedAndPointedAt() {
      ChartUnderTest.Rendered r =
          chart()
              .set("build.caBundle.configMap", "corp-ca")
              .set("build.caBundle.key", "bundle.pem")
              .render();
      PodSpec pod = r.deployment().getSpec().getTemplate().getSpec();
      assertThat(r.env("LEANODE_BUILD_CA_BUNDLE_FILE")).hasValue("/etc/leanode/ca/ca.crt");
      assertThat(pod.getVolumes())
          .filteredOn(v -> v.getName().equals("ca-bundle"))
          .singleElement()
          .satisfies(
              v -> {
                assertThat(v.getConfigMap().getName()).isEqualTo("corp-ca");
                assertThat(v.getConfigMap().getItems())
                    .singleElement()
                    .satisfies(
                        i -> {
                          assertThat(i.getKey()).isEqualTo("bundle.pem");
                          assertThat(i.getPath()).isEqualTo("ca.crt");
                        });
              });
      assertThat(pod.getContainers().get(0).getVolumeMounts())
          .anySatisfy(
              m -> {
                assertThat(m.getName()).isEqualTo("ca-bundle");
                assertThat(m.getMountPath()).isEqualTo("/etc/leanode/ca");
                assertThat(m.getReadOnly()).isTrue();
              });
    }

    @Test
    void caBundleFromASecret() {
      ChartUnderTest.Rendered r = chart().set("build.caBundle.secret", "corp-ca").render();
      assertThat(r.deployment().getSpec().getTemplate().getSpec().getVolumes())
          .filteredOn(v -> v.getName().equals("ca-bundle"))
          .singleElement()
          .satisfies(
              v -> {
                assertThat(v.getSecret().getSecretName()).isEqualTo("corp-ca");
                assertThat(v.getSecret().getItems().get(0).getKey()).isEqualTo("ca.crt");
              });
      assertThat(r.env("LEANODE_BUILD_CA_BUNDLE_FILE")).hasValue("/etc/leanode/ca/ca.crt");
    }
  }

  @Nested
  class Metrics {
    @Test
    void serviceMonitorScrapesQuarkusMetrics() {
      ChartUnderTest.Rendered r =
          chart()
              .set("metrics.serviceMonitor.enabled", true)
              .set("metrics.serviceMonitor.labels.release", "kube-prometheus-stack")
              .render();
      HasMetadata sm = r.ofKind("ServiceMonitor").get(0);
      assertThat(sm).isInstanceOf(GenericKubernetesResource.class);
      assertThat(sm.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
      assertThat(sm.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
      Map<String, Object> endpoint =
          ((GenericKubernetesResource) sm).<Map<String, Object>>get("spec", "endpoints", 0);
      assertThat(endpoint)
          .containsEntry("port", "http-metrics")
          .containsEntry("path", "/q/metrics")
          .containsEntry("interval", "30s");
      Map<String, String> selector =
          ((GenericKubernetesResource) sm).get("spec", "selector", "matchLabels");
      assertThat(r.one(Service.class).getMetadata().getLabels()).containsAllEntriesOf(selector);
    }

    @Test
    void metricsServiceCanBeTurnedOff() {
      assertThat(chart().set("metrics.service.enabled", false).render().all(Service.class))
          .isEmpty();
    }
  }

  @Nested
  class ExistingServiceAccountAndRbac {
    @Test
    void platformManagedIdentity() {
      ChartUnderTest.Rendered r =
          chart()
              .set("serviceAccount.create", false)
              .set("serviceAccount.name", "platform-leanode")
              .set("rbac.create", false)
              .render();
      assertThat(r.all(ServiceAccount.class)).isEmpty();
      assertThat(r.all(ClusterRole.class)).isEmpty();
      assertThat(r.all(Role.class)).isEmpty();
      assertThat(r.deployment().getSpec().getTemplate().getSpec().getServiceAccountName())
          .isEqualTo("platform-leanode");
    }
  }

  static String nsName(HasMetadata o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  static Path chartDir() {
    return ChartUnderTest.CHART;
  }
}

package dev.leanode.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.config.BuildSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The security posture of every build pod (docs/security.md), for inline and git builds with and
 * without the single-stage comparison: what a NodeAppImage author gets the operator to run.
 */
class BuildPodPostureTest {
  final KanikoBuildRunner runner = new KanikoBuildRunner();

  static BuildRequest request(String kind) {
    BuildRequest base =
        kind.startsWith("git") ? BuildFixtures.gitRequest() : BuildFixtures.inlineRequest();
    boolean single = kind.endsWith("single");
    base.resource().getSpec().getBuild().setCompareSingleStage(single);
    return new BuildRequest(
        base.resource(),
        base.dockerfile(),
        single ? BuildFixtures.SINGLE_STAGE : null,
        base.source(),
        base.pushSecretName(),
        BuildSettings.defaults()
            .withCaBundlePem("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"inline", "inline-single", "git", "git-single"})
  void buildPodsAreConfinedAndSecretsStayReadOnlyInKanikoContainers(String kind) {
    BuildPlan plan = runner.plan(request(kind));
    var job = plan.job().getSpec();
    PodSpec pod = job.getTemplate().getSpec();

    // no API access, no service discovery, no retries that could repeat a push
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getServiceAccountName()).isNull();
    assertThat(pod.getEnableServiceLinks()).isFalse();
    assertThat(pod.getHostNetwork()).isNull();
    assertThat(pod.getHostPID()).isNull();
    assertThat(pod.getHostIPC()).isNull();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(job.getBackoffLimit()).isZero();
    assertThat(job.getTtlSecondsAfterFinished()).isEqualTo(3600);
    assertThat(job.getActiveDeadlineSeconds()).isPositive();

    // volumes: only the build's own ConfigMap, an emptyDir, and the push Secret
    Set<String> secretVolumes = Set.of("docker-config");
    for (Volume v : pod.getVolumes()) {
      assertThat(v.getHostPath()).isNull();
      if (v.getConfigMap() != null) {
        assertThat(v.getConfigMap().getName()).isEqualTo(plan.name());
      } else if (v.getSecret() != null) {
        assertThat(v.getName()).isIn(secretVolumes);
        assertThat(v.getSecret().getSecretName()).isEqualTo("regcred");
        assertThat(v.getSecret().getItems())
            .singleElement()
            .satisfies(i -> assertThat(i.getKey()).isEqualTo(".dockerconfigjson"));
      } else {
        assertThat(v.getEmptyDir()).as(v.getName()).isNotNull();
      }
    }

    List<Container> kaniko = pod.getContainers();
    assertThat(kaniko)
        .extracting(Container::getName)
        .isSubsetOf(KanikoBuildRunner.CONTAINER, KanikoBuildRunner.SINGLE_STAGE_CONTAINER);
    for (Container c : kaniko) {
      var sc = c.getSecurityContext();
      assertThat(sc.getPrivileged()).isFalse();
      assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
      assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(sc.getCapabilities().getAdd())
          .containsExactlyElementsOf(KanikoBuildRunner.KANIKO_CAPABILITIES)
          .doesNotContain("SYS_ADMIN", "NET_ADMIN", "NET_RAW", "SYS_PTRACE", "MKNOD");
      // every mount of anything but the writable context is read-only
      assertThat(c.getVolumeMounts())
          .allSatisfy(
              m -> {
                if (!m.getName().equals("context")) {
                  assertThat(m.getReadOnly()).as(m.getName()).isTrue();
                }
              });
      // git credentials come from the Secret by reference, never as literal values
      assertThat(c.getEnv())
          .filteredOn(e -> e.getName().equals("GIT_PASSWORD"))
          .allSatisfy(
              e -> {
                assertThat(e.getValue()).isNull();
                assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("git-creds");
              });
    }

    // the init container that copies user files sees no credentials and runs unprivileged
    for (Container init : pod.getInitContainers()) {
      assertThat(init.getVolumeMounts())
          .extracting(m -> m.getName())
          .doesNotContainAnyElementsOf(secretVolumes);
      assertThat(init.getEnv()).isNullOrEmpty();
      assertThat(init.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(init.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(init.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(init.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    }
    // nothing from the push or git Secret reaches the ConfigMap the Dockerfile build can read
    assertThat(Stream.of(plan.configMap().getData().keySet().toArray(String[]::new)))
        .noneMatch(k -> k.contains("docker") && !k.startsWith("Dockerfile"));
  }
}

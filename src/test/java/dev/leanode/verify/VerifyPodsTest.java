package dev.leanode.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.LocalObjectRef;
import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageSpec;
import dev.leanode.api.v1alpha1.OutputSpec;
import dev.leanode.api.v1alpha1.VerifySpec;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class VerifyPodsTest {
  static final String DIGEST = "sha256:" + "ab12".repeat(16);

  static NodeAppImage resource(String name) {
    var r = new NodeAppImage();
    r.setMetadata(
        new ObjectMetaBuilder().withName(name).withNamespace("team").withUid("u-1").build());
    var spec = new NodeAppImageSpec();
    var out = new OutputSpec();
    out.setImage("registry.example:5000/team/app:1");
    out.setPushSecretRef(new LocalObjectRef("push"));
    spec.setOutput(out);
    spec.setVerify(new VerifySpec());
    r.setSpec(spec);
    return r;
  }

  @Test
  void podRunsThePushedDigestWithNoTokenAsNonRootWithLimitsOwnedByTheResource() {
    Pod pod = VerifyPods.pod(resource("app"), DIGEST, Duration.ofSeconds(60));
    assertThat(pod.getMetadata().getName()).isEqualTo("app-verify-ab12ab12ab");
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getName()).isEqualTo("app");
              assertThat(o.getUid()).isEqualTo("u-1");
              assertThat(o.getController()).isTrue();
            });
    var spec = pod.getSpec();
    assertThat(spec.getAutomountServiceAccountToken()).isFalse();
    assertThat(spec.getEnableServiceLinks()).isFalse();
    assertThat(spec.getRestartPolicy()).isEqualTo("Never");
    assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(120L);
    assertThat(spec.getImagePullSecrets()).extracting(s -> s.getName()).containsExactly("push");
    var c = spec.getContainers().get(0);
    assertThat(spec.getContainers()).hasSize(1);
    assertThat(c.getImage()).isEqualTo("registry.example:5000/team/app@" + DIGEST);
    assertThat(c.getPorts()).extracting(p -> p.getContainerPort()).containsExactly(3000);
    assertThat(c.getResources().getLimits())
        .containsEntry("cpu", new Quantity("500m"))
        .containsEntry("memory", new Quantity("256Mi"));
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getCommand()).isNullOrEmpty(); // the image's own CMD, as a user's pod runs it
    assertThat(c.getEnv()).isNullOrEmpty();
  }

  @Test
  void portIsVerifyPortElseTheAppPort() {
    var r = resource("app");
    assertThat(VerifyPods.port(r)).isEqualTo(3000);
    r.getSpec().getApp().setPort(8080);
    assertThat(VerifyPods.port(r)).isEqualTo(8080);
    r.getSpec().getVerify().setPort(9000);
    assertThat(VerifyPods.port(r)).isEqualTo(9000);
  }

  @Test
  void namesFitALabelForLongResourceNames() {
    String name = VerifyPods.name("a".repeat(60) + "-x", DIGEST);
    assertThat(name).hasSizeLessThanOrEqualTo(63).endsWith("-verify-ab12ab12ab");
    assertThat(VerifyPods.name("app", DIGEST))
        .isNotEqualTo(VerifyPods.name("app", "sha256:" + "cd34".repeat(16)));
  }

  static Pod withContainer(String phase, String ip, ContainerStatusBuilder c) {
    return new PodBuilder()
        .withNewStatus()
        .withPhase(phase)
        .withPodIP(ip)
        .withContainerStatuses(c.withName(VerifyPods.CONTAINER).build())
        .endStatus()
        .build();
  }

  @Test
  void readsThePodsState() {
    assertThat(VerifyPods.state(new Pod())).isInstanceOf(VerifyPods.Waiting.class);
    assertThat(
            VerifyPods.state(
                withContainer(
                    "Pending",
                    null,
                    new ContainerStatusBuilder()
                        .withNewState()
                        .withNewWaiting()
                        .withReason("ContainerCreating")
                        .endWaiting()
                        .endState())))
        .isEqualTo(new VerifyPods.Waiting("ContainerCreating", null));
    assertThat(
            VerifyPods.state(
                withContainer(
                    "Running",
                    "10.0.0.7",
                    new ContainerStatusBuilder()
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt("2026-12-02T10:00:00Z")
                        .endRunning()
                        .endState())))
        .isEqualTo(new VerifyPods.Running("10.0.0.7", Instant.parse("2026-12-02T10:00:00Z")));
    assertThat(
            VerifyPods.state(
                withContainer(
                    "Running",
                    "10.0.0.7",
                    new ContainerStatusBuilder()
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(1)
                        .withReason("Error")
                        .endTerminated()
                        .endState())))
        .isEqualTo(new VerifyPods.Ended("the container exited with code 1 (Error)"));
    assertThat(
            VerifyPods.state(
                withContainer(
                    "Pending",
                    null,
                    new ContainerStatusBuilder()
                        .withNewState()
                        .withNewWaiting()
                        .withReason("ImagePullBackOff")
                        .withMessage("unauthorized")
                        .endWaiting()
                        .endState())))
        .isEqualTo(
            new VerifyPods.Ended("the container cannot start: ImagePullBackOff: unauthorized"));
    Pod deadline =
        new PodBuilder()
            .withNewStatus()
            .withPhase("Failed")
            .withReason("DeadlineExceeded")
            .endStatus()
            .build();
    assertThat(VerifyPods.state(deadline))
        .isEqualTo(new VerifyPods.Ended("the Pod ended: Failed (DeadlineExceeded)"));
  }
}

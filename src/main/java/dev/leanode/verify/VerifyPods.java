package dev.leanode.verify;

import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.VerifySpec;
import dev.leanode.build.KanikoBuildRunner;
import dev.leanode.build.Labels;
import dev.leanode.registry.ImageReference;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The short-lived Pod that runs a freshly pushed image for {@code spec.verify}, and what its status
 * says. Pure: builds and reads objects, talks to nobody.
 *
 * <p>The Pod is as little privileged as an app pod can be: no service-account token, {@code
 * runAsNonRoot} (the image's {@code USER 1000:1000} is numeric, so the kubelet can check it), all
 * capabilities dropped, no privilege escalation, the runtime's seccomp profile, small resource
 * limits, no restarts, and an {@code activeDeadlineSeconds} so that it ends even if the operator
 * does not come back. It is owned by the NodeAppImage (deleting the resource deletes it).
 */
public final class VerifyPods {
  public static final String COMPONENT_VERIFY = "verify";
  public static final String CONTAINER = "app";

  /** Limits of the verify container: enough for a Node app to start and answer. */
  static final String CPU_LIMIT = "500m";

  static final String MEMORY_LIMIT = "256Mi";
  static final String CPU_REQUEST = "50m";
  static final String MEMORY_REQUEST = "64Mi";

  /** Beyond spec.verify.timeout, how long the Pod may live before the kubelet stops it. */
  static final Duration DEADLINE_MARGIN = Duration.ofSeconds(60);

  private VerifyPods() {}

  /**
   * {@code <name>-verify-<10 hex of the digest>}, at most 63 characters (a Pod name is a DNS
   * subdomain, but its hostname must be a label).
   */
  public static String name(String resourceName, String digest) {
    String suffix = "-verify-" + hex(digest).substring(0, 10);
    String prefix = resourceName;
    if (prefix.length() + suffix.length() > 63) {
      prefix = prefix.substring(0, 63 - suffix.length()).replaceAll("[^a-z0-9]+$", "");
    }
    return prefix + suffix;
  }

  /** The image by digest: what was pushed, whatever the tag says by now. */
  public static String imageByDigest(String outputImage, String digest) {
    return ImageReference.parse(outputImage).name() + "@" + digest;
  }

  /** The port asked: spec.verify.port, else the app's port. */
  public static int port(NodeAppImage resource) {
    VerifySpec v = resource.getSpec().getVerify();
    if (v != null && v.getPort() != null) {
      return v.getPort();
    }
    var app = resource.getSpec().getApp();
    return app == null || app.getPort() == null ? AppSpec.DEFAULT_PORT : app.getPort();
  }

  /** The Pod that runs {@code digest} of the resource's output image. */
  public static Pod pod(NodeAppImage resource, String digest, Duration timeout) {
    var meta = resource.getMetadata();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    labels.put(Labels.COMPONENT, COMPONENT_VERIFY);
    labels.put(Labels.RESOURCE, Labels.resourceValue(meta.getName()));
    var output = resource.getSpec().getOutput();
    int port = port(resource);
    var builder =
        new PodBuilder()
            .withNewMetadata()
            .withName(name(meta.getName(), digest))
            .withNamespace(meta.getNamespace())
            .withLabels(labels)
            .addToAnnotations(Labels.RESOURCE_NAME_ANNOTATION, meta.getName())
            .addToAnnotations("leanode.dev/image-digest", digest)
            .withOwnerReferences(KanikoBuildRunner.ownerReference(resource))
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withAutomountServiceAccountToken(false)
            .withEnableServiceLinks(false)
            .withActiveDeadlineSeconds(timeout.plus(DEADLINE_MARGIN).toSeconds())
            .withTerminationGracePeriodSeconds(5L)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .addNewContainer()
            .withName(CONTAINER)
            .withImage(imageByDigest(output.getImage(), digest))
            .withImagePullPolicy("IfNotPresent")
            .addNewPort()
            .withName("http")
            .withContainerPort(port)
            .withProtocol("TCP")
            .endPort()
            .withNewResources()
            .addToLimits("cpu", new Quantity(CPU_LIMIT))
            .addToLimits("memory", new Quantity(MEMORY_LIMIT))
            .addToRequests("cpu", new Quantity(CPU_REQUEST))
            .addToRequests("memory", new Quantity(MEMORY_REQUEST))
            .endResources()
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withNewCapabilities()
            .addToDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .endContainer()
            .endSpec();
    if (output.getPushSecretRef() != null) {
      // the push credentials read the pushed image back (a dockerconfigjson Secret)
      builder.editSpec().addNewImagePullSecret(output.getPushSecretRef().getName()).endSpec();
    }
    return builder.build();
  }

  /** What the Pod's status says of the app container. */
  public sealed interface State {}

  /** Not running yet: scheduling, pulling, creating (with the waiting reason, if any). */
  public record Waiting(String reason, String message) implements State {}

  /** Running with an IP to ask; {@code startedAt} from the container status. */
  public record Running(String ip, Instant startedAt) implements State {}

  /** The container ended, or the Pod failed (deadline, eviction) or cannot pull its image. */
  public record Ended(String message) implements State {}

  /** Waiting reasons that will not resolve by themselves. */
  private static final java.util.Set<String> STUCK =
      java.util.Set.of(
          "ErrImagePull",
          "ImagePullBackOff",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError");

  public static State state(Pod pod) {
    var status = pod.getStatus();
    if (status == null) {
      return new Waiting("Pending", null);
    }
    if ("Failed".equals(status.getPhase()) || "Succeeded".equals(status.getPhase())) {
      String why = status.getReason() == null ? "" : " (" + status.getReason() + ")";
      Optional<ContainerStatus> c = container(pod);
      String exit =
          c.map(ContainerStatus::getState)
              .map(s -> s.getTerminated())
              .map(
                  t ->
                      ", container exited with code "
                          + t.getExitCode()
                          + (t.getReason() == null ? "" : " (" + t.getReason() + ")"))
              .orElse("");
      return new Ended("the Pod ended: " + status.getPhase() + why + exit);
    }
    Optional<ContainerStatus> c = container(pod);
    if (c.isPresent() && c.get().getState() != null) {
      var st = c.get().getState();
      if (st.getTerminated() != null) {
        var t = st.getTerminated();
        return new Ended(
            "the container exited with code "
                + t.getExitCode()
                + (t.getReason() == null ? "" : " (" + t.getReason() + ")"));
      }
      if (st.getWaiting() != null && STUCK.contains(st.getWaiting().getReason())) {
        return new Ended(
            "the container cannot start: "
                + st.getWaiting().getReason()
                + (st.getWaiting().getMessage() == null
                    ? ""
                    : ": " + st.getWaiting().getMessage()));
      }
      if (st.getRunning() != null && status.getPodIP() != null && !status.getPodIP().isEmpty()) {
        String started = st.getRunning().getStartedAt();
        return new Running(status.getPodIP(), started == null ? null : Instant.parse(started));
      }
      if (st.getWaiting() != null) {
        return new Waiting(st.getWaiting().getReason(), st.getWaiting().getMessage());
      }
    }
    return new Waiting(status.getPhase(), status.getMessage());
  }

  private static Optional<ContainerStatus> container(Pod pod) {
    var list = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
    if (list == null) {
      return Optional.empty();
    }
    return list.stream().filter(c -> CONTAINER.equals(c.getName())).findFirst();
  }

  private static String hex(String digest) {
    int colon = digest.indexOf(':');
    String h = colon >= 0 ? digest.substring(colon + 1) : digest;
    if (h.length() >= 10 && h.matches("[0-9a-f]+")) {
      return h;
    }
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(digest.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.leanode.build;

import static dev.leanode.build.BuildLayout.CA_DIR;
import static dev.leanode.build.BuildLayout.CA_FILE;
import static dev.leanode.build.BuildLayout.CONTEXT_DIR;
import static dev.leanode.build.BuildLayout.DOCKERFILE_DIR;
import static dev.leanode.build.BuildLayout.DOCKER_CONFIG_DIR;
import static dev.leanode.build.BuildLayout.INLINE_DIR;
import static dev.leanode.build.KanikoBuildRunner.CONTAINER;
import static dev.leanode.build.KanikoBuildRunner.INIT_CONTAINER;
import static dev.leanode.build.KanikoBuildRunner.KANIKO_CAPABILITIES;
import static dev.leanode.build.KanikoBuildRunner.SINGLE_STAGE_CONTAINER;

import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The build Job: volumes and mounts, the Kaniko container(s), the inline-context init container and
 * the pod's posture (docs/architecture.md, "Pod template" and "Volumes and mounts").
 */
final class KanikoJob {
  private KanikoJob() {}

  /**
   * @param meta the Job's metadata (name, namespace, labels, owner)
   * @param resourceName the NodeAppImage's full name, for the pod annotation
   * @param contextInitImage image of the init container (inline sources)
   */
  static Job of(
      ObjectMeta meta,
      String resourceName,
      BuildInputs in,
      BuildConfigMap data,
      String contextInitImage) {
    String configMap = meta.getName();
    List<EnvVar> env = KanikoArgs.env(in.request().source());
    List<VolumeMount> mounts = kanikoMounts(in);
    ResourceRequirements resources = in.resources();
    List<Container> containers = new ArrayList<>();
    containers.add(
        kaniko(
            CONTAINER,
            in.kanikoImage(),
            KanikoArgs.lean(in),
            env,
            npmrc(in, mounts, false),
            resources));
    if (in.singleStage() != null) {
      containers.add(
          kaniko(
              SINGLE_STAGE_CONTAINER,
              in.kanikoImage(),
              KanikoArgs.singleStage(in),
              env,
              npmrc(in, mounts, true),
              resources));
    }
    List<Container> initContainers = new ArrayList<>();
    if (in.inline()) {
      initContainers.add(
          prepareContext(KanikoArgs.safe("leanode.build.context-init-image", contextInitImage)));
    }
    if (in.npmrcSecret() != null) {
      initContainers.add(
          NpmrcVolumes.copyInit(
              KanikoArgs.safe("leanode.build.context-init-image", contextInitImage),
              in.singleStage() != null));
    }
    return new JobBuilder()
        .withMetadata(meta)
        .withNewSpec()
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds(in.timeoutSeconds())
        .withTtlSecondsAfterFinished(in.request().settings().ttlSecondsAfterFinished())
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(new LinkedHashMap<>(meta.getLabels()))
        // label values stop at 63 characters; the operator maps pods back by the full name
        .withAnnotations(Map.of(Labels.RESOURCE_NAME_ANNOTATION, resourceName))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withSecurityContext(
            new PodSecurityContextBuilder()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build())
        .withInitContainers(initContainers)
        .withContainers(containers)
        .withVolumes(volumes(in, data, configMap))
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static List<Volume> volumes(BuildInputs in, BuildConfigMap data, String configMap) {
    List<Volume> volumes = new ArrayList<>();
    volumes.add(
        configMapVolume(
            "dockerfile",
            configMap,
            data.dockerfileKeys().stream().map(k -> new KeyToPath(k, null, k)).toList()));
    if (in.inline()) {
      volumes.add(
          configMapVolume(
              "inline",
              configMap,
              data.inlineFiles().entrySet().stream()
                  .map(e -> new KeyToPath(e.getKey(), null, e.getValue()))
                  .toList()));
      volumes.add(new VolumeBuilder().withName("context").withNewEmptyDir().endEmptyDir().build());
    }
    if (in.pushSecret() != null) {
      volumes.add(
          new VolumeBuilder()
              .withName("docker-config")
              .withNewSecret()
              .withSecretName(in.pushSecret())
              .addNewItem()
              .withKey(".dockerconfigjson")
              .withPath("config.json")
              .endItem()
              .endSecret()
              .build());
    }
    if (in.caBundle().isPresent()) {
      volumes.add(
          configMapVolume("ca-bundle", configMap, List.of(new KeyToPath(CA_FILE, null, CA_FILE))));
    }
    if (in.npmrcSecret() != null) {
      volumes.addAll(NpmrcVolumes.volumes(in.npmrcSecret(), in.singleStage() != null));
    }
    return volumes;
  }

  private static List<VolumeMount> kanikoMounts(BuildInputs in) {
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(mount("dockerfile", DOCKERFILE_DIR, true));
    if (in.inline()) {
      mounts.add(mount("context", CONTEXT_DIR, false));
    }
    if (in.pushSecret() != null) {
      mounts.add(mount("docker-config", DOCKER_CONFIG_DIR, true));
    }
    if (in.caBundle().isPresent()) {
      mounts.add(mount("ca-bundle", CA_DIR, true));
    }
    return mounts;
  }

  /** The Kaniko container's mounts plus, with spec.build.npmrcSecretRef, its own npmrc copy. */
  private static List<VolumeMount> npmrc(BuildInputs in, List<VolumeMount> mounts, boolean single) {
    if (in.npmrcSecret() == null) {
      return mounts;
    }
    List<VolumeMount> all = new ArrayList<>(mounts);
    all.add(NpmrcVolumes.kanikoMount(single));
    return all;
  }

  private static Container kaniko(
      String name,
      String image,
      List<String> args,
      List<EnvVar> env,
      List<VolumeMount> mounts,
      ResourceRequirements resources) {
    return new ContainerBuilder()
        .withName(name)
        .withImage(image)
        .withArgs(args)
        .withEnv(env)
        .withVolumeMounts(mounts)
        .withResources(resources)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withSecurityContext(kanikoSecurityContext())
        .build();
  }

  /**
   * The kubelet lays a ConfigMap volume out as symlinks into a hidden timestamped folder: copy the
   * dereferenced files out and drop the {@code ..*} folders, so Kaniko gets a plain context.
   */
  private static Container prepareContext(String image) {
    return new ContainerBuilder()
        .withName(INIT_CONTAINER)
        .withImage(image)
        .withCommand(
            "sh",
            "-c",
            "cp -RL " + INLINE_DIR + "/. " + CONTEXT_DIR + "/ && rm -rf " + CONTEXT_DIR + "/..?*")
        .withVolumeMounts(mount("inline", INLINE_DIR, true), mount("context", CONTEXT_DIR, false))
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withResources(copyInitResources())
        // copying files needs no privilege: the emptyDir is world-writable
        .withSecurityContext(copyInitSecurityContext())
        .build();
  }

  /** What an init container that only copies files (context, npmrc) may use. */
  static ResourceRequirements copyInitResources() {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("10m"))
        .addToRequests("memory", new Quantity("16Mi"))
        .addToLimits("memory", new Quantity("64Mi"))
        .build();
  }

  /** An init container that only copies files: nobody (65532), no capability, read-only root. */
  static SecurityContext copyInitSecurityContext() {
    return new SecurityContextBuilder()
        .withRunAsUser(65532L)
        .withRunAsGroup(65532L)
        .withRunAsNonRoot(true)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withCapabilities(new CapabilitiesBuilder().withDrop("ALL").build())
        .build();
  }

  static SecurityContext kanikoSecurityContext() {
    return new SecurityContextBuilder()
        .withRunAsUser(0L)
        .withRunAsGroup(0L)
        .withRunAsNonRoot(false)
        .withAllowPrivilegeEscalation(false)
        .withPrivileged(false)
        .withCapabilities(
            new CapabilitiesBuilder().withDrop("ALL").withAdd(KANIKO_CAPABILITIES).build())
        .build();
  }

  private static Volume configMapVolume(String name, String configMap, List<KeyToPath> items) {
    return new VolumeBuilder()
        .withName(name)
        .withNewConfigMap()
        .withName(configMap)
        .withItems(items)
        .endConfigMap()
        .build();
  }

  private static VolumeMount mount(String name, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path)
        .withReadOnly(readOnly ? Boolean.TRUE : null)
        .build();
  }
}

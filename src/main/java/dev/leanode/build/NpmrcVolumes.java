package dev.leanode.build;

import static dev.leanode.build.BuildLayout.NPMRC_DIR;
import static dev.leanode.build.BuildLayout.NPMRC_FILE;
import static dev.leanode.build.BuildLayout.NPMRC_SECRET_DIR;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * spec.build.npmrcSecretRef in the build pod (docs/architecture.md, "Private npm registries"): the
 * Secret is mounted into an init container only, which copies its {@code .npmrc} into one emptyDir
 * per Kaniko container. Kaniko runs RUN steps in its own root file system with its mounts in place
 * and puts every mount point on its snapshot ignore list (osscontainertools/kaniko {@code
 * DetectFilesystemIgnoreList}, from /proc/self/mountinfo), so the install steps read the copy and
 * no layer holds it; the lean build deletes its copy before the build script runs, which is why the
 * single-stage container, running beside it, has a copy of its own.
 */
final class NpmrcVolumes {
  /** The init container that copies the npmrc. */
  static final String INIT_CONTAINER = "copy-npmrc";

  private static final String SECRET_VOLUME = "npmrc-secret";
  private static final String LEAN_VOLUME = "npmrc";
  private static final String SINGLE_STAGE_VOLUME = "npmrc-single-stage";
  private static final String SINGLE_STAGE_COPY = "/leanode/npmrc-single-stage";

  private NpmrcVolumes() {}

  /** The Secret's volume (only its .npmrc key) and the emptyDirs of the copies. */
  static List<Volume> volumes(String secretName, boolean singleStage) {
    List<Volume> v = new ArrayList<>();
    v.add(
        new VolumeBuilder()
            .withName(SECRET_VOLUME)
            .withNewSecret()
            .withSecretName(secretName)
            .addNewItem()
            .withKey(NPMRC_FILE)
            .withPath(NPMRC_FILE)
            .endItem()
            .endSecret()
            .build());
    v.add(emptyDir(LEAN_VOLUME));
    if (singleStage) {
      v.add(emptyDir(SINGLE_STAGE_VOLUME));
    }
    return v;
  }

  /** Where a Kaniko container finds its own copy: always at {@link BuildLayout#NPMRC_DIR}. */
  static VolumeMount kanikoMount(boolean singleStage) {
    return mount(singleStage ? SINGLE_STAGE_VOLUME : LEAN_VOLUME, NPMRC_DIR, false);
  }

  /** Copies the Secret's (symlinked) .npmrc into each Kaniko container's emptyDir. */
  static Container copyInit(String image, boolean singleStage) {
    String src = NPMRC_SECRET_DIR + "/" + NPMRC_FILE;
    String script = "cp -L " + src + " " + NPMRC_DIR + "/" + NPMRC_FILE;
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(mount(SECRET_VOLUME, NPMRC_SECRET_DIR, true));
    mounts.add(mount(LEAN_VOLUME, NPMRC_DIR, false));
    if (singleStage) {
      script += " && cp -L " + src + " " + SINGLE_STAGE_COPY + "/" + NPMRC_FILE;
      mounts.add(mount(SINGLE_STAGE_VOLUME, SINGLE_STAGE_COPY, false));
    }
    return new ContainerBuilder()
        .withName(INIT_CONTAINER)
        .withImage(image)
        .withCommand("sh", "-c", script)
        .withVolumeMounts(mounts)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withResources(KanikoJob.copyInitResources())
        // reading a Secret volume and writing an emptyDir need no privilege
        .withSecurityContext(KanikoJob.copyInitSecurityContext())
        .build();
  }

  private static Volume emptyDir(String name) {
    return new VolumeBuilder().withName(name).withNewEmptyDir().endEmptyDir().build();
  }

  private static VolumeMount mount(String name, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path)
        .withReadOnly(readOnly ? Boolean.TRUE : null)
        .build();
  }
}

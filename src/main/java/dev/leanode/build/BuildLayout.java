package dev.leanode.build;

import dev.leanode.registry.ImageReference;

/**
 * Where things are inside a build pod and what the comparison image is called: the one definition
 * that the Job, the generated Dockerfile (CA bundle path), the validator (tag length) and the
 * reconciler (measuring the comparison image) share. See docs/architecture.md, "Volumes and
 * mounts".
 */
public final class BuildLayout {
  /** The build ConfigMap's Dockerfile volume, mounted read-only in the Kaniko containers. */
  public static final String DOCKERFILE_DIR = "/leanode/dockerfile";

  /** Inline files as the ConfigMap volume lays them out (init container only). */
  public static final String INLINE_DIR = "/leanode/inline";

  /** The build context of inline sources (an emptyDir). */
  public static final String CONTEXT_DIR = "/workspace";

  /** The push secret's config.json. */
  public static final String DOCKER_CONFIG_DIR = "/kaniko/.docker";

  /** The operator's CA bundle (leanode.build.ca-bundle-file), mounted read-only. */
  public static final String CA_DIR = "/leanode/ca";

  /** ConfigMap key and file name of the CA bundle. */
  public static final String CA_FILE = "ca.crt";

  /** The CA bundle's path in the build containers: what the Dockerfile's CA ARGs point at. */
  public static final String CA_BUNDLE_PATH = CA_DIR + "/" + CA_FILE;

  /** spec.build.npmrcSecretRef's Secret volume (init container only). */
  public static final String NPMRC_SECRET_DIR = "/leanode/npmrc-secret";

  /**
   * The npmrc copy of each Kaniko container (an emptyDir of its own: the build step deletes it).
   * Kaniko gives RUN steps its container's mounts and snapshots none of them.
   */
  public static final String NPMRC_DIR = "/leanode/npmrc";

  /** Secret key and file name of the npmrc. */
  public static final String NPMRC_FILE = ".npmrc";

  /** The npmrc's path in the Kaniko containers: what the install steps read. */
  public static final String NPMRC_PATH = NPMRC_DIR + "/" + NPMRC_FILE;

  /** ConfigMap key and file name of the lean Dockerfile. */
  public static final String DOCKERFILE = "Dockerfile";

  /** ConfigMap key and file name of the single-stage comparison Dockerfile. */
  public static final String SINGLE_STAGE_DOCKERFILE = "Dockerfile.single-stage";

  /** Suffix the single-stage comparison image gets on the output tag. */
  public static final String SINGLE_STAGE_TAG_SUFFIX = "-single-stage";

  private BuildLayout() {}

  /** Where the single-stage comparison of the output image is pushed: same repository. */
  public static String singleStageImage(ImageReference output) {
    return output.withTag(output.tag() + SINGLE_STAGE_TAG_SUFFIX);
  }
}

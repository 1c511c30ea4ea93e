package dev.leanode.dockerfile;

import dev.leanode.build.BuildLayout;

/**
 * Build-environment knobs of the generated Dockerfile that do not come from the spec.
 *
 * @param caBundlePath absolute path, inside the build container, of a PEM bundle that package
 *     managers must trust (e.g. {@code /leanode/ca/ca.crt}); {@code null} = none
 * @param baseImageDigest the digest the base image's tag resolved to ({@code sha256:<64 hex>}):
 *     every {@code FROM} becomes {@code <image>@<digest>}, the tag kept for people; {@code null} =
 *     the tag as written (leanode render and leanode dockerfile, which work offline)
 * @param npmrcPath absolute path, inside the build container, of the {@code .npmrc} copied from
 *     {@code spec.build.npmrcSecretRef} (install steps read it, the build step deletes it first);
 *     {@code null} = none
 */
public record DockerfileOptions(String caBundlePath, String baseImageDigest, String npmrcPath) {
  private static final java.util.regex.Pattern DIGEST =
      java.util.regex.Pattern.compile("sha256:[0-9a-f]{64}");

  /** Where the build Job's init container copies the npmrc Secret's {@code .npmrc}. */
  public static final String DEFAULT_NPMRC_PATH = BuildLayout.NPMRC_PATH;

  public DockerfileOptions {
    if (baseImageDigest != null && !DIGEST.matcher(baseImageDigest).matches()) {
      throw new IllegalArgumentException(
          "base image digest must be sha256:<64 hex>, got '" + baseImageDigest + "'");
    }
  }

  /** A CA bundle (or none) and a base image digest (or none), no npmrc. */
  public DockerfileOptions(String caBundlePath, String baseImageDigest) {
    this(caBundlePath, baseImageDigest, null);
  }

  /** Only a CA bundle (or none): no base image digest, no npmrc. */
  public DockerfileOptions(String caBundlePath) {
    this(caBundlePath, null, null);
  }

  /** The same options, every FROM pinned to {@code digest}. */
  public DockerfileOptions withBaseImageDigest(String digest) {
    return new DockerfileOptions(caBundlePath, digest, npmrcPath);
  }

  /** The same, with the npmrc at the path the build Job puts it. */
  public DockerfileOptions withNpmrc() {
    return new DockerfileOptions(caBundlePath, baseImageDigest, DEFAULT_NPMRC_PATH);
  }

  /** Where the build Job mounts the operator's CA bundle (see docs/architecture.md). */
  public static final String DEFAULT_CA_BUNDLE_PATH = BuildLayout.CA_BUNDLE_PATH;

  /** No CA bundle. */
  public static DockerfileOptions none() {
    return new DockerfileOptions(null);
  }

  /** The CA bundle at the path the build Job mounts it. */
  public static DockerfileOptions withCaBundle() {
    return new DockerfileOptions(DEFAULT_CA_BUNDLE_PATH);
  }
}

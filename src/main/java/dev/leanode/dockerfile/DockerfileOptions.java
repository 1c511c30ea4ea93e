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
 */
public record DockerfileOptions(String caBundlePath, String baseImageDigest) {
  private static final java.util.regex.Pattern DIGEST =
      java.util.regex.Pattern.compile("sha256:[0-9a-f]{64}");

  public DockerfileOptions {
    if (baseImageDigest != null && !DIGEST.matcher(baseImageDigest).matches()) {
      throw new IllegalArgumentException(
          "base image digest must be sha256:<64 hex>, got '" + baseImageDigest + "'");
    }
  }

  /** Without a base image digest. */
  public DockerfileOptions(String caBundlePath) {
    this(caBundlePath, null);
  }

  /** The same options, every FROM pinned to {@code digest}. */
  public DockerfileOptions withBaseImageDigest(String digest) {
    return new DockerfileOptions(caBundlePath, digest);
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

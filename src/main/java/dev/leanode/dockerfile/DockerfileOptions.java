package dev.leanode.dockerfile;

import dev.leanode.build.BuildLayout;

/**
 * Build-environment knobs of the generated Dockerfile that do not come from the spec.
 *
 * @param caBundlePath absolute path, inside the build container, of a PEM bundle that package
 *     managers must trust (e.g. {@code /leanode/ca/ca.crt}); {@code null} = none
 */
public record DockerfileOptions(String caBundlePath) {
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

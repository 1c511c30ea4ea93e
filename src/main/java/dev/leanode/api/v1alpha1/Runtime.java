package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the final stage starts from: the whole base image, or only what node needs to run. */
public enum Runtime {
  /** The base image as it is (shell, package managers, its libraries). */
  @JsonProperty("standard")
  STANDARD,
  /**
   * {@code FROM scratch} plus the base's node binary, the shared libraries it links, the loader, CA
   * certificates, timezone data and a passwd/group with the node user: no shell, no npm.
   */
  @JsonProperty("minimal")
  MINIMAL;

  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which package manager installs the app's dependencies. */
public enum PackageManager {
  /** Decided inside the build from the lockfile (yarn.lock, pnpm-lock.yaml, else npm). */
  @JsonProperty("auto")
  AUTO,
  @JsonProperty("npm")
  NPM,
  @JsonProperty("yarn")
  YARN,
  @JsonProperty("pnpm")
  PNPM;

  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

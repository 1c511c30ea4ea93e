package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether the install stages get a compiler toolchain for native addons (node-gyp). */
public enum NativeBuild {
  /**
   * Decided from the lockfile: package-lock.json / npm-shrinkwrap.json {@code hasInstallScript},
   * pnpm-lock.yaml {@code requiresBuild}; yarn.lock records neither, so yarn apps need {@code
   * always}.
   */
  @JsonProperty("auto")
  AUTO,
  /** The install stages always get python3, make and g++. */
  @JsonProperty("always")
  ALWAYS,
  /** Never: installs that need compiling fail (prebuilt binaries only). */
  @JsonProperty("never")
  NEVER;

  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

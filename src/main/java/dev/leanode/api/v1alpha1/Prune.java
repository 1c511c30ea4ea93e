package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What of the production node_modules ships. */
public enum Prune {
  /**
   * Remove what no running app loads: docs, READMEs, changelogs, type declarations, source maps,
   * packages' tests/examples/docs folders, TypeScript sources next to their compiled JS. Licence
   * files, package.json, .node binaries, bin targets and spec.app.pruneKeep matches stay.
   */
  @JsonProperty("safe")
  SAFE,
  /** Ship node_modules exactly as the package manager installed it. */
  @JsonProperty("off")
  OFF;

  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

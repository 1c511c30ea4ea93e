package dev.leanode.dockerfile;

import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.Prune;
import dev.leanode.api.v1alpha1.Runtime;
import java.util.List;

/**
 * What goes below the floor: the final stage's runtime ({@code spec.app.runtime}) and the pruning
 * of the production node_modules ({@code spec.app.prune}, {@code pruneKeep}), with defaults. Read
 * from a spec that {@link ResolvedApp#of} has already validated.
 */
record Slimming(Runtime runtime, Prune prune, List<String> keep) {
  static Slimming of(AppSpec app) {
    if (app == null) {
      return new Slimming(Runtime.STANDARD, Prune.SAFE, List.of());
    }
    return new Slimming(
        app.getRuntime() == null ? Runtime.STANDARD : app.getRuntime(),
        app.getPrune() == null ? Prune.SAFE : app.getPrune(),
        app.getPruneKeep() == null ? List.of() : List.copyOf(app.getPruneKeep()));
  }

  boolean minimal() {
    return runtime == Runtime.MINIMAL;
  }

  boolean pruned() {
    return prune == Prune.SAFE;
  }
}

package dev.leanode.status;

import dev.leanode.api.v1alpha1.NodeAppImageStatus.BuildRecord;
import java.util.Objects;

/** Why a build ran ({@code status.build.trigger}, the Event, the build metrics' label). */
public enum Trigger {
  CREATED("Created"),
  SPEC_CHANGED("SpecChanged"),
  NEW_COMMIT("NewCommit"),
  BASE_IMAGE_UPDATED("BaseImageUpdated"),
  REBUILD_REQUESTED("RebuildRequested");

  private final String value;

  Trigger(String value) {
    this.value = value;
  }

  public String value() {
    return value;
  }

  /**
   * Compares a new build's inputs with the last build started ({@code status.history[0]}): none →
   * Created; another generation → SpecChanged; a new {@code leanode.dev/rebuild} value →
   * RebuildRequested; another commit → NewCommit; another base digest → BaseImageUpdated. Inputs
   * outside the spec (operator settings such as the Kaniko image or the CA bundle) count as
   * SpecChanged: they change what is built as a spec edit would.
   */
  public static Trigger decide(BuildRecord last, BuildRecord next) {
    if (last == null) {
      return CREATED;
    }
    if (!Objects.equals(last.getGeneration(), next.getGeneration())) {
      return SPEC_CHANGED;
    }
    if (next.getRebuild() != null && !Objects.equals(last.getRebuild(), next.getRebuild())) {
      return REBUILD_REQUESTED;
    }
    if (!Objects.equals(last.getCommit(), next.getCommit())) {
      return NEW_COMMIT;
    }
    if (!Objects.equals(last.getBaseImageDigest(), next.getBaseImageDigest())) {
      return BASE_IMAGE_UPDATED;
    }
    return SPEC_CHANGED;
  }

  /** The trigger named {@code value}, if it is one. */
  public static java.util.Optional<Trigger> of(String value) {
    return java.util.Arrays.stream(values()).filter(t -> t.value.equals(value)).findFirst();
  }
}

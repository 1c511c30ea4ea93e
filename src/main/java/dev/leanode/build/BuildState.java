package dev.leanode.build;

/**
 * What a build Job is doing, as the reconciler needs it.
 *
 * @param phase where the build is
 * @param digest digest of the pushed image (SUCCEEDED only)
 * @param singleStageDigest digest of the single-stage comparison image, if it was built
 * @param message why the build failed or waits (log tail, waiting reason); null when nothing to say
 * @param startTime Job start (RFC 3339) or null
 * @param completionTime Job end (RFC 3339) or null
 */
public record BuildState(
    Phase phase,
    String digest,
    String singleStageDigest,
    String message,
    String startTime,
    String completionTime) {

  /** Where a build is. */
  public enum Phase {
    PENDING,
    RUNNING,
    SUCCEEDED,
    FAILED,
    TIMED_OUT;

    public boolean finished() {
      return this == SUCCEEDED || this == FAILED || this == TIMED_OUT;
    }
  }
}

package dev.leanode.reconciler;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus.VerifyStatus;
import dev.leanode.status.Reason;
import dev.leanode.status.StatusAggregator;
import dev.leanode.status.VerifyReason;
import dev.leanode.validation.SpecValidator;
import dev.leanode.verify.HttpProbe;
import dev.leanode.verify.VerifyPods;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code spec.verify}: after a successful push, run the image in a short-lived Pod ({@link
 * VerifyPods}) and ask it over HTTP at the Pod's IP ({@link HttpProbe}); the result is the {@code
 * Verified} condition and {@code status.verify}, once per image digest. Ready stays about the
 * build: an image that does not answer is pushed all the same, and says so here.
 *
 * <p>Verify Pods are read from the API server by name (they are not in the build pod informer);
 * while one runs, the resource is looked at again every {@link #POLL}, and each look asks the app
 * for up to {@link #PROBE_SLICE}, so the first answer is timed to a tenth of a second with one
 * status write per change of state, not per try.
 */
final class Verification {
  static final Duration POLL = Duration.ofSeconds(2);
  static final Duration PROBE_SLICE = Duration.ofSeconds(3);
  static final int LOG_LINES = 20;
  static final String PASSED = "Passed";
  static final String FAILED = "Failed";

  private final HttpProbe probe;
  private final Clock clock;

  Verification(HttpProbe probe, Clock clock) {
    this.probe = probe;
    this.clock = clock;
  }

  /** Decides and acts for this reconciliation; call after the build's outcome is known. */
  void reconcile(NodeAppImage resource, ClusterAccess cluster, StatusAggregator status) {
    var spec = resource.getSpec().getVerify();
    if (spec == null) {
      status.next().setVerify(null);
      return;
    }
    VerifyStatus previous = status.previous().getVerify();
    var output = status.next().getOutput();
    String digest = output == null ? null : output.getDigest();
    boolean pushed =
        status.reason() == Reason.BUILD_SUCCEEDED || status.reason() == Reason.SIZE_UNKNOWN;
    if (!pushed || digest == null) {
      // building, failed, suspended…: what was checked last still stands
      if (status
          .previous()
          .condition(dev.leanode.api.v1alpha1.NodeAppImageStatus.VERIFIED)
          .isPresent()) {
        status.keepVerified();
      } else {
        status.verified(VerifyReason.AWAITING_IMAGE, null);
      }
      return;
    }
    if (previous != null && digest.equals(previous.getDigest()) && previous.getOutcome() != null) {
      status.keepVerified();
      return;
    }
    String name = VerifyPods.name(resource.getMetadata().getName(), digest);
    Duration timeout = SpecValidator.parseTimeout(spec.timeoutOrDefault());
    int port = VerifyPods.port(resource);
    String target = "GET :" + port + spec.pathOrDefault();
    VerifyStatus next = new VerifyStatus(digest, name);
    status.next().setVerify(next);
    Optional<Pod> found = cluster.pod(name);
    if (found.isEmpty() || found.get().getMetadata().getDeletionTimestamp() != null) {
      if (previous != null && previous.getPod() != null && !previous.getPod().equals(name)) {
        cluster.deletePod(previous.getPod()); // an older image's check, overtaken
      }
      if (found.isEmpty()) {
        cluster.create(VerifyPods.pod(resource, digest, timeout));
      }
      status.verified(
          VerifyReason.VERIFYING,
          "Verify Pod " + name + " runs " + short12(digest) + "; will ask " + target);
      status.retryAfter(POLL);
      return;
    }
    Pod pod = found.get();
    Instant now = clock.instant();
    Instant deadline = created(pod, now).plus(timeout);
    var state = VerifyPods.state(pod);
    if (state instanceof VerifyPods.Running r) {
      Duration left = Duration.between(now, deadline);
      Duration slice = left.compareTo(PROBE_SLICE) < 0 ? left : PROBE_SLICE;
      HttpProbe.Result answer =
          probe.ask(r.ip(), port, spec.pathOrDefault(), slice.isNegative() ? Duration.ZERO : slice);
      if (answer.answered()) {
        Long millis =
            r.startedAt() == null
                ? null
                : Math.max(0, Duration.between(r.startedAt(), answer.at()).toMillis());
        next.setOutcome(PASSED);
        next.setAnsweredAfterMillis(millis);
        next.setCompletionTime(stamp(answer.at()));
        String message =
            "Image "
                + short12(digest)
                + " answered "
                + target
                + " with "
                + answer.last()
                + (millis == null
                    ? ""
                    : String.format(
                        Locale.ROOT, " %.1f s after its container started", millis / 1000.0))
                + " (verify Pod "
                + name
                + ", deleted)";
        status.verified(VerifyReason.IMAGE_ANSWERED, message);
        cluster.deletePod(name);
        cluster.events().normal(resource, VerifyReason.IMAGE_ANSWERED.reason(), message);
        return;
      }
      if (!clock.instant().isBefore(deadline)) {
        fail(
            resource,
            cluster,
            status,
            next,
            name,
            "no answer 200-399 to "
                + target
                + " within "
                + spec.timeoutOrDefault()
                + " (last: "
                + answer.last()
                + ")");
        return;
      }
      status.verified(
          VerifyReason.VERIFYING,
          "Verify Pod "
              + name
              + " runs "
              + short12(digest)
              + " at "
              + r.ip()
              + "; asking "
              + target);
      status.retryAfter(POLL);
      return;
    }
    if (state instanceof VerifyPods.Ended e) {
      fail(resource, cluster, status, next, name, e.message());
      return;
    }
    var w = (VerifyPods.Waiting) state;
    if (!now.isBefore(deadline)) {
      fail(
          resource,
          cluster,
          status,
          next,
          name,
          "the container did not start within "
              + spec.timeoutOrDefault()
              + " ("
              + w.reason()
              + (w.message() == null ? "" : ": " + w.message())
              + ")");
      return;
    }
    status.verified(
        VerifyReason.VERIFYING,
        "Verify Pod "
            + name
            + " for "
            + short12(digest)
            + " is starting ("
            + w.reason()
            + "); will ask "
            + target);
    status.retryAfter(POLL);
  }

  private void fail(
      NodeAppImage resource,
      ClusterAccess cluster,
      StatusAggregator status,
      VerifyStatus next,
      String pod,
      String what) {
    String tail = cluster.logTail(pod, VerifyPods.CONTAINER, LOG_LINES);
    next.setOutcome(FAILED);
    next.setCompletionTime(stamp(clock.instant()));
    String message =
        "Image "
            + short12(next.getDigest())
            + " failed verification: "
            + what
            + (tail.isEmpty() ? "; the container logged nothing" : "; log tail:\n" + tail);
    status.verified(VerifyReason.VERIFY_FAILED, message);
    cluster.deletePod(pod);
    cluster.events().warning(resource, VerifyReason.VERIFY_FAILED.reason(), message);
  }

  private static Instant created(Pod pod, Instant fallback) {
    String ts = pod.getMetadata().getCreationTimestamp();
    try {
      return ts == null ? fallback : Instant.parse(ts);
    } catch (RuntimeException e) {
      return fallback;
    }
  }

  private static String stamp(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String short12(String digest) {
    int colon = digest.indexOf(':');
    return colon >= 0 && digest.length() > colon + 13 ? digest.substring(0, colon + 13) : digest;
  }
}

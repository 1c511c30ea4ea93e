package dev.leanode.status;

import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds the next status as one value (the Keycloak operator's {@code KeycloakStatusAggregator}):
 * starts from the current status, takes what this reconciliation observed and decided, and says
 * whether anything changed, so status is patched only on change. {@code lastTransitionTime} moves
 * only when a condition's status flips ({@link Conditions#next}); {@code status.retry} lives only
 * as long as its reason does.
 */
public final class StatusAggregator {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final boolean hadStatus;
  private final NodeAppImageStatus previous;
  private final NodeAppImageStatus next;
  private Reason reason = Reason.PENDING;
  private String message;
  private Duration retryAfter;
  private boolean attemptCounted;
  private boolean keptOutcome;

  public StatusAggregator(NodeAppImageStatus current) {
    this.hadStatus = current != null;
    this.previous = current == null ? new NodeAppImageStatus() : current;
    this.next = SERIALIZATION.clone(previous);
  }

  /** The status as this reconciliation found it (never null). */
  public NodeAppImageStatus previous() {
    return previous;
  }

  /** The status being built; the data fields (source, build, output…) are set on it directly. */
  public NodeAppImageStatus next() {
    return next;
  }

  /** The outcome of this reconciliation; {@code retry}, if given, asks to look again that soon. */
  public void outcome(Reason reason, String message, Duration retry) {
    this.reason = reason;
    this.message = message;
    retryAfter(retry);
  }

  /** Ask to reconcile again after {@code delay} at the latest (the shortest request wins). */
  public void retryAfter(Duration delay) {
    if (delay != null && (retryAfter == null || delay.compareTo(retryAfter) < 0)) {
      retryAfter = delay;
    }
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  public Reason reason() {
    return reason;
  }

  /**
   * Counts one more failed try of {@code reason} in {@code status.retry} and returns its number: 1
   * the first time, previous + 1 while the same reason repeats, never above {@code cap} (beyond
   * which a count would change the status without changing the backoff).
   */
  public int countAttempt(Reason reason, int cap) {
    var before = previous.getRetry();
    int attempt =
        before != null && reason.reason().equals(before.getReason()) && before.getAttempt() != null
            ? Math.min(before.getAttempt() + 1, cap)
            : 1;
    next.setRetry(new NodeAppImageStatus.RetryStatus(reason.reason(), attempt));
    attemptCounted = true;
    return attempt;
  }

  /** The previous Ready condition's reason, if it is one of ours. */
  public Optional<Reason> previousReason() {
    return previous
        .condition(NodeAppImageStatus.READY)
        .map(c -> c.getReason())
        .flatMap(r -> Arrays.stream(Reason.values()).filter(x -> x.reason().equals(r)).findFirst());
  }

  /** The previous Ready message, if any. */
  public String previousMessage() {
    return previous.condition(NodeAppImageStatus.READY).map(c -> c.getMessage()).orElse(null);
  }

  private VerifyReason verifyReason;
  private String verifyMessage;
  private boolean keepVerified;

  /** Sets the Verified condition (spec.verify); without a call it is left out. */
  public void verified(VerifyReason reason, String message) {
    this.verifyReason = reason;
    this.verifyMessage = message;
    this.keepVerified = false;
  }

  /** Keeps the previous Verified condition as it was (the image it checked is still current). */
  public void keepVerified() {
    this.verifyReason = null;
    this.keepVerified = true;
  }

  private Long budgetBytes;
  private String budgetText;

  /** spec.output.sizeBudget as written and in bytes (null = none): adds SizeWithinBudget. */
  public void sizeBudget(String text, Long bytes) {
    this.budgetText = text;
    this.budgetBytes = bytes;
  }

  /**
   * The next status: data as set, conditions for the outcome, the retry count if it still holds.
   */
  public NodeAppImageStatus build(long generation, Instant now) {
    next.setObservedGeneration(generation);
    List<Condition> conditions =
        new ArrayList<>(
            Conditions.next(previous.getConditions(), reason, message, generation, now));
    if (verifyReason != null) {
      conditions.add(
          Conditions.other(
              previous.getConditions(),
              NodeAppImageStatus.VERIFIED,
              verifyReason.status(),
              verifyReason.reason(),
              verifyMessage == null || verifyMessage.isBlank()
                  ? verifyReason.defaultMessage()
                  : verifyMessage,
              generation,
              now));
    } else if (keepVerified) {
      previous.condition(NodeAppImageStatus.VERIFIED).ifPresent(conditions::add);
    }
    SizeBudget.condition(
            previous.getConditions(), budgetBytes, budgetText, next.getOutput(), generation, now)
        .ifPresent(conditions::add);
    next.setConditions(conditions);
    boolean stillRetried =
        (attemptCounted || keptOutcome)
            && next.getRetry() != null
            && Objects.equals(next.getRetry().getReason(), reason.reason());
    if (!stillRetried) {
      next.setRetry(null);
    }
    return next;
  }

  /**
   * Keeps the previous Ready reason and message when they are a finished build's result: the Job of
   * these exact inputs finished and was removed (TTL, retention), so its result stands. Empty when
   * the previous reason is something else (an error, a missing Secret since): the caller then
   * decides from the data.
   */
  public Optional<Reason> keepFinishedOutcome() {
    Optional<Reason> result =
        previousReason()
            .filter(
                r ->
                    r == Reason.BUILD_SUCCEEDED
                        || r == Reason.BUILD_FAILED
                        || r == Reason.BUILD_TIMED_OUT
                        || r == Reason.SIZE_UNKNOWN);
    result.ifPresent(
        r -> {
          outcome(r, previousMessage(), null);
          keptOutcome = true;
        });
    return result;
  }

  /** Whether {@code built} (from {@link #build}) differs from what the API server holds. */
  public boolean changed(NodeAppImageStatus built) {
    return !hadStatus || !built.equals(previous);
  }
}

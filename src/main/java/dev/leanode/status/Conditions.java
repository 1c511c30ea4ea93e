package dev.leanode.status;

import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one place that decides what {@code Ready} and {@code Building} say for an outcome of a
 * reconciliation. A small truth table, unit-tested case by case:
 *
 * <pre>
 * reason            Ready  Building
 * BuildSucceeded    True   False
 * BuildRunning      False  True
 * anything else     False  False
 * </pre>
 *
 * Both conditions carry the same reason and message, so {@code kubectl get nai -o wide} and {@code
 * kubectl describe} tell the same story.
 */
public final class Conditions {
  /** Kubernetes caps condition messages at 32 KiB; we keep them readable. */
  static final int MAX_MESSAGE = 2000;

  private Conditions() {}

  public static String readyStatus(Reason reason) {
    return reason == Reason.BUILD_SUCCEEDED ? "True" : "False";
  }

  public static String buildingStatus(Reason reason) {
    return reason == Reason.BUILD_RUNNING ? "True" : "False";
  }

  /**
   * The conditions after this reconciliation. {@code lastTransitionTime} moves only when a
   * condition's status flips, per the Kubernetes API conventions.
   */
  public static List<Condition> next(
      List<Condition> current, Reason reason, String message, long generation, Instant now) {
    String msg = truncate(message == null || message.isBlank() ? reason.defaultMessage() : message);
    List<Condition> result = new ArrayList<>();
    result.add(
        merge(
            find(current, NodeAppImageStatus.READY),
            NodeAppImageStatus.READY,
            readyStatus(reason),
            reason,
            msg,
            generation,
            now));
    result.add(
        merge(
            find(current, NodeAppImageStatus.BUILDING),
            NodeAppImageStatus.BUILDING,
            buildingStatus(reason),
            reason,
            msg,
            generation,
            now));
    return result;
  }

  /**
   * One more condition beside Ready and Building (e.g. Verified), with the same rules:
   * lastTransitionTime moves only when its status flips, the message is capped.
   */
  public static Condition other(
      List<Condition> current,
      String type,
      String status,
      String reason,
      String message,
      long generation,
      Instant now) {
    Optional<Condition> previous = find(current, type);
    String transition =
        previous
            .filter(p -> Objects.equals(p.getStatus(), status))
            .map(Condition::getLastTransitionTime)
            .filter(Objects::nonNull)
            .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(truncate(message))
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition)
        .build();
  }

  static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static Condition merge(
      Optional<Condition> previous,
      String type,
      String status,
      Reason reason,
      String message,
      long generation,
      Instant now) {
    String transition =
        previous
            .filter(p -> Objects.equals(p.getStatus(), status))
            .map(Condition::getLastTransitionTime)
            .filter(Objects::nonNull)
            .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason.reason())
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition)
        .build();
  }

  static String truncate(String message) {
    String oneLineSafe = message.replace("\u0000", "");
    return oneLineSafe.length() <= MAX_MESSAGE
        ? oneLineSafe
        : oneLineSafe.substring(0, MAX_MESSAGE - 1) + "…";
  }
}

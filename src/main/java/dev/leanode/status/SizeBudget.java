package dev.leanode.status;

import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.registry.SizeFormat;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code SizeWithinBudget} condition: present when {@code spec.output.sizeBudget} is set and
 * the image's size is known; False with {@link Reason#SIZE_BUDGET_EXCEEDED} when larger. It never
 * touches Ready (the build worked; the image is only too big).
 */
public final class SizeBudget {
  public static final String TYPE = "SizeWithinBudget";

  private SizeBudget() {}

  public static Optional<Condition> condition(
      List<Condition> current,
      Long budgetBytes,
      String budgetText,
      NodeAppImageStatus.OutputStatus output,
      long generation,
      Instant now) {
    if (budgetBytes == null || output == null || output.getSizeBytes() == null) {
      return Optional.empty();
    }
    long size = output.getSizeBytes();
    boolean within = size <= budgetBytes;
    Reason reason = within ? Reason.WITHIN_BUDGET : Reason.SIZE_BUDGET_EXCEEDED;
    String status = within ? "True" : "False";
    String message =
        within
            ? "The image is "
                + SizeFormat.human(size)
                + ", within spec.output.sizeBudget "
                + budgetText
            : "The image is "
                + SizeFormat.human(size)
                + " ("
                + size
                + " bytes), "
                + SizeFormat.human(size - budgetBytes)
                + " over spec.output.sizeBudget "
                + budgetText
                + " ("
                + budgetBytes
                + " bytes)";
    String transition =
        Conditions.find(current, TYPE)
            .filter(p -> Objects.equals(p.getStatus(), status))
            .map(Condition::getLastTransitionTime)
            .filter(Objects::nonNull)
            .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    return Optional.of(
        new ConditionBuilder()
            .withType(TYPE)
            .withStatus(status)
            .withReason(reason.reason())
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(transition)
            .build());
  }
}

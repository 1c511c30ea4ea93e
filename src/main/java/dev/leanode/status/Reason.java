package dev.leanode.status;

/**
 * Condition reasons (single CamelCase words) with the message used when nothing better is known.
 */
public enum Reason {
  PENDING("Pending", "Waiting for the operator to start the build"),
  INVALID_SPEC("InvalidSpec", "The spec is invalid"),
  SECRET_NOT_FOUND("SecretNotFound", "A referenced Secret is missing or malformed"),
  SOURCE_UNAVAILABLE("SourceUnavailable", "The source could not be resolved"),
  BASE_IMAGE_UNAVAILABLE(
      "BaseImageUnavailable", "The base image's tag could not be resolved to a digest"),
  SUSPENDED("Suspended", "spec.suspend is true: no build runs until it is false"),
  QUEUED("Queued", "Waiting for a free build slot (leanode.build.max-concurrent-builds)"),
  BUILD_RUNNING("BuildRunning", "The build Job is running"),
  BUILD_SUCCEEDED("BuildSucceeded", "The image is pushed and measured"),
  BUILD_FAILED("BuildFailed", "The build failed"),
  BUILD_TIMED_OUT("BuildTimedOut", "The build exceeded spec.build.timeout"),
  SIZE_UNKNOWN("SizeUnknown", "The image is pushed; reading its size from the registry failed"),
  RECONCILE_ERROR(
      "ReconcileError",
      "The operator could not finish a reconciliation (an API call failed); retrying"),
  /** SizeWithinBudget=True (only on that condition, never on Ready). */
  WITHIN_BUDGET("WithinBudget", "The image is within spec.output.sizeBudget"),
  /** SizeWithinBudget=False (only on that condition, never on Ready). */
  SIZE_BUDGET_EXCEEDED("SizeBudgetExceeded", "The image is larger than spec.output.sizeBudget");

  private final String reason;
  private final String defaultMessage;

  Reason(String reason, String defaultMessage) {
    this.reason = reason;
    this.defaultMessage = defaultMessage;
  }

  public String reason() {
    return reason;
  }

  public String defaultMessage() {
    return defaultMessage;
  }

  /** Reasons that warrant a Warning Event when they appear. */
  public boolean isWarning() {
    return switch (this) {
      case INVALID_SPEC,
          SECRET_NOT_FOUND,
          SOURCE_UNAVAILABLE,
          BASE_IMAGE_UNAVAILABLE,
          BUILD_FAILED,
          BUILD_TIMED_OUT,
          SIZE_UNKNOWN,
          RECONCILE_ERROR,
          SIZE_BUDGET_EXCEEDED ->
          true;
      default -> false;
    };
  }
}

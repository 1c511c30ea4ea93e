package dev.leanode.status;

/** Reasons of the {@code Verified} condition (spec.verify). */
public enum VerifyReason {
  AWAITING_IMAGE("AwaitingImage", "Unknown", "No pushed image to verify yet"),
  VERIFYING("Verifying", "Unknown", "The image runs in a verify Pod; waiting for its answer"),
  IMAGE_ANSWERED("ImageAnswered", "True", "The image started and answered over HTTP"),
  VERIFY_FAILED("VerifyFailed", "False", "The image did not answer over HTTP in time");

  private final String reason;
  private final String status;
  private final String defaultMessage;

  VerifyReason(String reason, String status, String defaultMessage) {
    this.reason = reason;
    this.status = status;
    this.defaultMessage = defaultMessage;
  }

  public String reason() {
    return reason;
  }

  /** The condition's status for this reason: True, False or Unknown. */
  public String status() {
    return status;
  }

  public String defaultMessage() {
    return defaultMessage;
  }
}

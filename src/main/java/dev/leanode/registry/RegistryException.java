package dev.leanode.registry;

/**
 * A registry read failed. {@link #retryable()} separates passing trouble (5xx, 429, connection
 * refused, timeouts) from answers that will not change by waiting (401, 403, 404, bad content).
 */
public class RegistryException extends Exception {

  private final int statusCode;
  private final boolean retryable;

  /**
   * @param statusCode the HTTP status the registry answered, or 0 when there was no answer
   */
  public RegistryException(String message, int statusCode, boolean retryable, Throwable cause) {
    super(message, cause);
    this.statusCode = statusCode;
    this.retryable = retryable;
  }

  /** Failure with an HTTP status: 5xx and 429 are retryable, other statuses are not. */
  public static RegistryException forStatus(String message, int statusCode, Throwable cause) {
    return new RegistryException(
        message, statusCode, statusCode >= 500 || statusCode == 429, cause);
  }

  /** True when trying again later may succeed. */
  public boolean retryable() {
    return retryable;
  }

  /** The registry's HTTP status, or 0 when no HTTP answer was received. */
  public int statusCode() {
    return statusCode;
  }
}

package dev.leanode.status;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * What a user reads in the Ready condition when a reconciliation threw: the API server's own words
 * (not fabric8's request dump), and how many times JOSDK tried.
 */
public final class ReconcileErrors {
  private ReconcileErrors() {}

  /**
   * The condition message for an exception on the {@code attempt}-th try (1 = first try, 2 = first
   * retry).
   */
  public static String message(Throwable error, int attempt) {
    return describe(error) + " (attempt " + attempt + ")";
  }

  /** The API server's message (and HTTP code) when there is one, else the exception's message. */
  public static String describe(Throwable error) {
    // a wrapper whose message is only its cause's toString() (JOSDK wraps what a reconciler
    // throws that way) adds a class name, not information
    while (error.getCause() != null
        && java.util.Objects.equals(error.getMessage(), error.getCause().toString())) {
      error = error.getCause();
    }
    if (error instanceof KubernetesClientException k) {
      var status = k.getStatus();
      String text =
          status != null && status.getMessage() != null && !status.getMessage().isBlank()
              ? status.getMessage()
              : k.getMessage();
      return k.getCode() > 0 ? text + " (HTTP " + k.getCode() + ")" : text;
    }
    if (error.getMessage() == null || error.getMessage().isBlank()) {
      return error.getClass().getSimpleName()
          + (error.getCause() == null ? "" : ": " + describe(error.getCause()));
    }
    return error.getMessage();
  }
}

package dev.leanode.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** What the cluster-reading commands print for an API failure: one line, as kubectl would. */
final class Cluster {
  private Cluster() {}

  static String describe(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      String reason =
          e.getStatus().getReason() == null ? "" : " (" + e.getStatus().getReason() + ")";
      return "from server" + reason + ": " + e.getStatus().getMessage();
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return e.getMessage() + (root == e ? "" : " (" + root + ")");
  }
}

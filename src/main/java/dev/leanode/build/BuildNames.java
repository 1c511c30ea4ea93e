package dev.leanode.build;

import java.util.Locale;
import java.util.regex.Pattern;

/** Names of the build ConfigMap and Job (the same name for both). */
public final class BuildNames {
  public static final int MAX_NAME = 63;
  public static final int HASH_CHARS = 10;
  private static final Pattern HEX = Pattern.compile("^[0-9a-f]{10,}$");

  private BuildNames() {}

  /**
   * {@code <resource name, truncated>-<first 10 hex of the input hash>}: at most 63 characters and
   * a DNS-1123 label (the Job controller copies the Job name into the pod's job-name label, which
   * is limited to 63). Dots of a subdomain-style resource name become dashes.
   */
  public static String jobName(String resourceName, String inputHash) {
    String hash = shortHash(inputHash);
    String prefix =
        resourceName
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9-]", "-")
            .substring(0, Math.min(resourceName.length(), MAX_NAME - HASH_CHARS - 1))
            .replaceAll("^-+|-+$", "");
    return prefix.isEmpty() ? "build-" + hash : prefix + "-" + hash;
  }

  /** The first 10 hex characters of an input hash. */
  public static String shortHash(String inputHash) {
    if (inputHash == null || !HEX.matcher(inputHash).matches()) {
      throw new IllegalArgumentException("input hash must be lowercase hex: " + inputHash);
    }
    return inputHash.substring(0, HASH_CHARS);
  }
}

package dev.leanode.build;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Labels on build ConfigMaps, Jobs and pods, so the operator can find and clean them up. */
public final class Labels {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "leanode";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String COMPONENT_BUILD = "build";
  public static final String RESOURCE = "leanode.dev/nodeappimage";
  public static final String BUILD_HASH = "leanode.dev/build-hash";

  /** Pod template annotation with the NodeAppImage's full name (label values are capped at 63). */
  public static final String RESOURCE_NAME_ANNOTATION = "leanode.dev/nodeappimage-name";

  /**
   * Annotation on a NodeAppImage whose value is part of the build input hash: a new value asks for
   * a new build of otherwise unchanged inputs (after a failure, a lost Job, a moved base image).
   */
  public static final String REBUILD_ANNOTATION = "leanode.dev/rebuild";

  static final int MAX_LABEL_VALUE = 63;

  private Labels() {}

  /**
   * The {@link #RESOURCE} label value for a NodeAppImage name. Names up to 63 characters are used
   * as is; longer ones (object names may have 253) cannot be label values, so they become their
   * first 52 characters, '-', and 10 hex of their SHA-256. Select with this function, never with
   * the raw name.
   */
  public static String resourceValue(String resourceName) {
    if (resourceName.length() <= MAX_LABEL_VALUE) {
      return resourceName;
    }
    String prefix = resourceName.substring(0, MAX_LABEL_VALUE - 11);
    // label values must end with an alphanumeric character
    prefix = prefix.replaceAll("[^A-Za-z0-9]+$", "");
    return prefix + "-" + sha256Hex(resourceName).substring(0, 10);
  }

  /** All four labels of one build. */
  public static Map<String, String> forBuild(String resourceName, String inputHash) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, MANAGED_BY_VALUE);
    labels.put(COMPONENT, COMPONENT_BUILD);
    labels.put(RESOURCE, resourceValue(resourceName));
    labels.put(BUILD_HASH, BuildNames.shortHash(inputHash));
    return labels;
  }

  static String sha256Hex(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

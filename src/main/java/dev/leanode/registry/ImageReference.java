package dev.leanode.registry;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A container image reference split the way the Docker CLI splits it: registry host, repository,
 * tag and digest.
 *
 * <p>{@code tag} is {@code null} only when the reference names a digest and no tag; {@code digest}
 * is {@code null} unless the reference carries one.
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

  /** Docker Hub's canonical host name, as the Docker CLI normalises it. */
  public static final String DOCKER_HUB = "docker.io";

  private static final Pattern HOST =
      Pattern.compile(
          "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
              + "|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");
  private static final Pattern PATH_COMPONENT =
      Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DIGEST =
      Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");
  private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

  /** Validates the parts; use {@link #parse} for user input. */
  public ImageReference {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
    if (!HOST.matcher(registry).matches()) {
      throw new IllegalArgumentException("invalid registry host '" + registry + "'");
    }
    for (String component : repository.split("/", -1)) {
      if (!PATH_COMPONENT.matcher(component).matches()) {
        throw new IllegalArgumentException(
            "invalid repository '"
                + repository
                + "': path components are lowercase letters, digits and . _ - separators");
      }
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("invalid tag '" + tag + "'");
    }
    if (digest != null) {
      requireValidDigest(digest);
    }
  }

  /**
   * Parses a reference with the Docker CLI's rules: the first path segment is the registry when it
   * contains '.' or ':' or is {@code localhost}, else the image lives on Docker Hub ({@code
   * docker.io}, with {@code library/} before single-segment names); the tag defaults to {@code
   * latest} unless a digest follows '@'.
   *
   * @throws IllegalArgumentException when the text is not a valid reference
   */
  public static ImageReference parse(String ref) {
    if (ref == null || ref.isBlank()) {
      throw new IllegalArgumentException("image reference is empty");
    }
    if (!ref.equals(ref.strip())) {
      throw new IllegalArgumentException("image reference '" + ref + "' has surrounding spaces");
    }
    String rest = ref;
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      requireValidDigest(digest);
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (tag.isEmpty()) {
        throw new IllegalArgumentException("image reference '" + ref + "' has an empty tag");
      }
    }
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("image reference '" + ref + "' has no repository");
    }
    String registry = DOCKER_HUB;
    String repository = rest;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first;
        repository = rest.substring(slash + 1);
      }
    }
    if (isDockerHub(registry)) {
      registry = DOCKER_HUB;
      if (!repository.contains("/")) {
        repository = "library/" + repository;
      }
    }
    try {
      return new ImageReference(registry, repository, tag, digest);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid image reference '" + ref + "': " + e.getMessage());
    }
  }

  /** The same image pinned to {@code digest} (the tag is kept for readability). */
  public ImageReference withDigest(String digest) {
    requireValidDigest(digest);
    return new ImageReference(registry, repository, tag, digest);
  }

  /** {@code registry/repository}: the image without tag or digest. */
  public String name() {
    return registry + "/" + repository;
  }

  /** The same repository with another tag, as a reference string (for derived pushes). */
  public String withTag(String newTag) {
    return name() + ":" + newTag;
  }

  /** The tag or, when present, the digest: what goes after {@code /manifests/} in the API. */
  public String manifestReference() {
    return digest != null ? digest : tag;
  }

  /** True for Docker Hub and the host names the Docker CLI treats as Docker Hub. */
  static boolean isDockerHub(String host) {
    return host.equals(DOCKER_HUB)
        || host.equals("index.docker.io")
        || host.equals("registry-1.docker.io");
  }

  private static void requireValidDigest(String digest) {
    if (digest == null
        || !DIGEST.matcher(digest).matches()
        || (digest.startsWith("sha256:") && !SHA256.matcher(digest).matches())) {
      throw new IllegalArgumentException(
          "invalid digest '" + digest + "' (expected algorithm:hex, e.g. sha256:<64 hex>)");
    }
  }

  /** Canonical form: {@code registry/repository[:tag][@digest]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(registry).append('/').append(repository);
    if (tag != null) {
      sb.append(':').append(tag);
    }
    if (digest != null) {
      sb.append('@').append(digest);
    }
    return sb.toString();
  }
}

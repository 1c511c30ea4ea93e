package dev.leanode.build;

/**
 * The parts of spec.output.image that the build needs: registry host (may be null for Docker Hub
 * short names), repository and tag.
 *
 * <p>Docker's rule: the first path segment is a registry host only if it contains '.' or ':' or is
 * {@code localhost}; the tag follows the last ':' after the last '/'; default tag {@code latest}. A
 * digest ({@code @sha256:...}) cannot be pushed to and is rejected.
 */
record ImageRef(String registry, String repository, String tag) {
  static final String DOCKER_HUB = "index.docker.io";

  static ImageRef parse(String image) {
    if (image == null || image.isEmpty()) {
      throw new IllegalArgumentException("spec.output.image is empty");
    }
    if (image.contains("@")) {
      throw new IllegalArgumentException(
          "spec.output.image must be registry/repository[:tag], not a digest: " + image);
    }
    String registry = null;
    String rest = image;
    int slash = image.indexOf('/');
    if (slash > 0) {
      String first = image.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first;
        rest = image.substring(slash + 1);
      }
    }
    String tag = "latest";
    int lastSlash = rest.lastIndexOf('/');
    int colon = rest.lastIndexOf(':');
    if (colon > lastSlash) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    if (rest.isEmpty() || tag.isEmpty() || rest.startsWith("/") || rest.endsWith("/")) {
      throw new IllegalArgumentException("spec.output.image is not a valid reference: " + image);
    }
    return new ImageRef(registry, rest, tag);
  }

  /** registry/repository, or repository alone for Docker Hub short names. */
  String name() {
    return registry == null ? repository : registry + "/" + repository;
  }

  /** Host for --registry-certificate. */
  String registryHost() {
    return registry == null ? DOCKER_HUB : registry;
  }

  String cacheRepo() {
    return name() + "/cache";
  }

  String withTag(String newTag) {
    return name() + ":" + newTag;
  }
}

package dev.leanode.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What skopeo says about an image in the local registries: the reference the tests compare to. */
public final class Registry {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Registry() {}

  public static String creds(String image) {
    return image.startsWith(Tools.AUTH_REGISTRY + "/")
        ? Tools.REGISTRY_USER + ":" + Tools.REGISTRY_PASSWORD
        : null;
  }

  private static List<String> skopeo(String image, String... args) {
    List<String> cmd = new ArrayList<>(List.of("skopeo", "inspect", "--tls-verify=false"));
    String c = creds(image);
    if (c != null) {
      cmd.add("--creds");
      cmd.add(c);
    }
    cmd.addAll(List.of(args));
    cmd.add("docker://" + image);
    return cmd;
  }

  /** The raw manifest of {@code image} (tag or @digest). */
  public static JsonNode rawManifest(String image) {
    try {
      return JSON.readTree(
          Proc.run(Duration.ofMinutes(1), skopeo(image, "--raw")).check().output());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Compressed size: config + layers of the manifest, as {@code skopeo inspect --raw} reports. */
  public static long compressedSize(String image) {
    JsonNode m = rawManifest(image);
    long size = m.path("config").path("size").asLong();
    for (JsonNode l : m.path("layers")) {
      size += l.path("size").asLong();
    }
    return size;
  }

  /** The manifest digest of a tag. */
  public static String digest(String image) {
    try {
      return JSON.readTree(Proc.run(Duration.ofMinutes(1), skopeo(image)).check().output())
          .path("Digest")
          .asText();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The image config's labels. */
  public static java.util.Map<String, String> inspectLabels(String image) {
    try {
      JsonNode labels =
          JSON.readTree(Proc.run(Duration.ofMinutes(1), skopeo(image)).check().output())
              .path("Labels");
      java.util.Map<String, String> result = new java.util.TreeMap<>();
      labels.fields().forEachRemaining(e -> result.put(e.getKey(), e.getValue().asText()));
      return result;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

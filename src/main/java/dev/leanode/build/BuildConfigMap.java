package dev.leanode.build;

import static dev.leanode.build.BuildLayout.CA_FILE;
import static dev.leanode.build.BuildLayout.DOCKERFILE;
import static dev.leanode.build.BuildLayout.SINGLE_STAGE_DOCKERFILE;

import dev.leanode.source.ResolvedSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The build ConfigMap's data: Dockerfile(s), CA bundle and inline files, the latter under keys
 * {@code src.<12 hex of sha1(path)>} (keys cannot hold {@code /}) that volume items map back to
 * their paths.
 *
 * @param data key → content, sorted
 * @param inlineFiles ConfigMap key → relative path of each inline file, in source order
 */
record BuildConfigMap(Map<String, String> data, Map<String, String> inlineFiles) {
  static final String INLINE_KEY_PREFIX = "src.";

  /** The API server's limit is 1 MiB for the whole object; leave room for metadata. */
  static final long MAX_CONFIGMAP_BYTES = 1024L * 1024L - 16 * 1024L;

  static BuildConfigMap of(BuildInputs in) {
    Map<String, String> data = new TreeMap<>();
    data.put(DOCKERFILE, in.request().dockerfile());
    if (in.singleStage() != null) {
      data.put(SINGLE_STAGE_DOCKERFILE, in.singleStage());
    }
    in.caBundle().ifPresent(pem -> data.put(CA_FILE, pem));
    Map<String, String> inlineFiles = new LinkedHashMap<>();
    if (in.request().source() instanceof ResolvedSource.Inline inline) {
      for (var file : inline.files().entrySet()) {
        String key = inlineKey(file.getKey());
        if (data.putIfAbsent(key, file.getValue()) != null) {
          throw new IllegalStateException("inline file key collision for " + file.getKey());
        }
        inlineFiles.put(key, file.getKey());
      }
    }
    long bytes =
        data.entrySet().stream()
            .mapToLong(
                e -> e.getKey().length() + e.getValue().getBytes(StandardCharsets.UTF_8).length)
            .sum();
    if (bytes > MAX_CONFIGMAP_BYTES) {
      // the API server refuses ConfigMaps over 1 MiB: say why before creating anything
      throw new IllegalArgumentException(
          "spec.source.inline.files: the build ConfigMap (Dockerfile"
              + (in.caBundle().isPresent() ? ", CA bundle" : "")
              + " and inline files) would hold "
              + bytes
              + " bytes, over the "
              + MAX_CONFIGMAP_BYTES
              + " a ConfigMap may hold; use a git source for larger apps");
    }
    return new BuildConfigMap(data, inlineFiles);
  }

  /** The Dockerfile keys the Kaniko containers mount. */
  List<String> dockerfileKeys() {
    List<String> keys = new ArrayList<>(List.of(DOCKERFILE));
    if (data.containsKey(SINGLE_STAGE_DOCKERFILE)) {
      keys.add(SINGLE_STAGE_DOCKERFILE);
    }
    return keys;
  }

  static String inlineKey(String path) {
    try {
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1").digest(path.getBytes(StandardCharsets.UTF_8));
      return INLINE_KEY_PREFIX + HexFormat.of().formatHex(sha1).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

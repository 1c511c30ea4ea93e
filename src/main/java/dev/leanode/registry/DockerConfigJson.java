package dev.leanode.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads credentials out of a {@code kubernetes.io/dockerconfigjson} secret's {@code
 * .dockerconfigjson} value, matching registry keys the way the Docker CLI and Kaniko do.
 */
public final class DockerConfigJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DockerConfigJson() {}

  /**
   * The credentials stored for {@code registryHost} ({@code host[:port]}), if any.
   *
   * <p>Keys may carry a scheme and path ({@code https://index.docker.io/v1/}); Docker Hub's aliases
   * ({@code docker.io}, {@code index.docker.io}, {@code registry-1.docker.io}) match each other. An
   * entry holds either {@code auth} = base64(user:password) or {@code username} + {@code password}.
   * A key that equals {@code registryHost} exactly wins over one that matches after normalising.
   *
   * @throws IllegalArgumentException when the document is not JSON or a matching entry is malformed
   *     (the message never contains secret material)
   */
  public static Optional<RegistryCredentials> credentialsFor(
      String configJson, String registryHost) {
    JsonNode root;
    try {
      root = MAPPER.readTree(configJson == null ? "" : configJson);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("docker config is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("docker config is not a JSON object");
    }
    // legacy ~/.dockercfg format (type kubernetes.io/dockercfg) has the entries at top level
    JsonNode auths = root.has("auths") ? root.get("auths") : root;
    if (!auths.isObject()) {
      throw new IllegalArgumentException("docker config 'auths' is not an object");
    }
    JsonNode exact = auths.get(registryHost);
    if (exact != null) {
      return Optional.of(toCredentials(registryHost, exact));
    }
    String wanted = normalise(registryHost);
    for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (normalise(entry.getKey()).equals(wanted)) {
        return Optional.of(toCredentials(entry.getKey(), entry.getValue()));
      }
    }
    return Optional.empty();
  }

  /** Host[:port] in lower case, without scheme or path; Docker Hub aliases become docker.io. */
  static String normalise(String key) {
    String host = key.strip().toLowerCase(Locale.ROOT);
    int scheme = host.indexOf("://");
    if (scheme >= 0) {
      host = host.substring(scheme + 3);
    }
    int slash = host.indexOf('/');
    if (slash >= 0) {
      host = host.substring(0, slash);
    }
    return ImageReference.isDockerHub(host) ? ImageReference.DOCKER_HUB : host;
  }

  private static RegistryCredentials toCredentials(String key, JsonNode entry) {
    if (entry == null || !entry.isObject()) {
      throw new IllegalArgumentException("docker config entry '" + key + "' is not an object");
    }
    String auth = text(entry, "auth");
    if (auth != null && !auth.isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "docker config entry '" + key + "': 'auth' is not valid base64");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(
            "docker config entry '" + key + "': 'auth' does not decode to user:password");
      }
      return new RegistryCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    }
    String username = text(entry, "username");
    String password = text(entry, "password");
    if (username != null && password != null) {
      return new RegistryCredentials(username, password);
    }
    throw new IllegalArgumentException(
        "docker config entry '" + key + "' has neither 'auth' nor 'username' and 'password'");
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }
}

package dev.leanode.reconciler;

import dev.leanode.registry.ImageReference;
import dev.leanode.registry.ImageSize;
import dev.leanode.registry.RegistryClient;
import dev.leanode.registry.RegistryCredentials;
import dev.leanode.registry.RegistryException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A registry for the operator ITs: sizes by digest, an "outage" switch, and a record of the calls
 * (to check credentials reached it). The real client is tested against a real registry elsewhere.
 */
class FakeRegistryClient implements RegistryClient {
  final Map<String, Long> sizes = new ConcurrentHashMap<>();
  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<Optional<RegistryCredentials>> credentials = new CopyOnWriteArrayList<>();
  volatile boolean down;

  /** Tag → digest for {@link #digest}; an image not listed gets a digest made from its name. */
  final Map<String, String> digests = new ConcurrentHashMap<>();

  final List<String> digestCalls = new CopyOnWriteArrayList<>();

  /** A base image listed here is "not found" (its tag does not exist). */
  final java.util.Set<String> missing = ConcurrentHashMap.newKeySet();

  @Override
  public String digest(ImageReference ref, Optional<RegistryCredentials> creds, boolean insecure)
      throws RegistryException {
    digestCalls.add(ref.toString());
    if (missing.contains(ref.toString())) {
      throw new RegistryException(
          "reading " + ref + " from the registry: not found", 404, false, null);
    }
    return digests.computeIfAbsent(ref.toString(), FakeRegistryClient::digestOf);
  }

  static String digestOf(String image) {
    try {
      return "sha256:"
          + java.util.HexFormat.of()
              .formatHex(
                  java.security.MessageDigest.getInstance("SHA-256")
                      .digest(image.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public ImageSize measure(
      ImageReference ref, Optional<RegistryCredentials> creds, boolean insecure)
      throws RegistryException {
    calls.add(ref.toString());
    credentials.add(creds);
    if (down) {
      throw new RegistryException("registry answered 503 Service Unavailable", 503, true, null);
    }
    Long size = sizes.get(ref.digest());
    if (size == null) {
      throw new RegistryException("manifest unknown: " + ref, 404, false, null);
    }
    return new ImageSize(size, null, "application/vnd.oci.image.manifest.v1+json");
  }
}

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

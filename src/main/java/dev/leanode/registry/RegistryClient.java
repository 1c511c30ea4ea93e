package dev.leanode.registry;

import java.util.Optional;

/** Reads an image's manifest from its registry and measures it. */
public interface RegistryClient {

  /**
   * Measures the image that {@code ref} names (by digest when it has one, else by tag). For an
   * image index the preferred platform's manifest (linux/amd64 unless configured) is measured.
   *
   * @param insecure the registry may be plain HTTP or use an untrusted certificate
   * @throws RegistryException with {@link RegistryException#retryable()} telling whether a later
   *     attempt can succeed
   */
  ImageSize measure(ImageReference ref, Optional<RegistryCredentials> creds, boolean insecure)
      throws RegistryException;

  /**
   * The digest {@code ref}'s tag points at now (of the image index when it is one: that is what
   * {@code FROM image@digest} pins). One HEAD request (plus the token flow).
   *
   * @throws RegistryException as for {@link #measure}
   */
  String digest(ImageReference ref, Optional<RegistryCredentials> creds, boolean insecure)
      throws RegistryException;
}

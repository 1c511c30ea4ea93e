package dev.leanode.registry;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import land.oras.ContainerRef;
import land.oras.Descriptor;
import land.oras.Index;
import land.oras.Layer;
import land.oras.Manifest;
import land.oras.ManifestDescriptor;
import land.oras.Platform;
import land.oras.Registry;
import land.oras.auth.AuthProvider;
import land.oras.auth.NoAuthProvider;
import land.oras.auth.UsernamePasswordProvider;
import land.oras.exception.OrasException;

/**
 * {@link RegistryClient} on the ORAS Java SDK, which speaks the distribution API (Docker v2 and OCI
 * manifests and indexes; Basic auth and the Bearer token flow of Docker Hub, GHCR, Harbor).
 *
 * <p>ORAS fixes its connect timeout at 60 s and sets no request timeout, so each measurement runs
 * on this client's own threads under a deadline: a registry that accepts connections and never
 * answers cannot hold a reconciler thread.
 */
public final class OrasRegistryClient implements RegistryClient {

  /** Deadline for one whole measurement (token + manifest or index + manifest). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  /** Entry of an image index measured when none is configured. */
  public static final String DEFAULT_PLATFORM = "linux/amd64";

  static final List<String> MANIFEST_TYPES =
      List.of(
          "application/vnd.docker.distribution.manifest.v2+json",
          "application/vnd.oci.image.manifest.v1+json");
  static final List<String> INDEX_TYPES =
      List.of(
          "application/vnd.docker.distribution.manifest.list.v2+json",
          "application/vnd.oci.image.index.v1+json");

  private static final ExecutorService THREADS =
      Executors.newCachedThreadPool(
          new java.util.concurrent.ThreadFactory() {
            private final AtomicInteger n = new AtomicInteger();

            @Override
            public Thread newThread(Runnable r) {
              Thread t = new Thread(r, "leanode-registry-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            }
          });

  private final Duration timeout;
  private final String preferredPlatform;

  /** linux/amd64, 15 s per measurement. */
  public OrasRegistryClient() {
    this(DEFAULT_TIMEOUT, DEFAULT_PLATFORM);
  }

  /**
   * @param timeout deadline for one {@link #measure} call
   * @param preferredPlatform {@code os/arch[/variant]} chosen from an image index
   */
  public OrasRegistryClient(Duration timeout, String preferredPlatform) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.preferredPlatform = Objects.requireNonNull(preferredPlatform, "preferredPlatform");
    if (preferredPlatform.split("/").length < 2) {
      throw new IllegalArgumentException(
          "preferredPlatform must be os/arch[/variant], got '" + preferredPlatform + "'");
    }
  }

  @Override
  public ImageSize measure(
      ImageReference ref, Optional<RegistryCredentials> creds, boolean insecure)
      throws RegistryException {
    return call(ref, creds, insecure, this::measureWith);
  }

  @Override
  public String digest(ImageReference ref, Optional<RegistryCredentials> creds, boolean insecure)
      throws RegistryException {
    return call(
        ref,
        creds,
        insecure,
        (registry, r) -> {
          String digest =
              registry
                  .probeDescriptor(ContainerRef.parse(orasReference(r, r.manifestReference())))
                  .getDigest();
          if (digest == null || digest.isBlank()) {
            throw new RegistryException(
                r + ": the registry sent no Docker-Content-Digest", 0, false, null);
          }
          return digest;
        });
  }

  /** One registry operation under the deadline, with the insecure scheme fallback. */
  private <T> T call(
      ImageReference ref,
      Optional<RegistryCredentials> creds,
      boolean insecure,
      Operation<T> operation)
      throws RegistryException {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(creds, "creds");
    if (!insecure) {
      return withDeadline(ref, () -> operation.run(registry(creds, false, false), ref));
    }
    // insecure: plain HTTP first (the common case for in-cluster registries), then HTTPS without
    // certificate checks for self-signed ones
    try {
      return withDeadline(ref, () -> operation.run(registry(creds, true, false), ref));
    } catch (RegistryException plain) {
      if (plain.statusCode() != 0 && plain.statusCode() != 400) {
        throw plain; // an HTTP answer (401, 404, 5xx): the scheme was right
      }
      try {
        return withDeadline(ref, () -> operation.run(registry(creds, false, true), ref));
      } catch (RegistryException tls) {
        throw tls.statusCode() != 0 ? tls : plain;
      }
    }
  }

  private interface Operation<T> {
    T run(Registry registry, ImageReference ref) throws RegistryException;
  }

  private interface Measurement<T> {
    T run() throws RegistryException;
  }

  private <T> T withDeadline(ImageReference ref, Measurement<T> measurement)
      throws RegistryException {
    Future<T> future = THREADS.submit(measurement::run);
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new RegistryException(
          "registry " + ref.registry() + " did not answer within " + timeout.toSeconds() + " s",
          0,
          true,
          e);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new RegistryException("interrupted while reading " + ref, 0, true, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RegistryException re) {
        throw re;
      }
      throw translate(ref, cause);
    }
  }

  private ImageSize measureWith(Registry registry, ImageReference ref) throws RegistryException {
    ContainerRef target = ContainerRef.parse(orasReference(ref, ref.manifestReference()));
    Descriptor head = registry.probeDescriptor(target);
    String mediaType = head.getMediaType();
    if (mediaType != null && INDEX_TYPES.contains(mediaType)) {
      Index index = registry.getIndex(target);
      ManifestDescriptor chosen = choose(ref, index.getManifests());
      Manifest manifest =
          registry.getManifest(ContainerRef.parse(orasReference(ref, chosen.getDigest())));
      return new ImageSize(
          sizeOf(manifest),
          platformOf(chosen.getPlatformOrNull()),
          mediaTypeOf(manifest, chosen.getMediaType()),
          layerSizes(manifest));
    }
    if (mediaType != null && !MANIFEST_TYPES.contains(mediaType)) {
      throw new RegistryException(
          ref + " is a " + mediaType + ", not an image manifest or index", 0, false, null);
    }
    Manifest manifest = registry.getManifest(target);
    return new ImageSize(
        sizeOf(manifest), null, mediaTypeOf(manifest, mediaType), layerSizes(manifest));
  }

  /** The index entry for the preferred platform, or the only entry. */
  ManifestDescriptor choose(ImageReference ref, List<ManifestDescriptor> entries)
      throws RegistryException {
    String[] want = preferredPlatform.split("/");
    List<String> seen = new ArrayList<>();
    ManifestDescriptor osArchMatch = null;
    for (ManifestDescriptor entry : entries) {
      Platform p = entry.getPlatformOrNull();
      seen.add(p == null ? "unknown" : platformOf(p));
      if (p == null || !want[0].equals(p.os()) || !want[1].equals(p.architecture())) {
        continue;
      }
      if (want.length < 3 || want[2].equals(p.variant())) {
        return entry;
      }
      if (osArchMatch == null) {
        osArchMatch = entry;
      }
    }
    if (osArchMatch != null) {
      return osArchMatch;
    }
    if (entries.size() == 1) {
      return entries.get(0);
    }
    throw new RegistryException(
        ref + " is an image index without a " + preferredPlatform + " entry (has " + seen + ")",
        0,
        false,
        null);
  }

  static long sizeOf(Manifest manifest) {
    long size = manifest.getConfig() == null ? 0 : manifest.getConfig().getSize();
    for (Layer layer : manifest.getLayers()) {
      size += layer.getSize();
    }
    return size;
  }

  static List<Long> layerSizes(Manifest manifest) {
    List<Long> sizes = new ArrayList<>();
    for (Layer layer : manifest.getLayers()) {
      sizes.add(layer.getSize());
    }
    return sizes;
  }

  private static String mediaTypeOf(Manifest manifest, String fallback) {
    String mt = manifest.getMediaType();
    return mt != null ? mt : fallback;
  }

  static String platformOf(Platform p) {
    if (p == null) {
      return null;
    }
    String s = p.os() + "/" + p.architecture();
    return p.variant() == null || p.variant().isEmpty() ? s : s + "/" + p.variant();
  }

  /** ORAS parses references itself; give it the fully qualified form. */
  private static String orasReference(ImageReference ref, String tagOrDigest) {
    String base = ref.registry() + "/" + ref.repository();
    return tagOrDigest.contains(":") ? base + "@" + tagOrDigest : base + ":" + tagOrDigest;
  }

  private static Registry registry(
      Optional<RegistryCredentials> creds, boolean plainHttp, boolean skipTlsVerify) {
    AuthProvider auth =
        creds
            .<AuthProvider>map(c -> new UsernamePasswordProvider(c.username(), c.password()))
            .orElseGet(NoAuthProvider::new);
    return Registry.builder()
        .withAuthProvider(auth)
        .withInsecure(plainHttp)
        .withSkipTlsVerify(skipTlsVerify)
        .withExecutorService(THREADS)
        .build();
  }

  /** ORAS reports everything as OrasException; sort it into retryable or not. */
  static RegistryException translate(ImageReference ref, Throwable t) {
    Integer status = t instanceof OrasException oe ? oe.getStatusCode() : null;
    if (status != null && status >= 100) {
      String what =
          switch (status) {
            case 401 ->
                "unauthorized (check the push secret's credentials for " + ref.registry() + ")";
            case 403 -> "access denied";
            case 404 -> "not found";
            default -> "HTTP " + status;
          };
      return RegistryException.forStatus(
          "reading " + ref + " from the registry: " + what, status, t);
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof HttpTimeoutException || c instanceof InterruptedIOException) {
        return new RegistryException("registry " + ref.registry() + " timed out", 0, true, t);
      }
      if (c instanceof IOException io) {
        return new RegistryException(
            "cannot reach registry " + ref.registry() + ": " + io, 0, true, t);
      }
    }
    return new RegistryException("reading " + ref + " failed: " + t.getMessage(), 0, false, t);
  }
}

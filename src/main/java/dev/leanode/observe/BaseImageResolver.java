package dev.leanode.observe;

import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.BaseImagePolicy;
import dev.leanode.api.v1alpha1.NodeAppImageSpec;
import dev.leanode.api.v1alpha1.NodeAppImageStatus.BaseImageStatus;
import dev.leanode.dockerfile.DockerfileGenerator;
import dev.leanode.registry.DockerConfigJson;
import dev.leanode.registry.ImageReference;
import dev.leanode.registry.RegistryClient;
import dev.leanode.registry.RegistryCredentials;
import dev.leanode.registry.RegistryException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The base image's tag → the digest every {@code FROM} is pinned to. {@code track} asks the
 * registry again once the last answer for that image is older than the poll interval (one answer
 * serves every resource with the same base image and credentials meanwhile); {@code pin} keeps the
 * digest in {@code status.baseImage} until the image's name changes. Docker Hub images are asked
 * through the operator's registry mirrors first, in order, as Kaniko pulls them.
 */
public final class BaseImageResolver {
  /** What {@link #resolve} found. */
  public sealed interface Result permits Resolved, Unavailable {}

  /** The base image and its digest. */
  public record Resolved(BaseImageStatus baseImage) implements Result {}

  /** No digest: the message names the field and the registry's answer. */
  public record Unavailable(String message) implements Result {}

  private final RegistryClient registry;
  private final List<String> mirrors;
  private final Duration interval;
  private final Clock clock;
  private final Map<Key, Entry> cache = new ConcurrentHashMap<>();
  private final AtomicLong calls = new AtomicLong();

  /**
   * @param mirrors Docker Hub mirrors ({@code host[:port][/path]}), tried in order before Docker
   *     Hub
   * @param interval how old a cached answer may be (leanode.build.base-image-poll-interval)
   */
  public BaseImageResolver(
      RegistryClient registry, List<String> mirrors, Duration interval, Clock clock) {
    this.registry = Objects.requireNonNull(registry);
    this.mirrors = List.copyOf(mirrors);
    this.interval = Objects.requireNonNull(interval);
    this.clock = Objects.requireNonNull(clock);
  }

  /** Registry requests made so far (for the load figures). */
  public long registryCalls() {
    return calls.get();
  }

  /** The field a user fixes when the base image cannot be resolved. */
  public static String field(AppSpec app) {
    return app != null && app.getBaseImage() != null && !app.getBaseImage().isBlank()
        ? "spec.app.baseImage"
        : "spec.app.nodeVersion";
  }

  /**
   * @param previous {@code status.baseImage} before this reconciliation (pin keeps it)
   * @param dockerConfigJson the pull (or push) secret's config.json, for registries with auth
   * @param insecure spec.output.insecure: plain HTTP or self-signed TLS allowed
   */
  public Result resolve(
      NodeAppImageSpec spec,
      BaseImageStatus previous,
      Optional<String> dockerConfigJson,
      boolean insecure) {
    String image = DockerfileGenerator.baseImage(spec.getApp());
    ImageReference ref;
    try {
      ref = ImageReference.parse(image);
    } catch (IllegalArgumentException e) {
      return new Unavailable(field(spec.getApp()) + ": " + e.getMessage());
    }
    if (ref.digest() != null) {
      return new Resolved(new BaseImageStatus(image, ref.digest()));
    }
    boolean pin =
        spec.getBuild() != null && spec.getBuild().getBaseImagePolicy() == BaseImagePolicy.PIN;
    if (pin
        && previous != null
        && image.equals(previous.getImage())
        && previous.getDigest() != null) {
      return new Resolved(previous);
    }
    Key key = new Key(ref.toString(), dockerConfigJson.map(String::hashCode).orElse(0), insecure);
    Instant now = clock.instant();
    Entry hit = cache.get(key);
    if (hit != null && now.isBefore(hit.expires)) {
      return new Resolved(new BaseImageStatus(image, hit.digest));
    }
    List<String> failures = new ArrayList<>();
    for (ImageReference candidate : candidates(ref)) {
      try {
        calls.incrementAndGet();
        String digest =
            registry.digest(
                candidate,
                credentials(dockerConfigJson, candidate.registry()),
                insecure || loopback(candidate.registry()));
        cache.put(key, new Entry(digest, now.plus(interval)));
        if (cache.size() > 10_000) {
          cache.entrySet().removeIf(e -> !now.isBefore(e.getValue().expires));
        }
        return new Resolved(new BaseImageStatus(image, digest));
      } catch (RegistryException | IllegalArgumentException e) {
        failures.add(e.getMessage());
      }
    }
    return new Unavailable(
        field(spec.getApp())
            + ": cannot resolve base image "
            + image
            + " to a digest: "
            + String.join("; ", failures));
  }

  /** The mirrors' copies of a Docker Hub image first, then the image itself. */
  List<ImageReference> candidates(ImageReference ref) {
    List<ImageReference> result = new ArrayList<>();
    if (ImageReference.DOCKER_HUB.equals(ref.registry())) {
      for (String mirror : mirrors) {
        int slash = mirror.indexOf('/');
        String host = slash < 0 ? mirror : mirror.substring(0, slash);
        String prefix = slash < 0 ? "" : mirror.substring(slash + 1) + "/";
        result.add(new ImageReference(host, prefix + ref.repository(), ref.tag(), null));
      }
    }
    result.add(ref);
    return result;
  }

  private static Optional<RegistryCredentials> credentials(Optional<String> json, String host) {
    return json.flatMap(j -> DockerConfigJson.credentialsFor(j, host));
  }

  /** go-containerregistry talks plain HTTP to these without being told (Kaniko does too). */
  static boolean loopback(String host) {
    String h = host.replaceFirst(":[0-9]+$", "");
    return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]");
  }

  private record Key(String image, int credentials, boolean insecure) {}

  private record Entry(String digest, Instant expires) {}
}

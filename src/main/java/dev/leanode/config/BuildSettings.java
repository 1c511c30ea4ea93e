package dev.leanode.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Operator-wide build settings (Helm values / application.properties {@code leanode.build.*}), as a
 * plain value so that generators and builders stay testable without Quarkus.
 *
 * @param kanikoImage executor image of the maintained Kaniko fork, pinned
 * @param contextInitImage image with a POSIX shell that copies inline files out of the ConfigMap
 *     volume into the build context (the kubelet lays ConfigMaps out as symlinks)
 * @param defaultTimeout build.timeout when the spec sets none
 * @param defaultCache build.cache when the spec sets none
 * @param caBundlePem PEM certificates builds must trust (registry TLS and package managers), read
 *     by the operator from its mounted file; empty when not configured
 * @param ttlSecondsAfterFinished Job ttlSecondsAfterFinished
 * @param keepJobs finished build Jobs kept per NodeAppImage (older ones are deleted)
 * @param defaultPushSecret push secret name used when output.pushSecretRef is unset; may be null
 * @param maxConcurrentBuilds operator-wide limit of running build Jobs; 0 = unlimited
 * @param registryMirrors pull-through mirrors of Docker Hub, tried in order before it ({@code
 *     host[:port][/path]}, no scheme); each becomes one {@code --registry-mirror=} flag; the
 *     operator reads Docker Hub base images' digests through them too
 * @param baseImagePollInterval how often a base image's tag is resolved to a digest again
 *     (baseImagePolicy track); one answer serves every resource with that base image meanwhile
 */
public record BuildSettings(
    String kanikoImage,
    String contextInitImage,
    Duration defaultTimeout,
    boolean defaultCache,
    Optional<String> caBundlePem,
    int ttlSecondsAfterFinished,
    int keepJobs,
    String defaultPushSecret,
    int maxConcurrentBuilds,
    List<String> registryMirrors,
    Duration baseImagePollInterval) {

  public static final Duration DEFAULT_BASE_IMAGE_POLL_INTERVAL = Duration.ofMinutes(10);

  public static final String DEFAULT_KANIKO_IMAGE = "ghcr.io/osscontainertools/kaniko:v1.28.3";
  public static final String DEFAULT_CONTEXT_INIT_IMAGE = "busybox:1.37.0";

  public BuildSettings {
    Objects.requireNonNull(kanikoImage, "kanikoImage");
    Objects.requireNonNull(contextInitImage, "contextInitImage");
    Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    caBundlePem = caBundlePem == null ? Optional.empty() : caBundlePem.filter(s -> !s.isBlank());
    registryMirrors = registryMirrors == null ? List.of() : List.copyOf(registryMirrors);
    registryMirrors.forEach(BuildSettings::checkMirror);
    baseImagePollInterval =
        baseImagePollInterval == null ? DEFAULT_BASE_IMAGE_POLL_INTERVAL : baseImagePollInterval;
    if (baseImagePollInterval.isNegative() || baseImagePollInterval.isZero()) {
      throw new IllegalArgumentException(
          "leanode.build.base-image-poll-interval: must be longer than 0s, got "
              + baseImagePollInterval);
    }
  }

  /**
   * A registry mirror as Kaniko's {@code --registry-mirror} takes it: {@code host[:port][/path]} (a
   * DNS name, IPv4 or [IPv6] host; lowercase path segments as in image references). Nothing else,
   * so that no setting can smuggle another flag or a scheme into the Job's arguments.
   */
  static final Pattern MIRROR =
      Pattern.compile(
          "^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
              + "|\\[[0-9A-Fa-f:.]+\\])"
              + "(?::[0-9]{1,5})?"
              + "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$");

  static void checkMirror(String mirror) {
    if (mirror == null || !MIRROR.matcher(mirror).matches()) {
      String hint =
          mirror != null && mirror.contains("://")
              ? " (no scheme: Kaniko talks HTTPS, or plain HTTP to loopback and private hosts)"
              : "";
      throw new IllegalArgumentException(
          "leanode.build.registry-mirrors: '" + mirror + "' is not host[:port][/path]" + hint);
    }
  }

  /** The defaults a fresh install gets. */
  public static BuildSettings defaults() {
    return new BuildSettings(
        DEFAULT_KANIKO_IMAGE,
        DEFAULT_CONTEXT_INIT_IMAGE,
        Duration.ofMinutes(20),
        true,
        Optional.empty(),
        3600,
        3,
        null,
        0,
        List.of(),
        DEFAULT_BASE_IMAGE_POLL_INTERVAL);
  }

  public BuildSettings withCaBundlePem(String pem) {
    return new BuildSettings(
        kanikoImage,
        contextInitImage,
        defaultTimeout,
        defaultCache,
        Optional.ofNullable(pem),
        ttlSecondsAfterFinished,
        keepJobs,
        defaultPushSecret,
        maxConcurrentBuilds,
        registryMirrors,
        baseImagePollInterval);
  }

  public BuildSettings withKanikoImage(String image) {
    return new BuildSettings(
        image,
        contextInitImage,
        defaultTimeout,
        defaultCache,
        caBundlePem,
        ttlSecondsAfterFinished,
        keepJobs,
        defaultPushSecret,
        maxConcurrentBuilds,
        registryMirrors,
        baseImagePollInterval);
  }

  public BuildSettings withMaxConcurrentBuilds(int max) {
    return new BuildSettings(
        kanikoImage,
        contextInitImage,
        defaultTimeout,
        defaultCache,
        caBundlePem,
        ttlSecondsAfterFinished,
        keepJobs,
        defaultPushSecret,
        max,
        registryMirrors,
        baseImagePollInterval);
  }

  public BuildSettings withRegistryMirrors(List<String> mirrors) {
    return new BuildSettings(
        kanikoImage,
        contextInitImage,
        defaultTimeout,
        defaultCache,
        caBundlePem,
        ttlSecondsAfterFinished,
        keepJobs,
        defaultPushSecret,
        maxConcurrentBuilds,
        mirrors,
        baseImagePollInterval);
  }

  public BuildSettings withBaseImagePollInterval(Duration interval) {
    return new BuildSettings(
        kanikoImage,
        contextInitImage,
        defaultTimeout,
        defaultCache,
        caBundlePem,
        ttlSecondsAfterFinished,
        keepJobs,
        defaultPushSecret,
        maxConcurrentBuilds,
        registryMirrors,
        interval);
  }
}

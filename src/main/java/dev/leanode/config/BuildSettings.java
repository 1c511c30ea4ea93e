package dev.leanode.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

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
    int maxConcurrentBuilds) {

  public static final String DEFAULT_KANIKO_IMAGE = "ghcr.io/osscontainertools/kaniko:v1.27.6";
  public static final String DEFAULT_CONTEXT_INIT_IMAGE = "busybox:1.37.0";

  public BuildSettings {
    Objects.requireNonNull(kanikoImage, "kanikoImage");
    Objects.requireNonNull(contextInitImage, "contextInitImage");
    Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    caBundlePem = caBundlePem == null ? Optional.empty() : caBundlePem.filter(s -> !s.isBlank());
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
        0);
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
        maxConcurrentBuilds);
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
        maxConcurrentBuilds);
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
        max);
  }
}

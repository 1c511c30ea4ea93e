package dev.leanode.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Operator-wide settings, from application.properties, environment variables or Helm values. */
@ConfigMapping(prefix = "leanode")
public interface LeanodeConfig {

  /** Build Job settings. */
  Build build();

  /** Leader election between operator replicas. */
  LeaderElection leaderElection();

  /** {@code leanode.leader-election.*} (Helm values leaderElection.*). */
  interface LeaderElection {
    /** Off: every replica reconciles, so run exactly one. */
    @WithDefault("true")
    boolean enabled();

    /** Name of the coordination.k8s.io Lease. */
    @WithDefault("leanode-operator-lease")
    String leaseName();

    /** Namespace of the Lease; empty: the client's namespace (in a pod, the pod's). */
    Optional<String> leaseNamespace();
  }

  /** {@code leanode.build.*}. */
  interface Build {
    /** Executor image of the maintained Kaniko fork, pinned. */
    @WithDefault(BuildSettings.DEFAULT_KANIKO_IMAGE)
    String kanikoImage();

    /** Image with a POSIX shell that copies inline files into the build context. */
    @WithDefault(BuildSettings.DEFAULT_CONTEXT_INIT_IMAGE)
    String contextInitImage();

    /** spec.build.timeout when unset. */
    @WithDefault("20m")
    Duration defaultTimeout();

    /** spec.build.cache when unset. */
    @WithDefault("true")
    boolean defaultCache();

    /** PEM file (mounted in the operator pod) whose certificates every build trusts. */
    Optional<String> caBundleFile();

    /** Job ttlSecondsAfterFinished. */
    @WithDefault("3600")
    int ttlSecondsAfterFinished();

    /** Finished build Jobs kept per NodeAppImage. */
    @WithDefault("3")
    int keepJobs();

    /** Push secret used when spec.output.pushSecretRef is unset. */
    Optional<String> defaultPushSecret();

    /** Operator-wide limit of running build Jobs; 0 means unlimited. */
    @WithDefault("0")
    int maxConcurrentBuilds();

    /**
     * Pull-through mirrors of Docker Hub ({@code host[:port][/path]}, comma-separated), tried in
     * order for base images before Docker Hub; empty: Docker Hub only.
     */
    Optional<List<String>> registryMirrors();

    /**
     * How often a base image's tag is resolved to a digest again (spec.build.baseImagePolicy
     * track); a new digest rebuilds. One answer serves every resource with that base meanwhile.
     */
    @WithDefault("10m")
    Duration baseImagePollInterval();
  }
}

package dev.leanode.observe;

import dev.leanode.api.v1alpha1.GitSource;
import dev.leanode.api.v1alpha1.NativeBuild;
import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageSpec;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.build.BuildLayout;
import dev.leanode.build.BuildPlan;
import dev.leanode.build.BuildRequest;
import dev.leanode.build.ImageBuildRunner;
import dev.leanode.config.BuildSettings;
import dev.leanode.dockerfile.AppFiles;
import dev.leanode.dockerfile.DockerfileGenerator;
import dev.leanode.dockerfile.DockerfileOptions;
import dev.leanode.dockerfile.NativeAddons;
import dev.leanode.dockerfile.StartCommand;
import dev.leanode.dockerfile.Workspace;
import dev.leanode.registry.DockerConfigJson;
import dev.leanode.source.GitCredentials;
import dev.leanode.source.ResolvedSource;
import dev.leanode.source.SourceUnavailableException;
import dev.leanode.status.Backoff;
import dev.leanode.status.Reason;
import dev.leanode.status.StatusAggregator;
import dev.leanode.validation.FieldError;
import dev.leanode.validation.SpecValidator;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Spec, Secrets and source → everything one build needs, or the one problem that stops it (invalid
 * spec, missing Secret, unreachable git remote). Reads only; creates nothing.
 */
public final class BuildInputsResolver {
  /** Where build pods see the operator's CA bundle (docs/architecture.md). */
  public static final String CA_BUNDLE_PATH = dev.leanode.build.BuildLayout.CA_BUNDLE_PATH;

  /**
   * Missing or malformed Secrets are re-read with backoff from 1 s to 30 s: the operator may only
   * GET Secrets by name (no watch, see docs/security.md), so it polls, fast at first because a
   * Secret is usually created right after the resource that names it.
   */
  public static final Backoff SECRET_BACKOFF =
      new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

  /** An unreachable git remote is asked again this much later. */
  public static final Duration SOURCE_RETRY = Duration.ofMinutes(1);

  /** A git revision that may move (a branch, a tag) is resolved again this often by default. */
  public static final Duration GIT_POLL = PollSchedule.DEFAULT_GIT_POLL;

  /** An unresolvable base image is asked again this much later. */
  public static final Duration BASE_IMAGE_RETRY = Duration.ofMinutes(1);

  /** Resolves the base image's tag to a digest (in production: {@link BaseImageResolver}). */
  @FunctionalInterface
  public interface BaseImages {
    BaseImageResolver.Result resolve(
        NodeAppImageSpec spec,
        NodeAppImageStatus.BaseImageStatus previous,
        Optional<String> dockerConfigJson,
        boolean insecure);
  }

  /** Reads a Secret of the resource's namespace by name; empty when there is none. */
  @FunctionalInterface
  public interface SecretReader {
    Optional<Secret> read(String name);
  }

  /** Resolves a git revision to a commit (in production: {@code SourceResolver}, cached). */
  @FunctionalInterface
  public interface GitResolver {
    ResolvedSource.Git resolve(GitSource git, Optional<GitCredentials> credentials)
        throws SourceUnavailableException;
  }

  /** Reads the app's files at a resolved commit (in production: {@code SourceResolver}, cached). */
  @FunctionalInterface
  public interface GitFiles {
    AppFiles read(ResolvedSource.Git git, Optional<GitCredentials> credentials)
        throws SourceUnavailableException;
  }

  /** What {@link #resolve} found. */
  public sealed interface Resolution permits Inputs, Problem {}

  /**
   * All inputs of the build.
   *
   * @param plan the desired ConfigMap and Job
   * @param dockerfileSha256 SHA-256 of the generated Dockerfile
   * @param source the commit built (git) or null (inline)
   * @param dockerConfigJson the push secret's config.json, to read the size back
   * @param git whether the source is a git revision that may move (look again later)
   * @param start the start command the Dockerfile runs, and why
   * @param baseImage the base image and the digest every FROM is pinned to
   * @param polls how often to look again at what may move: the git revision (its pollInterval), the
   *     base image's tag (track: the operator's interval)
   */
  public record Inputs(
      BuildPlan plan,
      String dockerfileSha256,
      StartCommand start,
      NodeAppImageStatus.SourceStatus source,
      Optional<String> dockerConfigJson,
      boolean git,
      NodeAppImageStatus.BaseImageStatus baseImage,
      List<Duration> polls)
      implements Resolution {
    /**
     * What the inputs put in the status: the Dockerfile, the source, the base image; and when to
     * look again: at this resource's own slot ({@link PollSchedule}) of the shortest of its poll
     * intervals, unless {@code poll} is false (a suspended resource polls nothing). One series of
     * slots, not one per interval: each look resolves both the git revision (cached 30 s) and the
     * base image (cached for its interval), so a second series would only add ls-remote calls.
     */
    public void record(StatusAggregator status, String key, java.time.Instant now, boolean poll) {
      if (poll) {
        polls.stream()
            .min(Duration::compareTo)
            .ifPresent(p -> status.retryAfter(PollSchedule.next(key, p, now)));
      }
      status.next().setBaseImage(baseImage);
      status
          .next()
          .setDockerfile(
              new NodeAppImageStatus.DockerfileStatus(
                  plan.configMap().getMetadata().getName(),
                  dockerfileSha256,
                  start.command(),
                  start.describe()));
      status.next().setSource(source);
    }
  }

  /** Why there is no build: {@code INVALID_SPEC}, {@code SECRET_NOT_FOUND} or source trouble. */
  public record Problem(Reason reason, String message) implements Resolution {
    /** The condition, and when to look again: Secrets with backoff, the remote in a minute. */
    public void record(StatusAggregator status) {
      Duration retry =
          switch (reason) {
            case SECRET_NOT_FOUND ->
                SECRET_BACKOFF.delay(
                    status.countAttempt(Reason.SECRET_NOT_FOUND, SECRET_BACKOFF.saturatesAt()));
            case SOURCE_UNAVAILABLE -> SOURCE_RETRY;
            case BASE_IMAGE_UNAVAILABLE -> BASE_IMAGE_RETRY;
            default -> null;
          };
      status.outcome(reason, message, retry);
    }
  }

  private final BuildSettings settings;
  private final SpecValidator validator;
  private final DockerfileGenerator generator;
  private final ImageBuildRunner runner;
  private final GitResolver git;
  private final GitFiles gitFiles;
  private final BaseImages baseImages;

  public BuildInputsResolver(
      BuildSettings settings,
      SpecValidator validator,
      DockerfileGenerator generator,
      ImageBuildRunner runner,
      GitResolver git,
      GitFiles gitFiles,
      BaseImages baseImages) {
    this.gitFiles = gitFiles;
    this.baseImages = baseImages;
    this.settings = settings;
    this.validator = validator;
    this.generator = generator;
    this.runner = runner;
    this.git = git;
  }

  public Resolution resolve(NodeAppImage resource, SecretReader secrets) {
    NodeAppImageSpec spec = resource.getSpec();
    List<FieldError> errors =
        spec == null ? List.of(new FieldError("spec", "is required")) : validator.validate(spec);
    if (!errors.isEmpty()) {
      return new Problem(
          Reason.INVALID_SPEC,
          String.join("; ", errors.stream().map(FieldError::toString).toList()));
    }
    String namespace = resource.getMetadata().getNamespace();
    String pushSecretName =
        spec.getOutput().getPushSecretRef() != null
            ? spec.getOutput().getPushSecretRef().getName()
            : settings.defaultPushSecret();
    Optional<String> dockerConfig = Optional.empty();
    if (pushSecretName != null) {
      Optional<Secret> pushSecret = secrets.read(pushSecretName);
      var problem =
          dockerConfigProblem(namespace, "spec.output.pushSecretRef", pushSecretName, pushSecret);
      if (problem != null) {
        return new Problem(Reason.SECRET_NOT_FOUND, problem);
      }
      dockerConfig = Optional.of(dockerConfigJson(pushSecret.orElseThrow()));
    }
    Optional<String> pullConfig = dockerConfig;
    if (spec.getBuild() != null && spec.getBuild().getBaseImagePullSecretRef() != null) {
      String name = spec.getBuild().getBaseImagePullSecretRef().getName();
      Optional<Secret> pullSecret = secrets.read(name);
      var problem =
          dockerConfigProblem(namespace, "spec.build.baseImagePullSecretRef", name, pullSecret);
      if (problem != null) {
        return new Problem(Reason.SECRET_NOT_FOUND, problem);
      }
      pullConfig = Optional.of(dockerConfigJson(pullSecret.orElseThrow()));
    }
    String npmrcSecretName = npmrcSecretName(spec);
    if (npmrcSecretName != null) {
      var problem = npmrcProblem(namespace, npmrcSecretName, secrets.read(npmrcSecretName));
      if (problem != null) {
        return new Problem(Reason.SECRET_NOT_FOUND, problem);
      }
    }

    ResolvedSource source;
    AppFiles files;
    if (spec.getSource().getInline() != null) {
      source = new ResolvedSource.Inline(new TreeMap<>(spec.getSource().getInline().getFiles()));
      files = AppFiles.ofInline(spec.getSource().getInline().getFiles());
    } else {
      GitSource gitSource = spec.getSource().getGit();
      Optional<GitCredentials> creds = Optional.empty();
      if (gitSource.getSecretRef() != null) {
        String name = gitSource.getSecretRef().getName();
        Optional<Secret> secret = secrets.read(name);
        if (secret.isEmpty()) {
          return new Problem(
              Reason.SECRET_NOT_FOUND,
              "spec.source.git.secretRef: Secret " + namespace + "/" + name + " not found");
        }
        creds =
            GitCredentials.fromSecretData(
                Objects.requireNonNullElse(secret.get().getData(), Map.of()));
        if (creds.isEmpty()) {
          return new Problem(
              Reason.SECRET_NOT_FOUND,
              "spec.source.git.secretRef: Secret "
                  + name
                  + " must have keys username and password (or token)");
        }
      }
      try {
        ResolvedSource.Git resolved = git.resolve(gitSource, creds);
        source = resolved;
        files = needsFiles(spec) ? gitFiles.read(resolved, creds) : null;
      } catch (SourceUnavailableException e) {
        return new Problem(Reason.SOURCE_UNAVAILABLE, e.getMessage());
      }
    }

    var base =
        baseImages.resolve(
            spec,
            resource.getStatus() == null ? null : resource.getStatus().getBaseImage(),
            pullConfig,
            Boolean.TRUE.equals(spec.getOutput().getInsecure()));
    if (base instanceof BaseImageResolver.Unavailable u) {
      return new Problem(Reason.BASE_IMAGE_UNAVAILABLE, u.message());
    }
    var baseImage = ((BaseImageResolver.Resolved) base).baseImage();
    var options = dockerfileOptions(settings, spec).withBaseImageDigest(baseImage.getDigest());
    try {
      StartCommand start =
          files == null
              ? StartCommand.fromSpec(spec.getApp())
              : StartCommand.decide(spec.getApp(), files);
      NativeAddons natives = NativeAddons.decide(spec.getApp(), files);
      Workspace workspace = workspace(source, files);
      String dockerfile = generator.generate(spec.getApp(), options, start, natives, workspace);
      String singleStage =
          Boolean.TRUE.equals(spec.getBuild().getCompareSingleStage())
              ? generator.generateSingleStage(spec.getApp(), options, start, natives, workspace)
              : null;
      BuildPlan plan =
          runner.plan(
              new BuildRequest(
                  resource,
                  dockerfile,
                  singleStage,
                  buildContext(source, workspace),
                  pushSecretName,
                  settings));
      NodeAppImageStatus.SourceStatus built =
          source instanceof ResolvedSource.Git g
              ? new NodeAppImageStatus.SourceStatus(
                  g.commit(),
                  Objects.requireNonNullElse(spec.getSource().getGit().getRevision(), "HEAD"))
              : null;
      List<Duration> polls = new java.util.ArrayList<>();
      if (source instanceof ResolvedSource.Git) {
        PollSchedule.gitInterval(spec.getSource().getGit()).ifPresent(polls::add);
      }
      boolean tracked =
          spec.getBuild() == null
              || spec.getBuild().getBaseImagePolicy()
                  != dev.leanode.api.v1alpha1.BaseImagePolicy.PIN;
      if (tracked && !DockerfileGenerator.baseImage(spec.getApp()).contains("@")) {
        polls.add(settings.baseImagePollInterval());
      }
      return new Inputs(
          plan,
          sha256(dockerfile),
          start,
          built,
          dockerConfig,
          source instanceof ResolvedSource.Git,
          baseImage,
          List.copyOf(polls));
    } catch (IllegalArgumentException e) {
      return new Problem(Reason.INVALID_SPEC, e.getMessage());
    }
  }

  /** A spec that names its command needs no files: nothing is fetched for it. */
  public static boolean needsFiles(NodeAppImageSpec spec) {
    return spec.getApp() == null
        || spec.getApp().getCommand() == null
        || spec.getApp().getCommand().isEmpty()
        || spec.getApp().getNativeBuild() == null
        || spec.getApp().getNativeBuild() == NativeBuild.AUTO;
  }

  /** The workspace a git subPath app is a member of, or null. */
  public static Workspace workspace(ResolvedSource source, AppFiles files) {
    return source instanceof ResolvedSource.Git g ? Workspace.decide(g.subPath(), files) : null;
  }

  /** A workspace member is built from the repository root: its lockfile and siblings are there. */
  public static ResolvedSource buildContext(ResolvedSource source, Workspace workspace) {
    if (workspace == null || !(source instanceof ResolvedSource.Git g)) {
      return source;
    }
    return new ResolvedSource.Git(
        g.url(), g.ref(), g.commit(), null, g.secretName(), g.secretLayout());
  }

  /** The generator's options: the operator's CA bundle, spec.build.npmrcSecretRef's npmrc. */
  public static DockerfileOptions dockerfileOptions(BuildSettings settings, NodeAppImageSpec spec) {
    var options = new DockerfileOptions(settings.caBundlePem().isPresent() ? CA_BUNDLE_PATH : null);
    return npmrcSecretName(spec) == null ? options : options.withNpmrc();
  }

  /** spec.build.npmrcSecretRef's name, or null. */
  public static String npmrcSecretName(NodeAppImageSpec spec) {
    return spec.getBuild() == null || spec.getBuild().getNpmrcSecretRef() == null
        ? null
        : spec.getBuild().getNpmrcSecretRef().getName();
  }

  /** Null when the npmrc Secret exists with an .npmrc key, else what is wrong. */
  static String npmrcProblem(String namespace, String name, Optional<Secret> secret) {
    if (secret.isEmpty()) {
      return "spec.build.npmrcSecretRef: Secret " + namespace + "/" + name + " not found";
    }
    var data = secret.get().getData();
    if (data == null || data.get(BuildLayout.NPMRC_FILE) == null) {
      return "spec.build.npmrcSecretRef: Secret " + name + " has no .npmrc key";
    }
    return null;
  }

  /** Null when the push Secret holds a parseable .dockerconfigjson, else what is wrong. */
  static String dockerConfigProblem(
      String namespace, String field, String name, Optional<Secret> secret) {
    if (secret.isEmpty()) {
      return field + ": Secret " + namespace + "/" + name + " not found";
    }
    var data = secret.get().getData();
    if (data == null || data.get(".dockerconfigjson") == null) {
      return field
          + ": Secret "
          + name
          + " has no .dockerconfigjson key (type kubernetes.io/dockerconfigjson expected)";
    }
    try {
      DockerConfigJson.credentialsFor(dockerConfigJson(secret.get()), "probe.invalid");
      return null;
    } catch (IllegalArgumentException e) {
      return field + ": Secret " + name + " holds malformed .dockerconfigjson: " + e.getMessage();
    }
  }

  private static String dockerConfigJson(Secret secret) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(".dockerconfigjson")),
        StandardCharsets.UTF_8);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.leanode.build;

import dev.leanode.api.v1alpha1.BuildSpec;
import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.OutputSpec;
import dev.leanode.config.BuildSettings;
import dev.leanode.registry.ImageReference;
import dev.leanode.source.GitCredentials;
import dev.leanode.source.ResolvedSource;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Builds with the Kaniko executor in a Job, following docs/architecture.md ("The build ConfigMap
 * and Job"): the ConfigMap carries the Dockerfiles, CA bundle and inline files, the Job runs {@code
 * kaniko} (and {@code kaniko-single-stage}) and reports the digest through the termination message.
 */
public final class KanikoBuildRunner implements ImageBuildRunner {
  public static final String CONTAINER = "kaniko";
  public static final String SINGLE_STAGE_CONTAINER = "kaniko-single-stage";
  public static final String INIT_CONTAINER = "prepare-context";

  static final String KEY_DOCKERFILE = "Dockerfile";
  static final String KEY_SINGLE_STAGE = "Dockerfile.single-stage";
  static final String KEY_CA = "ca.crt";
  static final String INLINE_KEY_PREFIX = "src.";

  static final String DOCKERFILE_DIR = "/leanode/dockerfile";
  static final String INLINE_DIR = "/leanode/inline";
  static final String CONTEXT_DIR = "/workspace";
  static final String DOCKER_CONFIG_DIR = "/kaniko/.docker";
  static final String CA_DIR = "/leanode/ca";

  /**
   * What Kaniko needs as root with everything else dropped (Shipwright's Kaniko strategy; Kaniko
   * issues #778 and #1171): CHOWN/FOWNER/DAC_OVERRIDE to unpack base-image filesystems and apply
   * ownership, SETUID/SETGID to run RUN steps as the Dockerfile's USER (node), SETFCAP to extract
   * files carrying file capabilities, KILL to stop RUN processes.
   */
  public static final List<String> KANIKO_CAPABILITIES =
      List.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID", "SETFCAP", "KILL");

  static final int LOG_TAIL_LINES = 20;
  static final int LOG_TAIL_CHARS = 1000;

  /** The API server's limit is 1 MiB for the whole object; leave room for metadata. */
  static final long MAX_CONFIGMAP_BYTES = 1024L * 1024L - 16 * 1024L;

  private static final Pattern DIGEST = Pattern.compile("^sha256:[0-9a-f]{64}$");
  private static final Pattern UNSAFE = Pattern.compile("[\\s\\p{Cntrl}]");
  private static final Set<String> STUCK_REASONS =
      Set.of(
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError",
          "RunContainerError");

  @Override
  public BuildPlan plan(BuildRequest request) {
    NodeAppImage resource = request.resource();
    BuildSettings settings = request.settings();
    String resourceName = resource.getMetadata().getName();
    OutputSpec output = resource.getSpec().getOutput();
    BuildSpec build =
        resource.getSpec().getBuild() == null ? new BuildSpec() : resource.getSpec().getBuild();

    String image = safe("spec.output.image", output.getImage());
    ImageReference ref = pushTarget(image);
    boolean insecure = output.insecure();
    boolean cache = build.getCache() != null ? build.getCache() : settings.defaultCache();
    long timeoutSeconds =
        build.getTimeout() == null || build.getTimeout().isEmpty()
            ? settings.defaultTimeout().toSeconds()
            : GoDuration.parse("spec.build.timeout", build.getTimeout()).toSeconds();
    String singleStage = request.singleStageDockerfile();
    String pushSecret = blankToNull(request.pushSecretName());
    Optional<String> ca = settings.caBundlePem();
    String kanikoImage = safe("leanode.build.kaniko-image", settings.kanikoImage());

    // The rebuild annotation joins the hash only when set, so resources without it keep the hashes
    // (and Job names) they had before the annotation existed: an operator upgrade rebuilds nothing.
    var annotations = resource.getMetadata().getAnnotations();
    String rebuild = annotations == null ? null : annotations.get(Labels.REBUILD_ANNOTATION);
    Object[] hashParts = {
      "dockerfile",
      request.dockerfile(),
      "singleStage",
      singleStage == null ? "" : singleStage,
      "source",
      sourceForHash(request.source()),
      "image",
      image,
      "insecure",
      insecure,
      "cache",
      cache,
      "timeoutSeconds",
      timeoutSeconds,
      "resources",
      resourcesForHash(build.getResources()),
      "pushSecret",
      pushSecret,
      "caBundle",
      ca.orElse(null),
      "kanikoImage",
      kanikoImage
    };
    if (rebuild != null) {
      hashParts = java.util.Arrays.copyOf(hashParts, hashParts.length + 2);
      hashParts[hashParts.length - 2] = "rebuild";
      hashParts[hashParts.length - 1] = rebuild;
    }
    hashParts = withRegistryMirrors(hashParts, settings.registryMirrors());
    String inputHash = InputHash.of(hashParts);
    String name = BuildNames.jobName(resourceName, inputHash);
    Map<String, String> labels = Labels.forBuild(resourceName, inputHash);
    OwnerReference owner = ownerReference(resource);
    String namespace = resource.getMetadata().getNamespace();

    // --- ConfigMap
    Map<String, String> data = new TreeMap<>();
    data.put(KEY_DOCKERFILE, request.dockerfile());
    if (singleStage != null) {
      data.put(KEY_SINGLE_STAGE, singleStage);
    }
    ca.ifPresent(pem -> data.put(KEY_CA, pem));
    List<KeyToPath> inlineItems = new ArrayList<>();
    if (request.source() instanceof ResolvedSource.Inline inline) {
      for (var file : inline.files().entrySet()) {
        String key = inlineKey(file.getKey());
        if (data.putIfAbsent(key, file.getValue()) != null) {
          throw new IllegalStateException("inline file key collision for " + file.getKey());
        }
        inlineItems.add(new KeyToPath(key, null, file.getKey()));
      }
    }
    long bytes =
        data.entrySet().stream()
            .mapToLong(
                e ->
                    e.getKey().length()
                        + e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
            .sum();
    if (bytes > MAX_CONFIGMAP_BYTES) {
      // the API server refuses ConfigMaps over 1 MiB: say why before creating anything
      throw new IllegalArgumentException(
          "spec.source.inline.files: the build ConfigMap (Dockerfile"
              + (ca.isPresent() ? ", CA bundle" : "")
              + " and inline files) would hold "
              + bytes
              + " bytes, over the "
              + MAX_CONFIGMAP_BYTES
              + " a ConfigMap may hold; use a git source for larger apps");
    }
    ConfigMap configMap =
        new ConfigMapBuilder()
            .withMetadata(meta(name, namespace, labels, owner))
            .withData(data)
            .build();

    // --- volumes
    List<Volume> volumes = new ArrayList<>();
    List<KeyToPath> dockerfileItems = new ArrayList<>();
    dockerfileItems.add(new KeyToPath(KEY_DOCKERFILE, null, KEY_DOCKERFILE));
    if (singleStage != null) {
      dockerfileItems.add(new KeyToPath(KEY_SINGLE_STAGE, null, KEY_SINGLE_STAGE));
    }
    volumes.add(configMapVolume("dockerfile", name, dockerfileItems));
    boolean inline = request.source() instanceof ResolvedSource.Inline;
    if (inline) {
      volumes.add(configMapVolume("inline", name, inlineItems));
      volumes.add(new VolumeBuilder().withName("context").withNewEmptyDir().endEmptyDir().build());
    }
    if (pushSecret != null) {
      volumes.add(
          new VolumeBuilder()
              .withName("docker-config")
              .withNewSecret()
              .withSecretName(pushSecret)
              .addNewItem()
              .withKey(".dockerconfigjson")
              .withPath("config.json")
              .endItem()
              .endSecret()
              .build());
    }
    if (ca.isPresent()) {
      volumes.add(configMapVolume("ca-bundle", name, List.of(new KeyToPath(KEY_CA, null, KEY_CA))));
    }

    List<VolumeMount> kanikoMounts = new ArrayList<>();
    kanikoMounts.add(mount("dockerfile", DOCKERFILE_DIR, true));
    if (inline) {
      kanikoMounts.add(mount("context", CONTEXT_DIR, false));
    }
    if (pushSecret != null) {
      kanikoMounts.add(mount("docker-config", DOCKER_CONFIG_DIR, true));
    }
    if (ca.isPresent()) {
      kanikoMounts.add(mount("ca-bundle", CA_DIR, true));
    }

    // --- kaniko args and env
    List<String> contextArgs = new ArrayList<>();
    List<EnvVar> env = new ArrayList<>();
    if (request.source() instanceof ResolvedSource.Git git) {
      contextArgs.add("--context=" + gitContext(git));
      if (git.subPath() != null) {
        contextArgs.add("--context-sub-path=" + safe("spec.source.git.subPath", git.subPath()));
      }
      if (git.url().regionMatches(true, 0, "http://", 0, 7)) { // the scheme is case-insensitive
        env.add(new EnvVarBuilder().withName("GIT_PULL_METHOD").withValue("http").build());
      }
      if (git.secretName() != null) {
        env.addAll(gitCredentialEnv(git));
      }
    } else {
      contextArgs.add("--context=dir://" + CONTEXT_DIR);
    }
    List<String> tlsArgs = new ArrayList<>();
    if (insecure) {
      tlsArgs.add("--insecure");
      tlsArgs.add("--skip-tls-verify");
    }
    if (ca.isPresent()) {
      tlsArgs.add("--registry-certificate=" + ref.registry() + "=" + CA_DIR + "/" + KEY_CA);
    }
    tlsArgs.addAll(registryMirrorArgs(settings.registryMirrors(), ca.isPresent(), ref.registry()));

    List<String> args = new ArrayList<>();
    args.add("--dockerfile=" + DOCKERFILE_DIR + "/" + KEY_DOCKERFILE);
    args.addAll(contextArgs);
    args.add("--destination=" + image);
    args.add("--digest-file=/dev/termination-log");
    if (cache) {
      args.add("--cache=true");
      args.add("--cache-repo=" + ref.name() + "/cache");
    }
    args.addAll(tlsArgs);

    ResourceRequirements resources = build.getResources();
    List<Container> containers = new ArrayList<>();
    containers.add(kaniko(CONTAINER, kanikoImage, args, env, kanikoMounts, resources));
    if (singleStage != null) {
      List<String> ssArgs = new ArrayList<>();
      ssArgs.add("--dockerfile=" + DOCKERFILE_DIR + "/" + KEY_SINGLE_STAGE);
      ssArgs.addAll(contextArgs);
      ssArgs.add("--destination=" + ref.withTag(ref.tag() + "-single-stage"));
      ssArgs.add("--digest-file=/dev/termination-log");
      ssArgs.addAll(tlsArgs);
      containers.add(
          kaniko(SINGLE_STAGE_CONTAINER, kanikoImage, ssArgs, env, kanikoMounts, resources));
    }

    List<Container> initContainers = new ArrayList<>();
    if (inline) {
      initContainers.add(
          new ContainerBuilder()
              .withName(INIT_CONTAINER)
              .withImage(safe("leanode.build.context-init-image", settings.contextInitImage()))
              .withCommand(
                  "sh",
                  "-c",
                  "cp -RL "
                      + INLINE_DIR
                      + "/. "
                      + CONTEXT_DIR
                      + "/ && rm -rf "
                      + CONTEXT_DIR
                      + "/..?*")
              .withVolumeMounts(
                  mount("inline", INLINE_DIR, true), mount("context", CONTEXT_DIR, false))
              .withTerminationMessagePolicy("FallbackToLogsOnError")
              .withResources(
                  new ResourceRequirementsBuilder()
                      .addToRequests("cpu", new Quantity("10m"))
                      .addToRequests("memory", new Quantity("16Mi"))
                      .addToLimits("memory", new Quantity("64Mi"))
                      .build())
              .withSecurityContext(
                  // copying files needs no privilege: the emptyDir is world-writable
                  new SecurityContextBuilder()
                      .withRunAsUser(65532L)
                      .withRunAsGroup(65532L)
                      .withRunAsNonRoot(true)
                      .withAllowPrivilegeEscalation(false)
                      .withReadOnlyRootFilesystem(true)
                      .withCapabilities(new CapabilitiesBuilder().withDrop("ALL").build())
                      .build())
              .build());
    }

    Job job =
        new JobBuilder()
            .withMetadata(meta(name, namespace, labels, owner))
            .withNewSpec()
            .withBackoffLimit(0)
            .withActiveDeadlineSeconds(timeoutSeconds)
            .withTtlSecondsAfterFinished(settings.ttlSecondsAfterFinished())
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(new LinkedHashMap<>(labels))
            // label values stop at 63 characters; the operator maps pods back by the full name
            .withAnnotations(
                Map.of(Labels.RESOURCE_NAME_ANNOTATION, resource.getMetadata().getName()))
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withAutomountServiceAccountToken(false)
            .withEnableServiceLinks(false)
            .withSecurityContext(
                new PodSecurityContextBuilder()
                    .withNewSeccompProfile()
                    .withType("RuntimeDefault")
                    .endSeccompProfile()
                    .build())
            .withInitContainers(initContainers)
            .withContainers(containers)
            .withVolumes(volumes)
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    return new BuildPlan(name, inputHash, configMap, job);
  }

  // ------------------------------------------------------------------ registry mirrors

  /**
   * {@code leanode.build.registry-mirrors}: one {@code --registry-mirror=HOST[:PORT][/PATH]} per
   * mirror (Kaniko maps index.docker.io to each in turn, then falls back to Docker Hub), and with a
   * CA bundle one {@code --registry-certificate=HOST=...} per mirror host that is not the push
   * registry (already covered), so a mirror behind the corporate CA is trusted for pulls. Plain
   * HTTP needs no flag for loopback, RFC 1918, localhost and *.local hosts (go-containerregistry
   * falls back to http there); other hosts must speak TLS.
   */
  static List<String> registryMirrorArgs(
      List<String> mirrors, boolean caBundle, String pushRegistry) {
    List<String> args = new ArrayList<>();
    Set<String> certified = new java.util.HashSet<>(Set.of(pushRegistry));
    for (String m : mirrors) {
      args.add("--registry-mirror=" + safe("leanode.build.registry-mirrors", m));
    }
    if (caBundle) {
      for (String m : mirrors) {
        String host = m.contains("/") ? m.substring(0, m.indexOf('/')) : m;
        if (certified.add(host)) {
          args.add("--registry-certificate=" + host + "=" + CA_DIR + "/" + KEY_CA);
        }
      }
    }
    return args;
  }

  /** Mirrors join the input hash only when set: installs without them keep their Job names. */
  private static Object[] withRegistryMirrors(Object[] hashParts, List<String> mirrors) {
    if (mirrors.isEmpty()) {
      return hashParts;
    }
    Object[] parts = java.util.Arrays.copyOf(hashParts, hashParts.length + 2);
    parts[parts.length - 2] = "registryMirrors";
    parts[parts.length - 1] = String.join(",", mirrors);
    return parts;
  }

  private static Container kaniko(
      String name,
      String image,
      List<String> args,
      List<EnvVar> env,
      List<VolumeMount> mounts,
      ResourceRequirements resources) {
    return new ContainerBuilder()
        .withName(name)
        .withImage(image)
        .withArgs(args)
        .withEnv(env)
        .withVolumeMounts(mounts)
        .withResources(resources)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withSecurityContext(kanikoSecurityContext())
        .build();
  }

  static SecurityContext kanikoSecurityContext() {
    Capabilities caps =
        new CapabilitiesBuilder().withDrop("ALL").withAdd(KANIKO_CAPABILITIES).build();
    return new SecurityContextBuilder()
        .withRunAsUser(0L)
        .withRunAsGroup(0L)
        .withRunAsNonRoot(false)
        .withAllowPrivilegeEscalation(false)
        .withPrivileged(false)
        .withCapabilities(caps)
        .build();
  }

  /**
   * Kaniko's git context: {@code git://<host>/<path>#<ref>#<commit>}. Kaniko splits on '#',
   * prepends https:// (or GIT_PULL_METHOD), clones {@code <ref>} and checks out {@code <commit>}.
   * For a bare SHA the ref is left empty ({@code ##<commit>}): Kaniko then clones the default
   * branch with all branches (no fetch by SHA, which many servers refuse) and checks the commit
   * out, which works for any commit reachable from a branch.
   */
  /** spec.output.image as a push target: parsed by the registry package's rules, no digest. */
  static ImageReference pushTarget(String image) {
    if (image.contains("@")) {
      throw new IllegalArgumentException(
          "spec.output.image must be registry/repository[:tag], not a digest: " + image);
    }
    try {
      return ImageReference.parse(image);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("spec.output.image: " + e.getMessage(), e);
    }
  }

  static String gitContext(ResolvedSource.Git git) {
    String url = safe("spec.source.git.url", git.url());
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("spec.source.git.url is not a URL: " + url);
    }
    String scheme = uri.getScheme();
    if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme)) {
      throw new IllegalArgumentException("spec.source.git.url must be http(s): " + url);
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "spec.source.git.url must not embed credentials; use spec.source.git.secretRef");
    }
    if (url.contains("#")) {
      throw new IllegalArgumentException("spec.source.git.url must not contain '#': " + url);
    }
    String hostAndPath = url.substring(scheme.length() + "://".length());
    String ref = git.ref() == null ? "" : safe("resolved git ref", git.ref());
    return "git://" + hostAndPath + "#" + ref + "#" + git.commit();
  }

  private static List<EnvVar> gitCredentialEnv(ResolvedSource.Git git) {
    GitCredentials.Layout layout = git.secretLayout();
    List<EnvVar> env = new ArrayList<>();
    if (layout.usernameKey() == null) {
      env.add(
          new EnvVarBuilder()
              .withName("GIT_USERNAME")
              .withValue(GitCredentials.TOKEN_USERNAME)
              .build());
    } else {
      env.add(secretEnv("GIT_USERNAME", git.secretName(), layout.usernameKey()));
    }
    env.add(secretEnv("GIT_PASSWORD", git.secretName(), layout.passwordKey()));
    return env;
  }

  private static EnvVar secretEnv(String name, String secret, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secret)
        .withKey(key)
        .withOptional(false)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }

  private static Object sourceForHash(ResolvedSource source) {
    if (source instanceof ResolvedSource.Git git) {
      return List.of("git", git.url(), git.commit(), git.subPath() == null ? "" : git.subPath());
    }
    return List.of("inline", ((ResolvedSource.Inline) source).files());
  }

  private static Object resourcesForHash(ResourceRequirements r) {
    if (r == null) {
      return null;
    }
    Map<String, Object> out = new TreeMap<>();
    out.put("limits", quantities(r.getLimits()));
    out.put("requests", quantities(r.getRequests()));
    return out;
  }

  private static Map<String, String> quantities(Map<String, Quantity> q) {
    Map<String, String> out = new TreeMap<>();
    if (q != null) {
      q.forEach((k, v) -> out.put(k, v == null ? "" : v.toString()));
    }
    return out;
  }

  static String inlineKey(String path) {
    try {
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1").digest(path.getBytes(StandardCharsets.UTF_8));
      return INLINE_KEY_PREFIX + HexFormat.of().formatHex(sha1).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Volume configMapVolume(String name, String configMap, List<KeyToPath> items) {
    return new VolumeBuilder()
        .withName(name)
        .withNewConfigMap()
        .withName(configMap)
        .withItems(items)
        .endConfigMap()
        .build();
  }

  private static VolumeMount mount(String name, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path)
        .withReadOnly(readOnly ? Boolean.TRUE : null)
        .build();
  }

  private static ObjectMeta meta(
      String name, String namespace, Map<String, String> labels, OwnerReference owner) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(new LinkedHashMap<>(labels))
        .withOwnerReferences(owner)
        .build();
  }

  private static OwnerReference ownerReference(NodeAppImage resource) {
    return new OwnerReferenceBuilder()
        .withApiVersion(resource.getApiVersion())
        .withKind(resource.getKind())
        .withName(resource.getMetadata().getName())
        .withUid(Objects.requireNonNull(resource.getMetadata().getUid(), "metadata.uid"))
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** Defence in depth: every value becomes one {@code --flag=value} element, never a new flag. */
  static String safe(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(field + " is empty");
    }
    if (UNSAFE.matcher(value).find()) {
      throw new IllegalArgumentException(
          field + " must not contain whitespace or control characters");
    }
    return value;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  // ------------------------------------------------------------------ observe

  @Override
  public BuildState observe(Job job, List<Pod> pods) {
    List<Pod> podList = pods == null ? List.of() : pods;
    var status = job.getStatus();
    String start = status == null ? null : status.getStartTime();
    String completion = status == null ? null : status.getCompletionTime();

    Optional<JobCondition> complete = condition(job, "Complete");
    if (complete.isPresent()) {
      String end = completion != null ? completion : complete.get().getLastTransitionTime();
      Optional<String> digest = terminatedMessage(podList, CONTAINER, true);
      if (digest.isEmpty() || !DIGEST.matcher(digest.get()).matches()) {
        return new BuildState(
            BuildState.Phase.FAILED,
            null,
            null,
            "build succeeded but no digest in termination message of container " + CONTAINER,
            start,
            end);
      }
      String single = null;
      if (hasContainer(job, SINGLE_STAGE_CONTAINER)) {
        Optional<String> s = terminatedMessage(podList, SINGLE_STAGE_CONTAINER, true);
        if (s.isEmpty() || !DIGEST.matcher(s.get()).matches()) {
          return new BuildState(
              BuildState.Phase.FAILED,
              digest.get(),
              null,
              "build succeeded but no digest in termination message of container "
                  + SINGLE_STAGE_CONTAINER,
              start,
              end);
        }
        single = s.get();
      }
      return new BuildState(BuildState.Phase.SUCCEEDED, digest.get(), single, null, start, end);
    }

    Optional<JobCondition> failed = condition(job, "Failed");
    if (failed.isPresent()) {
      String end = failed.get().getLastTransitionTime();
      if ("DeadlineExceeded".equals(failed.get().getReason())) {
        long deadline =
            job.getSpec() == null || job.getSpec().getActiveDeadlineSeconds() == null
                ? 0
                : job.getSpec().getActiveDeadlineSeconds();
        String msg =
            deadline > 0
                ? "build exceeded its timeout of "
                    + Duration.ofSeconds(deadline)
                        .toString()
                        .substring(2)
                        .toLowerCase(java.util.Locale.ROOT)
                : "build exceeded its timeout";
        return new BuildState(BuildState.Phase.TIMED_OUT, null, null, msg, start, end);
      }
      return new BuildState(
          BuildState.Phase.FAILED, null, null, failureMessage(failed.get(), podList), start, end);
    }

    boolean running =
        podList.stream()
            .anyMatch(
                p ->
                    p.getStatus() != null
                        && ("Running".equals(p.getStatus().getPhase())
                            || statuses(p).stream()
                                .anyMatch(
                                    cs ->
                                        cs.getState() != null
                                            && cs.getState().getRunning() != null)));
    if (running) {
      return new BuildState(BuildState.Phase.RUNNING, null, null, null, start, null);
    }
    Optional<String> stuck = waitingProblem(podList);
    if (stuck.isPresent()) {
      return new BuildState(BuildState.Phase.PENDING, null, null, stuck.get(), start, null);
    }
    boolean active = status != null && status.getActive() != null && status.getActive() > 0;
    if (active && podList.isEmpty()) {
      return new BuildState(BuildState.Phase.RUNNING, null, null, null, start, null);
    }
    return new BuildState(
        BuildState.Phase.PENDING, null, null, unschedulable(podList), start, null);
  }

  private static Optional<JobCondition> condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst();
  }

  private static boolean hasContainer(Job job, String name) {
    try {
      return job.getSpec().getTemplate().getSpec().getContainers().stream()
          .anyMatch(c -> name.equals(c.getName()));
    } catch (NullPointerException e) {
      return false;
    }
  }

  private static List<ContainerStatus> statuses(Pod pod) {
    List<ContainerStatus> all = new ArrayList<>();
    if (pod.getStatus() != null) {
      if (pod.getStatus().getInitContainerStatuses() != null) {
        all.addAll(pod.getStatus().getInitContainerStatuses());
      }
      if (pod.getStatus().getContainerStatuses() != null) {
        all.addAll(pod.getStatus().getContainerStatuses());
      }
    }
    return all;
  }

  private static Optional<ContainerStateTerminated> terminated(
      Pod pod, String container, boolean init) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    List<ContainerStatus> list =
        init ? pod.getStatus().getInitContainerStatuses() : pod.getStatus().getContainerStatuses();
    if (list == null) {
      return Optional.empty();
    }
    return list.stream()
        .filter(cs -> container.equals(cs.getName()))
        .map(ContainerStatus::getState)
        .filter(Objects::nonNull)
        .map(ContainerState::getTerminated)
        .filter(Objects::nonNull)
        .findFirst();
  }

  /** The trimmed termination message of a container that exited (with 0 when successOnly). */
  private static Optional<String> terminatedMessage(
      List<Pod> pods, String container, boolean successOnly) {
    return pods.stream()
        .map(p -> terminated(p, container, false))
        .flatMap(Optional::stream)
        .filter(t -> !successOnly || Integer.valueOf(0).equals(t.getExitCode()))
        .map(ContainerStateTerminated::getMessage)
        .filter(Objects::nonNull)
        .map(String::trim)
        .filter(m -> !m.isEmpty())
        .findFirst();
  }

  private static String failureMessage(JobCondition failed, List<Pod> pods) {
    for (String container : List.of(CONTAINER, SINGLE_STAGE_CONTAINER)) {
      for (Pod pod : pods) {
        Optional<ContainerStateTerminated> t = terminated(pod, container, false);
        if (t.isPresent() && !Integer.valueOf(0).equals(t.get().getExitCode())) {
          return describe(container, t.get(), pod);
        }
      }
    }
    for (Pod pod : pods) {
      Optional<ContainerStateTerminated> t = terminated(pod, INIT_CONTAINER, true);
      if (t.isPresent() && !Integer.valueOf(0).equals(t.get().getExitCode())) {
        return describe(INIT_CONTAINER, t.get(), pod);
      }
    }
    for (Pod pod : pods) {
      if (pod.getStatus() != null && pod.getStatus().getMessage() != null) {
        return tail(pod.getStatus().getMessage()); // e.g. evicted
      }
    }
    String reason = failed.getReason() == null ? "" : failed.getReason() + ": ";
    String message = failed.getMessage() == null ? "build Job failed" : failed.getMessage();
    return tail(reason + message);
  }

  private static String describe(String container, ContainerStateTerminated t, Pod pod) {
    StringBuilder sb = new StringBuilder("container ").append(container).append(" failed");
    if (t.getExitCode() != null) {
      sb.append(" (exit code ").append(t.getExitCode());
      if (t.getReason() != null && !"Error".equals(t.getReason())) {
        sb.append(", ").append(t.getReason());
      }
      sb.append(')');
    }
    if (t.getMessage() != null && !t.getMessage().isBlank()) {
      String podName = pod.getMetadata() == null ? null : pod.getMetadata().getName();
      sb.append(": ").append(tail(withoutKanikoUsage(t.getMessage(), podName, container)));
    }
    return sb.toString();
  }

  private static final String KANIKO_USAGE_START = "Usage:\n  executor [flags]";
  private static final String KANIKO_USAGE_END = "Use \"executor [command] --help\"";

  /**
   * Real Kaniko prints its whole command usage (~9 KB, 80+ lines) after an error found before the
   * build starts (context, Dockerfile path, cache flags, secrets: "Error: error resolving source
   * context: authentication required"), so the kubelet's log tail (2 KB / 80 lines) holds only the
   * usage. Keep the error line when it survived, otherwise say where the error is.
   */
  static String withoutKanikoUsage(String message, String pod, String container) {
    if (!message.contains(KANIKO_USAGE_END)) {
      return message;
    }
    int start = message.indexOf(KANIKO_USAGE_START);
    String before = start < 0 ? "" : message.substring(0, start);
    int error = before.lastIndexOf("Error: ");
    if (error >= 0) {
      return before.substring(error).strip();
    }
    return "Kaniko stopped before building and printed its usage; the error above it did not fit"
        + " in the termination message: kubectl logs "
        + (pod == null ? "<build pod>" : pod)
        + " -c "
        + container;
  }

  /** The last 20 lines, at most 1,000 characters: enough to see Kaniko's error. */
  static String tail(String text) {
    String trimmed = text.strip();
    String[] lines = trimmed.split("\r?\n", -1);
    String out =
        lines.length <= LOG_TAIL_LINES
            ? trimmed
            : String.join(
                "\n", List.of(lines).subList(lines.length - LOG_TAIL_LINES, lines.length));
    if (out.length() > LOG_TAIL_CHARS) {
      out = "…" + out.substring(out.length() - (LOG_TAIL_CHARS - 1));
    }
    return out;
  }

  private static Optional<String> waitingProblem(List<Pod> pods) {
    for (Pod pod : pods) {
      for (ContainerStatus cs : statuses(pod)) {
        if (cs.getState() != null
            && cs.getState().getWaiting() != null
            && STUCK_REASONS.contains(cs.getState().getWaiting().getReason())) {
          var w = cs.getState().getWaiting();
          String msg = "container " + cs.getName() + " is waiting: " + w.getReason();
          if (w.getMessage() != null && !w.getMessage().isBlank()) {
            msg += ": " + tail(w.getMessage());
          }
          return Optional.of(msg);
        }
      }
    }
    return Optional.empty();
  }

  private static String unschedulable(List<Pod> pods) {
    for (Pod pod : pods) {
      if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
        for (var c : pod.getStatus().getConditions()) {
          if ("PodScheduled".equals(c.getType())
              && "False".equals(c.getStatus())
              && c.getMessage() != null) {
            return "pod not scheduled: " + tail(c.getMessage());
          }
        }
      }
    }
    return null;
  }
}

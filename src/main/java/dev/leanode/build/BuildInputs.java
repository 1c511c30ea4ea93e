package dev.leanode.build;

import dev.leanode.api.v1alpha1.BuildSpec;
import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.OutputSpec;
import dev.leanode.config.BuildSettings;
import dev.leanode.registry.ImageReference;
import dev.leanode.source.ResolvedSource;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One build's settings with the operator defaults applied and every value that reaches an argument
 * checked, plus the input hash over them (docs/architecture.md, "Input hash").
 *
 * @param request what was asked
 * @param image spec.output.image
 * @param target the same, parsed (registry, repository, tag)
 * @param cache Kaniko layer cache on
 * @param timeoutSeconds the Job's activeDeadlineSeconds
 * @param pushSecret dockerconfigjson Secret name, or null
 * @param caBundle PEM content of the operator's CA bundle, if configured
 * @param kanikoImage the executor image
 * @param npmrcSecret spec.build.npmrcSecretRef's Secret name, or null
 */
record BuildInputs(
    BuildRequest request,
    String image,
    ImageReference target,
    boolean cache,
    long timeoutSeconds,
    String pushSecret,
    Optional<String> caBundle,
    String kanikoImage,
    String npmrcSecret) {

  static BuildInputs of(BuildRequest request) {
    BuildSettings settings = request.settings();
    BuildSpec build = buildSpec(request.resource());
    String image = KanikoArgs.safe("spec.output.image", output(request).getImage());
    return new BuildInputs(
        request,
        image,
        pushTarget(image),
        build.getCache() != null ? build.getCache() : settings.defaultCache(),
        build.getTimeout() == null || build.getTimeout().isEmpty()
            ? settings.defaultTimeout().toSeconds()
            : GoDuration.parse("spec.build.timeout", build.getTimeout()).toSeconds(),
        request.pushSecretName() == null || request.pushSecretName().isBlank()
            ? null
            : request.pushSecretName(),
        settings.caBundlePem(),
        KanikoArgs.safe("leanode.build.kaniko-image", settings.kanikoImage()),
        build.getNpmrcSecretRef() == null ? null : build.getNpmrcSecretRef().getName());
  }

  boolean insecure() {
    return output(request).insecure();
  }

  /** The single-stage comparison Dockerfile, or null without build.compareSingleStage. */
  String singleStage() {
    return request.singleStageDockerfile();
  }

  boolean inline() {
    return request.source() instanceof ResolvedSource.Inline;
  }

  ResourceRequirements resources() {
    return buildSpec(request.resource()).getResources();
  }

  /**
   * SHA-256 over everything that changes what is built or where it goes. The rebuild annotation
   * joins only when set, so resources without it keep the hashes (and Job names) they had before
   * the annotation existed: an operator upgrade rebuilds nothing.
   */
  String hash() {
    var annotations = request.resource().getMetadata().getAnnotations();
    String rebuild = annotations == null ? null : annotations.get(Labels.REBUILD_ANNOTATION);
    List<Object> parts =
        new ArrayList<>(
            Arrays.asList(
                "dockerfile",
                request.dockerfile(),
                "singleStage",
                singleStage() == null ? "" : singleStage(),
                "source",
                sourceForHash(request.source()),
                "image",
                image,
                "insecure",
                insecure(),
                "cache",
                cache,
                "timeoutSeconds",
                timeoutSeconds,
                "resources",
                resourcesForHash(resources()),
                "pushSecret",
                pushSecret,
                "caBundle",
                caBundle.orElse(null),
                "kanikoImage",
                kanikoImage));
    if (rebuild != null) {
      parts.add("rebuild");
      parts.add(rebuild);
    }
    // the npmrc Secret (its name, not its content: a rotated token rebuilds nothing) joins only
    // when set, like the annotation
    if (npmrcSecret != null) {
      parts.add("npmrcSecret");
      parts.add(npmrcSecret);
    }
    // mirrors join only when set, too: installs without them keep their Job names
    List<String> mirrors = request.settings().registryMirrors();
    if (!mirrors.isEmpty()) {
      parts.add("registryMirrors");
      parts.add(String.join(",", mirrors));
    }
    return InputHash.of(parts.toArray());
  }

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

  private static OutputSpec output(BuildRequest request) {
    return request.resource().getSpec().getOutput();
  }

  private static BuildSpec buildSpec(NodeAppImage resource) {
    return resource.getSpec().getBuild() == null ? new BuildSpec() : resource.getSpec().getBuild();
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
}

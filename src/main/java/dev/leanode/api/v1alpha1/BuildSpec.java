package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** Settings of the build Job. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BuildSpec {
  @Pattern("^([0-9]{1,4}h)?([0-9]{1,5}m)?([0-9]{1,6}s)?$")
  @JsonPropertyDescription(
      "Longest a build may run (Go duration: 1h, 20m, 90s, 1h30m); becomes the Job's"
          + " activeDeadlineSeconds. Default: the operator's setting (20m).")
  private String timeout;

  @JsonPropertyDescription(
      "Use Kaniko's layer cache in <image repository>/cache. Default: the operator's setting (true).")
  private Boolean cache;

  @JsonPropertyDescription(
      "Also build the tutorial's single-stage Dockerfile, push it to <tag>-single-stage and record"
          + " the size difference in status.comparison.")
  private Boolean compareSingleStage = false;

  @JsonPropertyDescription("Requests and limits of the build container.")
  private ResourceRequirements resources;

  @JsonPropertyDescription(
      "track (default): the base image's tag is resolved to a digest again on the operator's"
          + " interval (leanode.build.base-image-poll-interval) and a new digest rebuilds the image"
          + " (trigger BaseImageUpdated). pin: the digest first resolved (status.baseImage.digest)"
          + " is kept until spec.app.baseImage or nodeVersion changes.")
  private BaseImagePolicy baseImagePolicy;

  @JsonPropertyDescription(
      "Secret (type kubernetes.io/dockerconfigjson) with credentials for reading the base image's"
          + " digest from its registry; default: the push secret (output.pushSecretRef).")
  private LocalObjectRef baseImagePullSecretRef;

  public BaseImagePolicy getBaseImagePolicy() {
    return baseImagePolicy;
  }

  public void setBaseImagePolicy(BaseImagePolicy baseImagePolicy) {
    this.baseImagePolicy = baseImagePolicy;
  }

  public LocalObjectRef getBaseImagePullSecretRef() {
    return baseImagePullSecretRef;
  }

  public void setBaseImagePullSecretRef(LocalObjectRef baseImagePullSecretRef) {
    this.baseImagePullSecretRef = baseImagePullSecretRef;
  }

  @JsonPropertyDescription(
      "Secret (same namespace) with an .npmrc key (tokens, scoped registries) for private npm"
          + " registries: copied by an init container into a volume of the build container only,"
          + " read by the install steps (npm_config_userconfig) and deleted before the build script"
          + " runs; never in an image layer, config, history or cache layer.")
  private LocalObjectRef npmrcSecretRef;

  public String getTimeout() {
    return timeout;
  }

  public void setTimeout(String timeout) {
    this.timeout = timeout;
  }

  public Boolean getCache() {
    return cache;
  }

  public void setCache(Boolean cache) {
    this.cache = cache;
  }

  public Boolean getCompareSingleStage() {
    return compareSingleStage;
  }

  public void setCompareSingleStage(Boolean compareSingleStage) {
    this.compareSingleStage = compareSingleStage;
  }

  public LocalObjectRef getNpmrcSecretRef() {
    return npmrcSecretRef;
  }

  public void setNpmrcSecretRef(LocalObjectRef npmrcSecretRef) {
    this.npmrcSecretRef = npmrcSecretRef;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }
}

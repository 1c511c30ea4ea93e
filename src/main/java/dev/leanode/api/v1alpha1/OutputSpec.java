package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Where the image goes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OutputSpec {
  @Required
  @Size(min = 1, max = 512)
  @Pattern("^[A-Za-z0-9][A-Za-z0-9._:/@-]*$")
  @JsonPropertyDescription(
      "Image reference to push, registry/repository[:tag], e.g."
          + " registry.example.com/team/app:1.0.0 (tag defaults to latest).")
  private String image;

  @JsonPropertyDescription(
      "Secret of type kubernetes.io/dockerconfigjson in the same namespace, mounted read-only for"
          + " the push and used by the operator to read the image size back.")
  private LocalObjectRef pushSecretRef;

  @JsonPropertyDescription("Registry speaks plain HTTP or uses a self-signed certificate.")
  private Boolean insecure = false;

  @Size(max = 32)
  @JsonPropertyDescription(
      "Largest acceptable compressed image size, a Kubernetes quantity such as 80Mi or 100M. A"
          + " larger image gets condition SizeWithinBudget=False (reason SizeBudgetExceeded) and a"
          + " Warning Event; Ready still says whether the build worked.")
  private String sizeBudget;

  public String getSizeBudget() {
    return sizeBudget;
  }

  public void setSizeBudget(String sizeBudget) {
    this.sizeBudget = sizeBudget;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public LocalObjectRef getPushSecretRef() {
    return pushSecretRef;
  }

  public void setPushSecretRef(LocalObjectRef pushSecretRef) {
    this.pushSecretRef = pushSecretRef;
  }

  public Boolean getInsecure() {
    return insecure;
  }

  public void setInsecure(Boolean insecure) {
    this.insecure = insecure;
  }

  public boolean insecure() {
    return Boolean.TRUE.equals(insecure);
  }
}

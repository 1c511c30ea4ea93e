package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** What to build (source, app settings) and where to push it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeAppImageSpec {
  @Required
  @JsonPropertyDescription("Where the app's files come from: exactly one of git or inline.")
  private Source source;

  @JsonPropertyDescription("How the app is installed, built and started inside the image.")
  private AppSpec app = new AppSpec();

  @Required
  @JsonPropertyDescription("The image to push and the credentials to push it with.")
  private OutputSpec output;

  @JsonPropertyDescription(
      "Build Job settings: timeout, layer cache, single-stage comparison, resources.")
  private BuildSpec build = new BuildSpec();

  @JsonPropertyDescription(
      "true: a running build Job is deleted (with its pods) and no new build starts; Building=False"
          + " with reason Suspended. false again: builds if the inputs changed meanwhile (or the"
          + " interrupted build did not finish).")
  private Boolean suspend;

  @JsonPropertyDescription(
      "Opt-in: after each successful push run the image in a short-lived Pod (no service-account"
          + " token, runAsNonRoot, resource limits) and ask it over HTTP at the Pod's IP; the"
          + " result is the Verified condition (False with reason VerifyFailed and the container's"
          + " log tail). Ready stays about the build.")
  private VerifySpec verify;

  public VerifySpec getVerify() {
    return verify;
  }

  public void setVerify(VerifySpec verify) {
    this.verify = verify;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  /** Whether spec.suspend is true. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  public Source getSource() {
    return source;
  }

  public void setSource(Source source) {
    this.source = source;
  }

  public AppSpec getApp() {
    return app;
  }

  public void setApp(AppSpec app) {
    this.app = app;
  }

  public OutputSpec getOutput() {
    return output;
  }

  public void setOutput(OutputSpec output) {
    this.output = output;
  }

  public BuildSpec getBuild() {
    return build;
  }

  public void setBuild(BuildSpec build) {
    this.build = build;
  }
}

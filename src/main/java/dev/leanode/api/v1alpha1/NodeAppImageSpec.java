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

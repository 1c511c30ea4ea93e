package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** The app's source: exactly one of {@code git} or {@code inline}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.git) != has(self.inline)",
    message = "spec.source must set exactly one of git or inline")
public class Source {
  @JsonPropertyDescription(
      "A git repository; the revision is resolved to a commit before building.")
  private GitSource git;

  @JsonPropertyDescription("Files given inline in the resource; stored in a ConfigMap owned by it.")
  private InlineSource inline;

  public GitSource getGit() {
    return git;
  }

  public void setGit(GitSource git) {
    this.git = git;
  }

  public InlineSource getInline() {
    return inline;
  }

  public void setInline(InlineSource inline) {
    this.inline = inline;
  }
}

package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A git repository holding the app. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GitSource {
  @Required
  @Size(min = 1, max = 2048)
  @Pattern("^https?://[^\\s]+$")
  @JsonPropertyDescription(
      "HTTPS (or plain HTTP) clone URL; Kaniko clones it in the build pod (no ssh).")
  private String url;

  @Size(max = 255)
  @Pattern("^[A-Za-z0-9][A-Za-z0-9._/-]*$")
  @JsonPropertyDescription(
      "Branch, tag or full commit SHA; default: the remote's HEAD. Resolved to an exact commit"
          + " before building (status.source.commit).")
  private String revision;

  @Size(max = 1024)
  @Pattern("^[A-Za-z0-9._-][A-Za-z0-9._/-]*$")
  @JsonPropertyDescription(
      "Folder of the app inside the repository, relative, without '..'; default: the root.")
  private String subPath;

  @JsonPropertyDescription(
      "Secret in the same namespace with keys username + password (or token) for HTTPS clones.")
  private LocalObjectRef secretRef;

  @Pattern("^(0|([0-9]{1,4}h)?([0-9]{1,5}m)?([0-9]{1,6}s)?)$")
  @JsonPropertyDescription(
      "How often a branch or tag is resolved again with ls-remote (Go duration: 30s, 5m, 1h);"
          + " a new commit rebuilds the image (trigger NewCommit). Default 5m; 0 = never; a full"
          + " commit SHA as revision never polls. Each resource polls at its own offset within"
          + " the interval, so many resources do not ask the git server in the same second.")
  private String pollInterval;

  public String getPollInterval() {
    return pollInterval;
  }

  public void setPollInterval(String pollInterval) {
    this.pollInterval = pollInterval;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public String getSubPath() {
    return subPath;
  }

  public void setSubPath(String subPath) {
    this.subPath = subPath;
  }

  public LocalObjectRef getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(LocalObjectRef secretRef) {
    this.secretRef = secretRef;
  }
}

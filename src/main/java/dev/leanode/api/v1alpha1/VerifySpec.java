package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * Opt-in check that the pushed image starts: the operator runs it in a short-lived Pod and asks it
 * over HTTP at the Pod's IP.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VerifySpec {
  /** Used when {@link #timeout} is not set. */
  public static final String DEFAULT_TIMEOUT = "60s";

  public static final String DEFAULT_PATH = "/";

  @Size(max = 256)
  @Pattern("^/[!-~]*$")
  @JsonPropertyDescription(
      "HTTP path asked with GET (default /); any answer 200-399 counts, as for a Kubernetes"
          + " httpGet probe.")
  private String path;

  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port asked (default: spec.app.port).")
  private Integer port;

  @Pattern("^([0-9]{1,2}m)?([0-9]{1,3}s)?$")
  @JsonPropertyDescription(
      "Longest wait from the Pod's creation to the first answer (Go duration, 5s to 10m; default"
          + " 60s). Pulling the image counts.")
  private String timeout;

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public String getTimeout() {
    return timeout;
  }

  public void setTimeout(String timeout) {
    this.timeout = timeout;
  }

  /** The path asked: {@link #path} or {@code /}. */
  public String pathOrDefault() {
    return path == null || path.isEmpty() ? DEFAULT_PATH : path;
  }

  /** The timeout as written, or the default. */
  public String timeoutOrDefault() {
    return timeout == null || timeout.isEmpty() ? DEFAULT_TIMEOUT : timeout;
  }
}

package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.LinkedHashMap;
import java.util.Map;

/** App files given in the resource itself; fine for small apps and demos. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InlineSource {
  @Required
  @JsonPropertyDescription(
      "Relative path (nested folders allowed, no '..', no leading '/') to file content. Must"
          + " contain package.json. Total size is limited by the ConfigMap limit (1 MiB).")
  private Map<String, String> files = new LinkedHashMap<>();

  public Map<String, String> getFiles() {
    return files;
  }

  public void setFiles(Map<String, String> files) {
    this.files = files;
  }
}

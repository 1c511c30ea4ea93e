package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An environment variable baked into the image. */
public class EnvVar {
  @Required
  @Size(min = 1, max = 128)
  @Pattern("^[A-Za-z_][A-Za-z0-9_]*$")
  @JsonPropertyDescription("Variable name: letters, digits and '_', not starting with a digit.")
  private String name;

  @Size(max = 4096)
  @JsonPropertyDescription("Value; quoted safely into the Dockerfile. No control characters.")
  private String value = "";

  public EnvVar() {}

  public EnvVar(String name, String value) {
    this.name = name;
    this.value = value;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getValue() {
    return value;
  }

  public void setValue(String value) {
    this.value = value;
  }
}

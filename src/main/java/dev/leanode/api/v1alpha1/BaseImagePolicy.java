package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the operator does when the base image's tag moves to a new digest. */
public enum BaseImagePolicy {
  /** Re-resolve the tag on the operator's interval and rebuild when its digest moved. */
  @JsonProperty("track")
  TRACK,
  /** Keep the digest first resolved (status.baseImage) until the base image's name changes. */
  @JsonProperty("pin")
  PIN;

  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

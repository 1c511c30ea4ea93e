package dev.leanode.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * One NodeAppImage as {@code leanode get} shows it, read from the resource as the API server has it
 * (a generic object, so that status fields newer than this client — {@code status.build.trigger} —
 * are shown when present and nothing breaks when they are not).
 *
 * @param namespace the resource's namespace
 * @param name the resource's name
 * @param ready the Ready condition's status (True/False/Unknown)
 * @param reason the Ready condition's reason
 * @param image status.output.image
 * @param digest status.output.digest
 * @param sizeBytes status.output.sizeBytes (compressed)
 * @param size status.output.size, for people
 * @param singleStageSizeBytes status.comparison.singleStageSizeBytes, with compareSingleStage
 * @param savedBytes status.comparison.savedBytes
 * @param savedPercent status.comparison.savedPercent
 * @param lastBuildSeconds status.build startTime → completionTime, when both are set
 * @param trigger status.build.trigger, when the operator records it
 * @param created metadata.creationTimestamp
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = false)
public record ImageSummary(
    String namespace,
    String name,
    String ready,
    String reason,
    String image,
    String digest,
    Long sizeBytes,
    String size,
    Long singleStageSizeBytes,
    Long savedBytes,
    Double savedPercent,
    Long lastBuildSeconds,
    String trigger,
    String created) {

  static ImageSummary of(GenericKubernetesResource r) {
    Map<String, Object> status = map(r.getAdditionalProperties().get("status"));
    Map<String, Object> ready = readyCondition(status);
    Map<String, Object> output = map(status.get("output"));
    Map<String, Object> comparison = map(status.get("comparison"));
    Map<String, Object> build = map(status.get("build"));
    return new ImageSummary(
        r.getMetadata().getNamespace(),
        r.getMetadata().getName(),
        text(ready.get("status")),
        text(ready.get("reason")),
        text(output.get("image")),
        text(output.get("digest")),
        number(output.get("sizeBytes")),
        text(output.get("size")),
        number(comparison.get("singleStageSizeBytes")),
        number(comparison.get("savedBytes")),
        comparison.get("savedPercent") instanceof Number n ? n.doubleValue() : null,
        seconds(text(build.get("startTime")), text(build.get("completionTime"))),
        text(build.get("trigger")),
        r.getMetadata().getCreationTimestamp());
  }

  private static Map<String, Object> readyCondition(Map<String, Object> status) {
    if (status.get("conditions") instanceof List<?> l) {
      for (Object o : l) {
        Map<String, Object> c = map(o);
        if ("Ready".equals(c.get("type"))) {
          return c;
        }
      }
    }
    return Map.of();
  }

  private static Long seconds(String start, String end) {
    if (start == null || end == null) {
      return null;
    }
    try {
      return Duration.between(Instant.parse(start), Instant.parse(end)).toSeconds();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static String text(Object o) {
    return o == null ? null : o.toString();
  }

  private static Long number(Object o) {
    return o instanceof Number n ? n.longValue() : null;
  }
}

package dev.leanode.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code leanode get}: resources as the API server returns them → table and JSON. */
class SummaryTableTest {
  static final KubernetesSerialization SER = new KubernetesSerialization();
  static final Instant NOW = Instant.parse("2026-12-02T08:00:00Z");

  static final String COMPARED =
      """
      apiVersion: leanode.dev/v1alpha1
      kind: NodeAppImage
      metadata: {name: express-app, namespace: team-a, creationTimestamp: "2026-12-02T07:57:00Z"}
      status:
        conditions:
        - {type: Ready, status: "True", reason: BuildSucceeded, message: pushed}
        - {type: Building, status: "False", reason: BuildSucceeded, message: pushed}
        build: {job: express-app-1a2b, startTime: "2026-12-02T07:57:05Z", completionTime: "2026-12-02T07:58:17Z"}
        output: {image: "registry.example.com/team/express-app:1.0.0", digest: "sha256:abc", sizeBytes: 54634123, size: 52.1 MiB}
        comparison: {singleStageSizeBytes: 78765432, savedBytes: 24131309, savedPercent: 30.6}
      """;

  static final String BUILDING =
      """
      apiVersion: leanode.dev/v1alpha1
      kind: NodeAppImage
      metadata: {name: api, namespace: team-b, creationTimestamp: "2026-12-02T05:00:00Z"}
      status:
        conditions:
        - {type: Ready, status: "False", reason: BuildRunning, message: "Build Job api-9f is running"}
        build: {job: api-9f, startTime: "2026-12-02T07:59:30Z", trigger: NewCommit}
      """;

  static final String NO_STATUS =
      """
      apiVersion: leanode.dev/v1alpha1
      kind: NodeAppImage
      metadata: {name: fresh, namespace: team-a, creationTimestamp: "2026-12-02T07:59:58Z"}
      """;

  static ImageSummary summary(String yaml) {
    return ImageSummary.of(SER.unmarshal(yaml, GenericKubernetesResource.class));
  }

  @Test
  void tableLikeKubectls() {
    String table = SummaryTable.render(List.of(summary(COMPARED), summary(NO_STATUS)), false, NOW);
    assertThat(table)
        .isEqualTo(
            """
            NAME          READY     IMAGE                                         SIZE       SAVED              LAST BUILD   AGE
            express-app   True      registry.example.com/team/express-app:1.0.0   52.1 MiB   23.0 MiB (30.6%)   72s          3m
            fresh         Unknown   <none>                                        <none>     <none>             <none>       2s
            """);
  }

  @Test
  void triggerColumnOnlyWhenSomeResourceRecordsOne() {
    String without = SummaryTable.render(List.of(summary(COMPARED)), false, NOW);
    assertThat(without.lines().findFirst().orElseThrow()).doesNotContain("TRIGGER");

    String with = SummaryTable.render(List.of(summary(COMPARED), summary(BUILDING)), true, NOW);
    List<String> lines = with.lines().toList();
    assertThat(lines.get(0)).startsWith("NAMESPACE   NAME").contains("TRIGGER");
    assertThat(lines.get(2)).startsWith("team-b      api").contains("NewCommit").endsWith("3h");
    assertThat(lines.get(1)).doesNotContain("NewCommit");
  }

  @Test
  void jsonCarriesTheNumbersForScripts() throws Exception {
    JsonNode j = new ObjectMapper().readTree(SER.asJson(summary(COMPARED)));
    assertThat(j.path("name").asText()).isEqualTo("express-app");
    assertThat(j.path("ready").asText()).isEqualTo("True");
    assertThat(j.path("reason").asText()).isEqualTo("BuildSucceeded");
    assertThat(j.path("sizeBytes").asLong()).isEqualTo(54634123);
    assertThat(j.path("savedBytes").asLong()).isEqualTo(24131309);
    assertThat(j.path("savedPercent").asDouble()).isEqualTo(30.6);
    assertThat(j.path("lastBuildSeconds").asLong()).isEqualTo(72);
    assertThat(j.has("trigger")).as("absent fields are left out").isFalse();

    JsonNode b = new ObjectMapper().readTree(SER.asJson(summary(BUILDING)));
    assertThat(b.path("trigger").asText()).isEqualTo("NewCommit");
    assertThat(b.has("lastBuildSeconds")).as("still running").isFalse();
  }

  @Test
  void humanDurationsAsKubectlPrintsThem() {
    assertThat(SummaryTable.human(Duration.ofSeconds(119))).isEqualTo("119s");
    assertThat(SummaryTable.human(Duration.ofSeconds(125))).isEqualTo("2m5s");
    assertThat(SummaryTable.human(Duration.ofMinutes(45))).isEqualTo("45m");
    assertThat(SummaryTable.human(Duration.ofMinutes(200))).isEqualTo("3h20m");
    assertThat(SummaryTable.human(Duration.ofHours(30))).isEqualTo("30h");
    assertThat(SummaryTable.human(Duration.ofHours(75))).isEqualTo("3d3h");
    assertThat(SummaryTable.human(Duration.ofDays(40))).isEqualTo("40d");
  }
}

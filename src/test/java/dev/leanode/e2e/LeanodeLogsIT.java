package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leanode.api.v1alpha1.NodeAppImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code leanode logs} as a user runs it — the packaged artifact, the admin's kube context —
 * against the running operator on the real API server: it follows a build from before its Job
 * exists to the push (init container first, then Kaniko), ends a failed build's log with the error,
 * and says what the status recorded when the build pod is gone.
 */
class LeanodeLogsIT extends OnRealCluster {
  static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

  @Test
  void followsABuildThenReportsTheOutcomeOnceThePodIsGone() throws Exception {
    String image = Tools.REGISTRY + "/logs/leanode-logs:1";
    client
        .resource(
            OperatorE2E.resource(
                "follow-me",
                Map.of(
                    "source", OperatorE2E.inline("seed-express"),
                    "output", Map.of("image", image, "insecure", true))))
        .create();
    // started right away: the operator has not created the build Job yet
    Proc.Result followed = leanode("logs", "follow-me", "-n", ns, "-f");
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/leanode-logs-follow.txt"), followed.output());

    assertThat(followed.exitCode()).as(followed.output()).isZero();
    String out = followed.output();
    int init = out.indexOf("init container prepare-context <==");
    int kaniko = out.indexOf("container kaniko <==");
    int pushed = out.indexOf("Pushed " + Tools.REGISTRY + "/logs/leanode-logs@sha256:");
    assertThat(init).as(out).isNotNegative();
    assertThat(kaniko).as("Kaniko after the init container").isGreaterThan(init);
    // the base pinned by digest, as the operator writes FROM (issue 12)
    assertThat(out.indexOf("Building stage 'node:22-alpine@sha256:")).isGreaterThan(kaniko);
    assertThat(pushed).as("followed to the push").isGreaterThan(kaniko);
    assertThat(out).doesNotContain("INFO  [io.quarkus"); // the CLI's stdout is the log only

    NodeAppImage r = OperatorE2E.awaitCondition(client, "follow-me", "Ready", "True");
    String job = r.getStatus().getBuild().getJob();
    // without -f, a finished build's whole log, the same as followed
    Proc.Result again = leanode("logs", "follow-me", "-n", ns);
    assertThat(again.exitCode()).isZero();
    assertThat(again.output()).contains(out.substring(pushed, out.indexOf('\n', pushed)));

    // leanode get: the same resource as a table and as JSON
    Proc.Result table = leanode("get", "-n", ns);
    assertThat(table.exitCode()).as(table.output()).isZero();
    List<String> rows = table.output().strip().lines().toList();
    assertThat(rows.get(0))
        .startsWith("NAME")
        .contains("READY", "IMAGE", "SIZE", "SAVED", "LAST BUILD", "TRIGGER", "AGE");
    // the operator records why the build ran (issue 12); leanode get shows it
    assertThat(r.getStatus().getBuild().getTrigger()).isEqualTo("Created");
    assertThat(rows.get(1))
        .startsWith("follow-me")
        .contains("True", image, r.getStatus().getOutput().getSize(), "Created")
        .containsPattern("\\d+s");
    Proc.Result json = leanode("get", "follow-me", "-n", ns, "-o", "json");
    assertThat(json.exitCode()).as(json.output()).isZero();
    var summary = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.output());
    assertThat(summary.path("sizeBytes").asLong())
        .isEqualTo(r.getStatus().getOutput().getSizeBytes());
    assertThat(summary.path("digest").asText()).isEqualTo(r.getStatus().getOutput().getDigest());
    assertThat(summary.path("ready").asText()).isEqualTo("True");
    assertThat(summary.path("lastBuildSeconds").asLong()).isPositive();
    assertThat(summary.path("trigger").asText()).isEqualTo("Created");

    // the Job and its pod go (TTL or retention do this): the status tells what happened
    client
        .batch()
        .v1()
        .jobs()
        .withName(job)
        .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
        .delete();
    await("build pod removed")
        .atMost(Duration.ofMinutes(2))
        .until(() -> client.pods().withLabel("job-name", job).list().getItems().isEmpty());
    Proc.Result gone = leanode("logs", "follow-me", "-n", ns);
    assertThat(gone.exitCode()).as(gone.output()).isEqualTo(1);
    assertThat(gone.output())
        .contains("error: the build pod of job " + job + " is gone")
        .contains("status recorded: Ready=True BuildSucceeded")
        .contains("image " + image + "@" + r.getStatus().getOutput().getDigest());

    Proc.Result missing = leanode("logs", "no-such-app", "-n", ns);
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.output()).contains("nodeappimages.leanode.dev \"no-such-app\" not found");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aFailedBuildsLogEndsInTheError() throws Exception {
    Map<String, Object> inline = OperatorE2E.inline("typescript-dist");
    Map<String, String> files =
        new LinkedHashMap<>(
            (Map<String, String>) ((Map<String, Object>) inline.get("inline")).get("files"));
    files.put("src/index.ts", files.get("src/index.ts") + "\nconst broken: = ;\n");
    client
        .resource(
            OperatorE2E.resource(
                "broken-logs",
                Map.of(
                    "source", Map.of("inline", Map.of("files", files)),
                    "app", Map.of("buildScript", "build"),
                    "output",
                        Map.of("image", Tools.REGISTRY + "/logs/broken-logs:1", "insecure", true))))
        .create();
    Proc.Result followed = leanode("logs", "broken-logs", "-n", ns, "-f");
    assertThat(followed.exitCode()).as(followed.output()).isZero();
    List<String> lines = followed.output().strip().lines().toList();
    assertThat(followed.output()).contains("src/index.ts").containsIgnoringCase("error TS");
    assertThat(lines.get(lines.size() - 1)).startsWith("error building image:");
    OperatorE2E.awaitReadyReason(client, "broken-logs", "BuildFailed");
  }

  /** The packaged artifact, as {@code ./leanode} runs a subcommand, with the admin's kubeconfig. */
  Proc.Result leanode(String... args) {
    if (!Files.isRegularFile(JAR)) {
      throw new AssertionError(JAR + " is missing: run './mvnw package' (failsafe runs after it)");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of("-Dquarkus.http.port=0", "-Dquarkus.log.level=WARN", "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    return Proc.run(
        Duration.ofMinutes(10),
        Path.of("."),
        Map.of("KUBECONFIG", install.cp.adminKubeconfig.toString()),
        null,
        cmd);
  }
}

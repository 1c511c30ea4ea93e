package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.observe.BuildProgress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stand-in's Kaniko log: buildah's output turned into the executor's own lines, which the
 * operator's progress parser (written against the real executor's source) understands.
 */
class KanikoOutputTest {
  static final String DOCKERFILE =
      """
      FROM node:22-alpine AS deps
      WORKDIR /app
      RUN npm ci
      FROM deps AS production
      USER 1000:1000
      """;

  @Test
  void buildahStepsBecomeKanikoLines() {
    ContainerLogs logs = new ContainerLogs();
    KanikoOutput out = new KanikoOutput(logs.start("ns", "pod", "kaniko"));
    for (String l :
        List.of(
            "[1/2] STEP 1/3: FROM node:22-alpine AS deps",
            "[1/2] STEP 2/3: WORKDIR /app",
            "[1/2] STEP 3/3: RUN npm ci",
            "added 3 packages in 1s",
            "[1/2] COMMIT",
            "--> 1a2b3c",
            "[2/2] STEP 1/2: FROM deps AS production",
            "[2/2] STEP 2/2: USER 1000:1000",
            "Getting image source signatures",
            "Copying blob sha256:0123",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")) {
      out.buildahLine(l);
    }
    out.info("Pushing image to 127.0.0.1:5000/x/app:1");
    out.finish();

    List<String> text =
        logs.find("ns", "pod", "kaniko").orElseThrow().lines().stream()
            .map(ContainerLogs.Line::text)
            .map(t -> t.replaceAll("\u001b\\[[0-9;]*m", "").strip())
            .toList();
    assertThat(text)
        .containsExactly(
            "INFO[0000] Retrieving image manifest node:22-alpine",
            "INFO[0000] Building stage 'node:22-alpine' [idx: '0', base-idx: '-1']",
            "INFO[0000] WORKDIR /app",
            "INFO[0000] RUN npm ci",
            "added 3 packages in 1s",
            "INFO[0000] Building stage 'deps' [idx: '1', base-idx: '0']",
            "INFO[0000] USER 1000:1000",
            "INFO[0000] Pushing image to 127.0.0.1:5000/x/app:1");
    assertThat(logs.find("ns", "pod", "kaniko").orElseThrow().finished()).isTrue();
    // the colours and padding of logrus' TextFormatter, as the real executor writes by default
    assertThat(logs.find("ns", "pod", "kaniko").orElseThrow().lines().get(2).text())
        .isEqualTo("\u001b[36mINFO\u001b[0m[0000] WORKDIR /app" + " ".repeat(44 - 12) + " ");
    assertThat(BuildProgress.describe(DOCKERFILE, out.toString()))
        .hasValue("pushing 127.0.0.1:5000/x/app:1");
    String all = out.toString();
    String beforePush = all.substring(0, all.lastIndexOf('\n', all.indexOf("Pushing image")) + 1);
    assertThat(BuildProgress.describe(DOCKERFILE, beforePush))
        .hasValue("stage 2/2 (production), step 1/1: USER 1000:1000");
  }

  @Test
  void aFailedRunEndsAsKanikosErrorWithoutBuildahsEchoOfTheCommand() {
    ContainerLogs logs = new ContainerLogs();
    KanikoOutput out = new KanikoOutput(logs.start("ns", "pod", "kaniko"));
    String run = "RUN set -eu; " + "x".repeat(3000);
    for (String l :
        List.of(
            "[1/1] STEP 1/2: FROM busybox AS runtime",
            "--> Using cache " + "c".repeat(64),
            "--> ccccccccccc",
            "[1/1] STEP 2/2: " + run,
            "[1/1] COMMIT",
            "--> 0f77cdf14b8",
            "leanode: error: runtime minimal: the base image has no node on PATH",
            "subprocess exited with status 1",
            "subprocess exited with status 1",
            "Error: building at STEP \"" + run + "\": exit status 1")) {
      out.buildahLine(l);
    }
    assertThat(out.committedImages())
        .as("what this build committed, not the cache it reused")
        .containsExactly("0f77cdf14b8");
    assertThat(out.stepFailure())
        .hasValue(
            "error building image: error building stage: failed to execute command:"
                + " waiting for process to exit: exit status 1");
    String all = out.toString();
    assertThat(all).doesNotContain("subprocess exited", "Error: building at STEP");
    assertThat(all.substring(all.indexOf("leanode: error:")))
        .as("nothing of buildah's after the step's own error")
        .isEqualTo("leanode: error: runtime minimal: the base image has no node on PATH\n");
    assertThat(new KanikoOutput(logs.start("ns", "p2", "kaniko")).stepFailure()).isEmpty();
  }

  @Test
  void logsAreForgottenWithTheirPod() {
    ContainerLogs logs = new ContainerLogs();
    logs.admit("ns", "p");
    logs.start("ns", "p", "kaniko").append("x");
    assertThat(logs.knows("ns", "p")).isTrue();
    logs.forget("ns", "p");
    assertThat(logs.knows("ns", "p")).isFalse();
    assertThat(logs.find("ns", "p", "kaniko")).isEmpty();
  }
}

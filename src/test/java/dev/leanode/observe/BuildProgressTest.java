package dev.leanode.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Kaniko log lines (its default colored logrus format) + the Dockerfile → where the build is. */
class BuildProgressTest {
  static final String DOCKERFILE =
      """
      # comment
      FROM node:22-alpine AS deps
      WORKDIR /app
      COPY package.json ./
      RUN set -eu; \\
          # a comment inside a continuation
          npm ci --omit=dev

      FROM node:22-alpine AS production
      ENV NODE_ENV=production
      COPY --from=deps /app/node_modules ./node_modules
      USER 1000:1000
      CMD ["node", "index.js"]
      """;

  /** As logrus' TextFormatter writes with ForceColors (Kaniko's --log-format=color default). */
  static String info(int secs, String msg) {
    return String.format(Locale.ROOT, "\u001b[36mINFO\u001b[0m[%04d] %-44s \n", secs, msg);
  }

  @Test
  void stagesCountTheInstructionsAfterEachFrom() {
    assertThat(BuildProgress.stages(DOCKERFILE))
        .containsExactly(
            new BuildProgress.Stage("deps", 3), new BuildProgress.Stage("production", 4));
  }

  @Test
  void nothingBeforeTheFirstStage() {
    assertThat(
            BuildProgress.describe(DOCKERFILE, info(0, "Retrieving image manifest node:22-alpine")))
        .isEmpty();
    assertThat(BuildProgress.describe(DOCKERFILE, "")).isEmpty();
  }

  @Test
  void stageAndStepFromTheLastCommandLine() {
    String log =
        info(0, "Retrieving image manifest node:22-alpine")
            + info(1, "Building stage 'node:22-alpine' [idx: '0', base-idx: '-1']")
            + info(1, "Unpacking rootfs as cmd COPY package.json ./ requires it.")
            + info(2, "WORKDIR /app")
            + info(2, "Cmd: workdir")
            + info(2, "COPY package.json ./")
            + info(3, "Using caching version of cmd: RUN set -eu; npm ci --omit=dev")
            + info(3, "RUN set -eu; npm ci --omit=dev")
            + "added 64 packages in 2s\n"
            + "RUN is not a logrus line when a tool prints it\n";
    assertThat(BuildProgress.describe(DOCKERFILE, log))
        .hasValue("stage 1/2 (deps), step 3/3: RUN set -eu; npm ci --omit=dev");

    String later =
        log
            + info(9, "Taking snapshot of full filesystem...")
            + info(10, "Building stage 'node:22-alpine' [idx: '1', base-idx: '-1']")
            + info(10, "ENV NODE_ENV=production");
    assertThat(BuildProgress.describe(DOCKERFILE, later))
        .hasValue("stage 2/2 (production), step 1/4: ENV NODE_ENV=production");
    assertThat(
            BuildProgress.describe(
                DOCKERFILE,
                later + info(11, "Building stage 'node:22-alpine' [idx: '1', base-idx: '-1']")))
        .as("a new stage line restarts the step count")
        .hasValue("stage 2/2 (production)");
  }

  @Test
  void pushingWins() {
    String log =
        info(1, "Building stage 'node:22-alpine' [idx: '1', base-idx: '-1']")
            + info(2, "CMD [\"node\", \"index.js\"]")
            + info(12, "Pushing image to 127.0.0.1:5000/team/app:1");
    assertThat(BuildProgress.describe(DOCKERFILE, log))
        .hasValue("pushing 127.0.0.1:5000/team/app:1");
  }

  @Test
  void plainAndTimestampedLevelsParseToo() {
    String log =
        "INFO[2026-12-02T07:00:01Z] Building stage 'node:22-alpine' [idx: '0', base-idx: '-1']\n"
            + "INFO[0002] WORKDIR /app\n";
    assertThat(BuildProgress.describe(DOCKERFILE, log))
        .hasValue("stage 1/2 (deps), step 1/3: WORKDIR /app");
  }

  @Test
  void longCommandsAreShortenedToOneLine() {
    String run = "RUN " + "x".repeat(200);
    String log =
        info(0, "Building stage 'node:22-alpine' [idx: '0', base-idx: '-1']") + info(1, run);
    String d = BuildProgress.describe(DOCKERFILE, log).orElseThrow();
    assertThat(d).endsWith("…").hasSizeLessThan(BuildProgress.MAX_COMMAND + 40);
  }

  @Test
  void aGeneratedDockerfileHasItsStagesNamed() throws Exception {
    String df =
        Files.readString(
            Path.of("src/test/resources/golden/dockerfile/typescript-build.Dockerfile"));
    assertThat(BuildProgress.stages(df).stream().map(BuildProgress.Stage::name))
        .startsWith("shim", "prune", "context", "deps")
        .endsWith("production");
    assertThat(BuildProgress.stages(df).get(0).steps())
        .as("one RUN in the shim stage")
        .isEqualTo(1);
  }

  @Test
  void anUnnamedStagePinnedByDigestIsCalledByItsTag() {
    String df = "FROM node:22-alpine@sha256:" + "a".repeat(64) + "\nWORKDIR /app\nCMD [\"node\"]\n";
    assertThat(BuildProgress.stages(df))
        .containsExactly(new BuildProgress.Stage("node:22-alpine", 2));
  }

  @Test
  void theMessageKeepsThePreviousProgressOfTheSameBuildWhenTheLogSaysNothing() {
    String running = "Build Job app-1 is running";
    String log =
        info(0, "Building stage 'node:22-alpine' [idx: '0', base-idx: '-1']")
            + info(1, "WORKDIR /app");
    String moved = BuildProgress.message(running, DOCKERFILE, log, running);
    assertThat(moved).isEqualTo(running + ": stage 1/2 (deps), step 1/3: WORKDIR /app");
    assertThat(BuildProgress.message(running, DOCKERFILE, null, moved)).isEqualTo(moved);
    assertThat(
            BuildProgress.message(running, DOCKERFILE, "", "Build Job app-0 is running: pushing x"))
        .as("another build's progress is not kept")
        .isEqualTo(running);
  }
}

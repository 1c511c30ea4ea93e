package dev.leanode.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The `leanode` command line as a user runs it: exit codes, stdout, stderr. No cluster. */
@QuarkusMainTest
@TestProfile(CliIT.NoOperator.class)
class CliIT {
  /** The CLI must work without any API server: nothing may start the operator. */
  public static class NoOperator implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("test.leanode.start-operator", "false");
    }
  }

  @Test
  @Launch({"render", "-f", "examples/express-app.yaml"})
  void renderPrintsDockerfileConfigMapAndJob(LaunchResult result) {
    assertThat(result.exitCode()).isZero();
    String out = result.getOutput();
    assertThat(out)
        .contains("# Dockerfile")
        .contains("#   USER 1000:1000")
        .contains("#   ENV NODE_ENV=production");
    assertThat(out).contains("kind: \"ConfigMap\"").contains("kind: \"Job\"");
    assertThat(out).contains("--destination=registry.example.com/team/express-app:1.0.0");
    assertThat(out).contains("kaniko-single-stage"); // compareSingleStage in the example
  }

  @Test
  void renderWritesFilesIntoTheOutputDirectory(QuarkusMainLauncher launcher, @TempDir Path dir)
      throws Exception {
    LaunchResult result =
        launcher.launch("render", "-f", "examples/express-app.yaml", "-o", dir.toString());
    assertThat(result.exitCode()).isZero();
    assertThat(dir.resolve("Dockerfile")).content().contains("FROM node:22-alpine");
    assertThat(dir.resolve("Dockerfile.single-stage"))
        .content()
        .contains("COPY . .")
        .contains("npm install");
    assertThat(dir.resolve("configmap.yaml")).content().contains("Dockerfile");
    assertThat(dir.resolve("job.yaml")).content().contains("--digest-file=/dev/termination-log");
  }

  @Test
  void renderSaysTheBaseIsUnpinnedOfflineAndPinsItWithBaseDigest(
      QuarkusMainLauncher launcher, @TempDir Path dir) throws Exception {
    LaunchResult offline = launcher.launch("render", "-f", "examples/express-app.yaml");
    assertThat(offline.exitCode()).isZero();
    assertThat(offline.getOutput())
        .contains("# Base image: node:22-alpine is not pinned to a digest here")
        .contains("#   FROM node:22-alpine AS production");
    String digest = "sha256:" + "5".repeat(64);
    LaunchResult pinned =
        launcher.launch(
            "render",
            "-f",
            "examples/express-app.yaml",
            "--base-digest",
            digest,
            "-o",
            dir.toString());
    assertThat(pinned.exitCode()).isZero();
    assertThat(dir.resolve("Dockerfile"))
        .content()
        .contains("FROM node:22-alpine@" + digest + " AS production")
        .doesNotContain("FROM node:22-alpine AS");
    LaunchResult bad =
        launcher.launch("render", "-f", "examples/express-app.yaml", "--base-digest", "latest");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.getErrorOutput()).contains("--base-digest");
  }

  @Test
  void renderNamesTheBadField(QuarkusMainLauncher launcher, @TempDir Path dir) throws Exception {
    String yaml =
        Files.readString(Path.of("examples/express-app.yaml")).replace("port: 3000", "port: 70000");
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, yaml);
    LaunchResult result = launcher.launch("render", "-f", file.toString());
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.getErrorOutput()).contains("spec.app.port");
  }

  @Test
  void renderRejectsAMisspeltField(QuarkusMainLauncher launcher, @TempDir Path dir)
      throws Exception {
    String yaml =
        Files.readString(Path.of("examples/express-app.yaml"))
            .replace("nodeVersion:", "nodeVersoin:");
    Path file = dir.resolve("typo.yaml");
    Files.writeString(file, yaml);
    LaunchResult result = launcher.launch("render", "-f", file.toString());
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.getErrorOutput()).contains("spec.app.nodeVersoin").contains("unknown field");
  }

  @Test
  void renderOfAMissingFileFails(QuarkusMainLauncher launcher) {
    LaunchResult result = launcher.launch("render", "-f", "does-not-exist.yaml");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.getErrorOutput()).contains("does-not-exist.yaml");
  }

  @Test
  @Launch({"dockerfile", "src/test/resources/apps/seed-express"})
  void dockerfilePrintsTheLeanDockerfileForAnAppFolder(LaunchResult result) {
    assertThat(result.exitCode()).isZero();
    assertThat(result.getOutput())
        .contains("FROM node:")
        .contains("USER 1000:1000")
        .contains("CMD [")
        .contains("--omit=dev");
  }

  @Test
  @Launch({"dockerfile", "--variant", "single_stage", "src/test/resources/apps/seed-express"})
  void dockerfilePrintsTheTutorialsSingleStageOnRequest(LaunchResult result) {
    assertThat(result.exitCode()).isZero();
    assertThat(result.getOutput()).contains("COPY . .").doesNotContain("USER node");
  }

  @Test
  @Launch({
    "dockerfile",
    "--runtime",
    "minimal",
    "--prune-keep",
    "mime-db/*.json",
    "src/test/resources/apps/seed-express"
  })
  void dockerfileTakesTheRuntimeAndPruneSettings(LaunchResult result) {
    assertThat(result.exitCode()).isZero();
    assertThat(result.getOutput())
        .contains("FROM scratch AS production")
        .contains("node /leanode/prune.cjs node_modules 'mime-db/*.json'");
  }

  @Test
  @Launch(
      value = {"dockerfile", "--prune-keep", "a b", "src/test/resources/apps/seed-express"},
      exitCode = 2)
  void dockerfileRefusesAKeepGlobThatCouldInject(LaunchResult result) {
    assertThat(result.getErrorOutput()).contains("spec.app.pruneKeep[0]");
  }

  @Test
  @Launch(
      value = {"dockerfile", "src/test/resources"},
      exitCode = 2)
  void dockerfileWithoutPackageJsonFails(LaunchResult result) {
    assertThat(result.getErrorOutput()).contains("no package.json");
  }
}

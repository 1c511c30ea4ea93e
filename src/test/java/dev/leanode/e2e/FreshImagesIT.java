package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus.BuildRecord;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * "It stays fresh", through the running operator on the real control plane: each build says why it
 * ran (a new resource, a new commit on the tracked branch, the rebuild annotation, a spec edit) in
 * status.build.trigger, status.history and the BuildStarted Event; spec.suspend stops a build
 * mid-way (its Job and pod gone) and resumes it. The base image moving under its tag is {@link
 * BaseImageMoveIT} (it needs an operator with a short base-image poll interval).
 */
class FreshImagesIT extends OnRealCluster {
  static Path root;
  static GitHttpServer git;
  static List<String> shas;

  @BeforeAll
  static void repo() throws Exception {
    root = Files.createTempDirectory("leanode-git-fresh-");
    git = new GitHttpServer(root);
    Path api = OperatorE2E.APPS.resolve("monorepo/services/api/index.js");
    shas =
        git.createRepo(
            "fresh.git",
            OperatorE2E.APPS.resolve("monorepo"),
            "services/api/index.js",
            Files.readString(api).replace("hello from monorepo-api", "hello from a new commit"));
  }

  @AfterAll
  static void stop() {
    git.close();
    KanikoStandIn.deleteTree(root);
  }

  NodeAppImage current(String name) {
    return client.resources(NodeAppImage.class).withName(name).get();
  }

  /** Waits until the build of {@code trigger} is Ready for the current generation. */
  NodeAppImage awaitBuilt(String name, String trigger) {
    return await()
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> current(name),
            r ->
                r.getStatus() != null
                    && r.getStatus().getBuild() != null
                    && trigger.equals(r.getStatus().getBuild().getTrigger())
                    && r.getStatus()
                        .condition("Ready")
                        .map(c -> "True".equals(c.getStatus()))
                        .orElse(false)
                    && r.getMetadata()
                        .getGeneration()
                        .equals(r.getStatus().getObservedGeneration()));
  }

  /**
   * A user's change (kubectl patch --type merge): no resourceVersion, so no conflict with status.
   */
  void mergePatch(String name, String json) {
    client
        .resources(NodeAppImage.class)
        .withName(name)
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            json);
  }

  List<String> startedEvents() {
    return client.v1().events().list().getItems().stream()
        .filter(e -> "BuildStarted".equals(e.getReason()))
        .map(Event::getMessage)
        .toList();
  }

  @Test
  void everyBuildSaysWhyItRan() {
    String name = "fresh-git";
    client
        .resource(
            OperatorE2E.resource(
                name,
                Map.of(
                    "source",
                    Map.of(
                        "git",
                        Map.of(
                            "url", git.url("fresh.git"),
                            "revision", "main",
                            "subPath", "services/api",
                            "pollInterval", "2s")),
                    "app",
                    Map.of("command", List.of("node", "index.js")),
                    "output",
                    Map.of("image", Tools.REGISTRY + "/fresh/git-app:1", "insecure", true))))
        .create();
    NodeAppImage created = awaitBuilt(name, "Created");
    assertThat(created.getStatus().getSource().getCommit()).isEqualTo(shas.get(0));
    assertThat(created.getStatus().getBaseImage().getImage()).isEqualTo("node:22-alpine");
    String baseDigest = created.getStatus().getBaseImage().getDigest();
    assertThat(baseDigest).isEqualTo(Registry.digest(Tools.REGISTRY + "/library/node:22-alpine"));

    // a new commit on the tracked branch: nobody touches the resource, the poll finds it
    git.moveBranch("fresh.git", "main", shas.get(1));
    NodeAppImage moved = awaitBuilt(name, "NewCommit");
    assertThat(moved.getStatus().getSource().getCommit()).isEqualTo(shas.get(1));
    OperatorE2E.assertMeasuredAndRuns(moved, "hello from a new commit");

    mergePatch(
        name, "{\"metadata\":{\"annotations\":{\"leanode.dev/rebuild\":\"after-the-fix\"}}}");
    awaitBuilt(name, "RebuildRequested");

    mergePatch(name, "{\"spec\":{\"app\":{\"port\":8080}}}");
    NodeAppImage edited = awaitBuilt(name, "SpecChanged");

    // newest first, bounded by leanode.build.keep-jobs (3): the Created build has dropped out
    assertThat(edited.getStatus().getHistory())
        .extracting(BuildRecord::getTrigger, BuildRecord::getOutcome, BuildRecord::getCommit)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("SpecChanged", "Succeeded", shas.get(1)),
            org.assertj.core.groups.Tuple.tuple("RebuildRequested", "Succeeded", shas.get(1)),
            org.assertj.core.groups.Tuple.tuple("NewCommit", "Succeeded", shas.get(1)));
    BuildRecord newest = edited.getStatus().getHistory().get(0);
    assertThat(newest.getDigest()).isEqualTo(edited.getStatus().getOutput().getDigest());
    assertThat(newest.getSizeBytes()).isEqualTo(edited.getStatus().getOutput().getSizeBytes());
    assertThat(newest.getBaseImageDigest()).isEqualTo(baseDigest);
    assertThat(newest.getStartTime()).isNotNull();
    assertThat(newest.getCompletionTime()).isNotNull();
    assertThat(edited.getStatus().getHistory().get(1).getRebuild()).isEqualTo("after-the-fix");
    assertThat(startedEvents())
        .anyMatch(m -> m.endsWith("(trigger Created)"))
        .anyMatch(m -> m.endsWith("(trigger NewCommit)"))
        .anyMatch(m -> m.endsWith("(trigger RebuildRequested)"))
        .anyMatch(m -> m.endsWith("(trigger SpecChanged)"));
  }

  @Test
  void suspendStopsARunningBuildAndResumeBuildsIt() throws Exception {
    String name = "fresh-suspend";
    client
        .resource(
            OperatorE2E.resource(
                name,
                Map.of(
                    "source", OperatorE2E.inline("seed-express"),
                    "output",
                        Map.of(
                            "image", Tools.REGISTRY + "/fresh/suspend-app:1", "insecure", true))))
        .create();
    // mid-build: the Job exists and its pod runs
    String job =
        await()
            .atMost(Duration.ofMinutes(5))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    client
                        .pods()
                        .withLabel("app.kubernetes.io/managed-by", "leanode")
                        .list()
                        .getItems()
                        .stream()
                        .filter(
                            p ->
                                p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
                        .map(p -> p.getMetadata().getLabels().get("job-name"))
                        .findFirst()
                        .orElse(null),
                j -> j != null);
    mergePatch(name, "{\"spec\":{\"suspend\":true}}");
    NodeAppImage suspended = OperatorE2E.awaitReadyReason(client, name, "Suspended");
    assertThat(OperatorE2E.condition(suspended, "Building").getStatus()).isEqualTo("False");
    assertThat(OperatorE2E.condition(suspended, "Building").getReason()).isEqualTo("Suspended");
    assertThat(OperatorE2E.condition(suspended, "Building").getMessage()).contains(job);
    assertThat(suspended.getStatus().getHistory().get(0).getOutcome()).isEqualTo("Suspended");
    // the Job and, through the garbage collector, its pod are gone; nothing new was started
    await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                client.batch().v1().jobs().list().getItems().isEmpty()
                    && client.pods().withLabel("job-name", job).list().getItems().isEmpty());
    NodeAppImage stillSuspended = current(name);
    assertThat(stillSuspended.getStatus().getObservedGeneration())
        .isEqualTo(stillSuspended.getMetadata().getGeneration());
    assertThat(client.batch().v1().jobs().list().getItems()).extracting(Job::getMetadata).isEmpty();

    mergePatch(name, "{\"spec\":{\"suspend\":false}}");
    NodeAppImage resumed = OperatorE2E.awaitCondition(client, name, "Ready", "True");
    assertThat(resumed.getStatus().getBuild().getAttempt())
        .as("a resumed build is a new build, not a lost Job's second attempt")
        .isEqualTo(1);
    assertThat(resumed.getStatus().getHistory())
        .extracting(BuildRecord::getOutcome)
        .containsExactly("Succeeded", "Suspended");
    OperatorE2E.assertMeasuredAndRuns(resumed, "hello from seed-express");
  }
}

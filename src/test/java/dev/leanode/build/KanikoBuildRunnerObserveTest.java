package dev.leanode.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.build.BuildState.Phase;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The Job/pod → BuildState truth table, one case per row. */
class KanikoBuildRunnerObserveTest {
  static final String DIGEST = "sha256:" + "ab".repeat(32);
  static final String SINGLE_DIGEST = "sha256:" + "cd".repeat(32);
  static final String START = "2026-01-10T10:00:00Z";
  static final String END = "2026-01-10T10:04:00Z";

  final KanikoBuildRunner runner = new KanikoBuildRunner();

  // ------------------------------------------------------------------ fixtures

  static Job job(boolean singleStage, Integer active, String condType, String reason, String msg) {
    var b =
        new JobBuilder()
            .withNewMetadata()
            .withName("hello-express-0123456789")
            .endMetadata()
            .withNewSpec()
            .withActiveDeadlineSeconds(1200L)
            .withNewTemplate()
            .withNewSpec()
            .addNewContainer()
            .withName("kaniko")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .withNewStatus()
            .withStartTime(START)
            .withActive(active)
            .endStatus();
    if (singleStage) {
      b.editSpec()
          .editTemplate()
          .editSpec()
          .addNewContainer()
          .withName("kaniko-single-stage")
          .endContainer()
          .endSpec()
          .endTemplate()
          .endSpec();
    }
    if (condType != null) {
      b.editStatus()
          .addToConditions(
              new JobConditionBuilder()
                  .withType(condType)
                  .withStatus("True")
                  .withReason(reason)
                  .withMessage(msg)
                  .withLastTransitionTime(END)
                  .build())
          .withCompletionTime("Complete".equals(condType) ? END : null)
          .endStatus();
    }
    return b.build();
  }

  static ContainerStatus terminated(String name, int exit, String message) {
    return new ContainerStatusBuilder()
        .withName(name)
        .withNewState()
        .withNewTerminated()
        .withExitCode(exit)
        .withReason(exit == 0 ? "Completed" : "Error")
        .withMessage(message)
        .endTerminated()
        .endState()
        .build();
  }

  static ContainerStatus waiting(String name, String reason, String message) {
    return new ContainerStatusBuilder()
        .withName(name)
        .withNewState()
        .withNewWaiting()
        .withReason(reason)
        .withMessage(message)
        .endWaiting()
        .endState()
        .build();
  }

  static ContainerStatus running(String name) {
    return new ContainerStatusBuilder()
        .withName(name)
        .withNewState()
        .withNewRunning()
        .withStartedAt(START)
        .endRunning()
        .endState()
        .build();
  }

  static Pod pod(String phase, List<ContainerStatus> init, List<ContainerStatus> containers) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("hello-express-0123456789-x7k2p")
        .endMetadata()
        .withNewStatus()
        .withPhase(phase)
        .withInitContainerStatuses(init)
        .withContainerStatuses(containers)
        .endStatus()
        .build();
  }

  // ------------------------------------------------------------------ Complete

  @Test
  void completeWithDigest() {
    BuildState s =
        runner.observe(
            job(false, null, "Complete", null, null),
            List.of(pod("Succeeded", List.of(), List.of(terminated("kaniko", 0, DIGEST + "\n")))));
    assertThat(s).isEqualTo(new BuildState(Phase.SUCCEEDED, DIGEST, null, null, START, END));
  }

  @Test
  void completeWithBothDigests() {
    BuildState s =
        runner.observe(
            job(true, null, "Complete", null, null),
            List.of(
                pod(
                    "Succeeded",
                    List.of(terminated("prepare-context", 0, null)),
                    List.of(
                        terminated("kaniko", 0, DIGEST),
                        terminated("kaniko-single-stage", 0, " " + SINGLE_DIGEST + " ")))));
    assertThat(s.phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(s.digest()).isEqualTo(DIGEST);
    assertThat(s.singleStageDigest()).isEqualTo(SINGLE_DIGEST);
  }

  @Test
  void completeWithoutDigestIsAFailure() {
    BuildState s =
        runner.observe(
            job(false, null, "Complete", null, null),
            List.of(pod("Succeeded", List.of(), List.of(terminated("kaniko", 0, "")))));
    assertThat(s.phase()).isEqualTo(Phase.FAILED);
    assertThat(s.message()).startsWith("build succeeded but no digest in termination message");
    assertThat(s.completionTime()).isEqualTo(END);
  }

  @Test
  void completeWithGarbageInsteadOfADigestIsAFailure() {
    BuildState s =
        runner.observe(
            job(false, null, "Complete", null, null),
            List.of(pod("Succeeded", List.of(), List.of(terminated("kaniko", 0, "sha256:xyz")))));
    assertThat(s.phase()).isEqualTo(Phase.FAILED);
    assertThat(s.message()).contains("no digest");
  }

  @Test
  void completeButPodsAlreadyGone() {
    BuildState s = runner.observe(job(false, null, "Complete", null, null), List.of());
    assertThat(s.phase()).isEqualTo(Phase.FAILED);
    assertThat(s.message()).contains("no digest");
  }

  @Test
  void completeWithMissingSingleStageDigest() {
    BuildState s =
        runner.observe(
            job(true, null, "Complete", null, null),
            List.of(
                pod(
                    "Succeeded",
                    List.of(),
                    List.of(
                        terminated("kaniko", 0, DIGEST),
                        terminated("kaniko-single-stage", 0, "")))));
    assertThat(s.phase()).isEqualTo(Phase.FAILED);
    assertThat(s.message()).contains("kaniko-single-stage");
  }

  // ------------------------------------------------------------------ Failed

  @Test
  void deadlineExceededIsATimeout() {
    BuildState s =
        runner.observe(
            job(
                false,
                null,
                "Failed",
                "DeadlineExceeded",
                "Job was active longer than specified deadline"),
            List.of());
    assertThat(s)
        .isEqualTo(
            new BuildState(
                Phase.TIMED_OUT, null, null, "build exceeded its timeout of 20m", START, END));
  }

  @Test
  void failedKanikoCarriesTheLogTail() {
    String log =
        IntStream.rangeClosed(1, 30).mapToObj(i -> "line " + i).collect(Collectors.joining("\n"))
            + "\nerror building image: npm ci exited 1\n";
    BuildState s =
        runner.observe(
            job(
                false,
                null,
                "Failed",
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit"),
            List.of(pod("Failed", List.of(), List.of(terminated("kaniko", 1, log)))));
    assertThat(s.phase()).isEqualTo(Phase.FAILED);
    assertThat(s.message())
        .startsWith("container kaniko failed (exit code 1): line 12\n")
        .endsWith("error building image: npm ci exited 1")
        .doesNotContain("line 11\n");
    assertThat(s.message().lines().count()).isEqualTo(20);
  }

  /** What real Kaniko v1.28.3 logs for a git context it may not clone (RealKanikoIT). */
  static final String KANIKO_USAGE =
      """
      Usage:
        executor [flags]
        executor [command]

      Available Commands:
        completion  Generate the autocompletion script for the specified shell
        help        Help about any command
      """
          + IntStream.rangeClosed(1, 80)
              .mapToObj(i -> "      --flag-" + i + " string   what flag " + i + " does")
              .collect(Collectors.joining("\n"))
          + "\n\nUse \"executor [command] --help\" for more information about a command.\n";

  @Test
  void kanikoUsageAfterAnEarlyErrorIsDroppedAndTheErrorKept() {
    String log =
        "INFO[0000] active feature flags: FF_X\n"
            + "Error: error resolving source context: authentication required: \n"
            + KANIKO_USAGE;
    BuildState s =
        runner.observe(
            job(false, null, "Failed", "BackoffLimitExceeded", null),
            List.of(pod("Failed", List.of(), List.of(terminated("kaniko", 1, log)))));
    assertThat(s.message())
        .isEqualTo(
            "container kaniko failed (exit code 1): Error: error resolving source context:"
                + " authentication required:");
  }

  @Test
  void kanikoUsageThatFilledTheMessagePointsAtThePodLog() {
    // the kubelet kept the last 2 KB: usage text only
    String kept = KANIKO_USAGE.substring(KANIKO_USAGE.length() - 2048);
    BuildState s =
        runner.observe(
            job(false, null, "Failed", "BackoffLimitExceeded", null),
            List.of(pod("Failed", List.of(), List.of(terminated("kaniko", 1, kept)))));
    assertThat(s.message())
        .startsWith("container kaniko failed (exit code 1): Kaniko stopped before building")
        .endsWith("kubectl logs hello-express-0123456789-x7k2p -c kaniko")
        .doesNotContain("--flag-");
  }

  @Test
  void longLogTailIsCappedAtOneThousandCharacters() {
    String log = "x".repeat(5000);
    BuildState s =
        runner.observe(
            job(false, null, "Failed", "BackoffLimitExceeded", null),
            List.of(pod("Failed", List.of(), List.of(terminated("kaniko", 1, log)))));
    String tail = s.message().substring(s.message().indexOf(": ") + 2);
    assertThat(tail).hasSize(1000).startsWith("…");
  }

  @Test
  void failedSingleStageContainer() {
    BuildState s =
        runner.observe(
            job(true, null, "Failed", "BackoffLimitExceeded", null),
            List.of(
                pod(
                    "Failed",
                    List.of(),
                    List.of(
                        terminated("kaniko", 0, DIGEST),
                        terminated("kaniko-single-stage", 137, "OOMKilled")))));
    assertThat(s.phase()).isEqualTo(Phase.FAILED);
    assertThat(s.message()).startsWith("container kaniko-single-stage failed (exit code 137)");
  }

  @Test
  void failedInitContainer() {
    BuildState s =
        runner.observe(
            job(false, null, "Failed", "BackoffLimitExceeded", null),
            List.of(
                pod(
                    "Failed",
                    List.of(
                        terminated(
                            "prepare-context",
                            1,
                            "cp: can't create '/workspace/x': Read-only file system")),
                    List.of(waiting("kaniko", "PodInitializing", null)))));
    assertThat(s.message())
        .isEqualTo(
            "container prepare-context failed (exit code 1): cp: can't create '/workspace/x': Read-only file system");
  }

  @Test
  void failedWithoutPodsUsesTheJobCondition() {
    BuildState s =
        runner.observe(
            job(
                false,
                null,
                "Failed",
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit"),
            List.of());
    assertThat(s.phase()).isEqualTo(Phase.FAILED);
    assertThat(s.message())
        .isEqualTo("BackoffLimitExceeded: Job has reached the specified backoff limit");
    assertThat(s.completionTime()).isEqualTo(END);
  }

  // ------------------------------------------------------------------ running / pending

  @Test
  void runningPod() {
    BuildState s =
        runner.observe(
            job(false, 1, null, null, null),
            List.of(
                pod(
                    "Running",
                    List.of(terminated("prepare-context", 0, null)),
                    List.of(running("kaniko")))));
    assertThat(s).isEqualTo(new BuildState(Phase.RUNNING, null, null, null, START, null));
  }

  @Test
  void initContainerRunningCountsAsRunning() {
    BuildState s =
        runner.observe(
            job(false, 1, null, null, null),
            List.of(
                pod(
                    "Pending",
                    List.of(running("prepare-context")),
                    List.of(waiting("kaniko", "PodInitializing", null)))));
    assertThat(s.phase()).isEqualTo(Phase.RUNNING);
  }

  @Test
  void activeJobWithoutObservedPodsIsRunning() {
    assertThat(runner.observe(job(false, 1, null, null, null), List.of()).phase())
        .isEqualTo(Phase.RUNNING);
  }

  @Test
  void freshJobIsPending() {
    BuildState s = runner.observe(job(false, null, null, null, null), List.of());
    assertThat(s).isEqualTo(new BuildState(Phase.PENDING, null, null, null, START, null));
  }

  @Test
  void missingPushSecretIsSurfaced() {
    BuildState s =
        runner.observe(
            job(false, 1, null, null, null),
            List.of(
                pod(
                    "Pending",
                    List.of(),
                    List.of(
                        waiting(
                            "kaniko",
                            "CreateContainerConfigError",
                            "secret \"git-creds\" not found")))));
    assertThat(s.phase()).isEqualTo(Phase.PENDING);
    assertThat(s.message())
        .isEqualTo(
            "container kaniko is waiting: CreateContainerConfigError: secret \"git-creds\" not found");
  }

  @Test
  void imagePullBackOffIsSurfaced() {
    BuildState s =
        runner.observe(
            job(false, 1, null, null, null),
            List.of(
                pod(
                    "Pending",
                    List.of(
                        waiting(
                            "prepare-context",
                            "ImagePullBackOff",
                            "Back-off pulling image \"busybox:1.37.0\"")),
                    List.of(waiting("kaniko", "PodInitializing", null)))));
    assertThat(s.phase()).isEqualTo(Phase.PENDING);
    assertThat(s.message()).startsWith("container prepare-context is waiting: ImagePullBackOff");
  }

  @Test
  void errImagePullIsSurfaced() {
    BuildState s =
        runner.observe(
            job(false, 1, null, null, null),
            List.of(
                pod(
                    "Pending",
                    List.of(),
                    List.of(waiting("kaniko", "ErrImagePull", "not found")))));
    assertThat(s.message()).isEqualTo("container kaniko is waiting: ErrImagePull: not found");
  }

  @Test
  void unschedulablePodIsSurfaced() {
    Pod p =
        new PodBuilder()
            .withNewStatus()
            .withPhase("Pending")
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .withMessage("0/3 nodes are available: 3 Insufficient memory.")
            .endCondition()
            .endStatus()
            .build();
    BuildState s = runner.observe(job(false, 1, null, null, null), List.of(p));
    assertThat(s.phase()).isEqualTo(Phase.PENDING);
    assertThat(s.message())
        .isEqualTo("pod not scheduled: 0/3 nodes are available: 3 Insufficient memory.");
  }

  @Test
  void ourOwnFailureLinesGoFirstEvenWhenTheBuilderEchoesTheRunAfterThem() {
    String log =
        "STEP 2/2: RUN set -eu; if [ -z \"$node_bin\" ]; then echo \"leanode: error: x\" >&2\n"
            + "leanode: error: runtime minimal: the base image has no node on PATH\n"
            + "Error: building at STEP \"RUN set -eu; "
            + "x".repeat(3000)
            + "\"\n";
    assertThat(KanikoJobObserver.leanodeLines(log))
        .isEqualTo("leanode: error: runtime minimal: the base image has no node on PATH");
    assertThat(KanikoJobObserver.leanodeLines("npm ERR! 404\nleanode: fastify is x.js\n"))
        .isEmpty();
  }
}

package dev.leanode.build;

import static dev.leanode.build.KanikoBuildRunner.CONTAINER;
import static dev.leanode.build.KanikoBuildRunner.INIT_CONTAINER;
import static dev.leanode.build.KanikoBuildRunner.SINGLE_STAGE_CONTAINER;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Kaniko build Job and its pods → {@link BuildState} (the Job → conditions truth table's input):
 * digests from the termination messages, the failing container's log tail, waiting and scheduling
 * problems.
 */
final class KanikoJobObserver {
  static final int LOG_TAIL_LINES = 20;
  static final int LOG_TAIL_CHARS = 1000;

  private static final Pattern DIGEST = Pattern.compile("^sha256:[0-9a-f]{64}$");
  private static final Set<String> STUCK_REASONS =
      Set.of(
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError",
          "RunContainerError");

  private KanikoJobObserver() {}

  static BuildState observe(Job job, List<Pod> pods) {
    List<Pod> podList = pods == null ? List.of() : pods;
    var status = job.getStatus();
    String start = status == null ? null : status.getStartTime();
    String completion = status == null ? null : status.getCompletionTime();

    Optional<JobCondition> complete = condition(job, "Complete");
    if (complete.isPresent()) {
      String end = completion != null ? completion : complete.get().getLastTransitionTime();
      Optional<String> digest = terminatedMessage(podList, CONTAINER, true);
      if (digest.isEmpty() || !DIGEST.matcher(digest.get()).matches()) {
        return new BuildState(
            BuildState.Phase.FAILED,
            null,
            null,
            "build succeeded but no digest in termination message of container " + CONTAINER,
            start,
            end);
      }
      String single = null;
      if (hasContainer(job, SINGLE_STAGE_CONTAINER)) {
        Optional<String> s = terminatedMessage(podList, SINGLE_STAGE_CONTAINER, true);
        if (s.isEmpty() || !DIGEST.matcher(s.get()).matches()) {
          return new BuildState(
              BuildState.Phase.FAILED,
              digest.get(),
              null,
              "build succeeded but no digest in termination message of container "
                  + SINGLE_STAGE_CONTAINER,
              start,
              end);
        }
        single = s.get();
      }
      return new BuildState(BuildState.Phase.SUCCEEDED, digest.get(), single, null, start, end);
    }

    Optional<JobCondition> failed = condition(job, "Failed");
    if (failed.isPresent()) {
      String end = failed.get().getLastTransitionTime();
      if ("DeadlineExceeded".equals(failed.get().getReason())) {
        long deadline =
            job.getSpec() == null || job.getSpec().getActiveDeadlineSeconds() == null
                ? 0
                : job.getSpec().getActiveDeadlineSeconds();
        String msg =
            deadline > 0
                ? "build exceeded its timeout of "
                    + Duration.ofSeconds(deadline).toString().substring(2).toLowerCase(Locale.ROOT)
                : "build exceeded its timeout";
        return new BuildState(BuildState.Phase.TIMED_OUT, null, null, msg, start, end);
      }
      return new BuildState(
          BuildState.Phase.FAILED, null, null, failureMessage(failed.get(), podList), start, end);
    }

    boolean running =
        podList.stream()
            .anyMatch(
                p ->
                    p.getStatus() != null
                        && ("Running".equals(p.getStatus().getPhase())
                            || statuses(p).stream()
                                .anyMatch(
                                    cs ->
                                        cs.getState() != null
                                            && cs.getState().getRunning() != null)));
    if (running) {
      return new BuildState(BuildState.Phase.RUNNING, null, null, null, start, null);
    }
    Optional<String> stuck = waitingProblem(podList);
    if (stuck.isPresent()) {
      return new BuildState(BuildState.Phase.PENDING, null, null, stuck.get(), start, null);
    }
    boolean active = status != null && status.getActive() != null && status.getActive() > 0;
    if (active && podList.isEmpty()) {
      return new BuildState(BuildState.Phase.RUNNING, null, null, null, start, null);
    }
    return new BuildState(
        BuildState.Phase.PENDING, null, null, unschedulable(podList), start, null);
  }

  private static Optional<JobCondition> condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst();
  }

  private static boolean hasContainer(Job job, String name) {
    try {
      return job.getSpec().getTemplate().getSpec().getContainers().stream()
          .anyMatch(c -> name.equals(c.getName()));
    } catch (NullPointerException e) {
      return false;
    }
  }

  private static List<ContainerStatus> statuses(Pod pod) {
    List<ContainerStatus> all = new ArrayList<>();
    if (pod.getStatus() != null) {
      if (pod.getStatus().getInitContainerStatuses() != null) {
        all.addAll(pod.getStatus().getInitContainerStatuses());
      }
      if (pod.getStatus().getContainerStatuses() != null) {
        all.addAll(pod.getStatus().getContainerStatuses());
      }
    }
    return all;
  }

  private static Optional<ContainerStateTerminated> terminated(
      Pod pod, String container, boolean init) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    List<ContainerStatus> list =
        init ? pod.getStatus().getInitContainerStatuses() : pod.getStatus().getContainerStatuses();
    if (list == null) {
      return Optional.empty();
    }
    return list.stream()
        .filter(cs -> container.equals(cs.getName()))
        .map(ContainerStatus::getState)
        .filter(Objects::nonNull)
        .map(ContainerState::getTerminated)
        .filter(Objects::nonNull)
        .findFirst();
  }

  /** The trimmed termination message of a container that exited (with 0 when successOnly). */
  private static Optional<String> terminatedMessage(
      List<Pod> pods, String container, boolean successOnly) {
    return pods.stream()
        .map(p -> terminated(p, container, false))
        .flatMap(Optional::stream)
        .filter(t -> !successOnly || Integer.valueOf(0).equals(t.getExitCode()))
        .map(ContainerStateTerminated::getMessage)
        .filter(Objects::nonNull)
        .map(String::trim)
        .filter(m -> !m.isEmpty())
        .findFirst();
  }

  private static String failureMessage(JobCondition failed, List<Pod> pods) {
    for (String container : List.of(CONTAINER, SINGLE_STAGE_CONTAINER)) {
      for (Pod pod : pods) {
        Optional<ContainerStateTerminated> t = terminated(pod, container, false);
        if (t.isPresent() && !Integer.valueOf(0).equals(t.get().getExitCode())) {
          return describe(container, t.get(), pod);
        }
      }
    }
    for (String init : List.of(INIT_CONTAINER, NpmrcVolumes.INIT_CONTAINER)) {
      for (Pod pod : pods) {
        Optional<ContainerStateTerminated> t = terminated(pod, init, true);
        if (t.isPresent() && !Integer.valueOf(0).equals(t.get().getExitCode())) {
          return describe(init, t.get(), pod);
        }
      }
    }
    for (Pod pod : pods) {
      if (pod.getStatus() != null && pod.getStatus().getMessage() != null) {
        return tail(pod.getStatus().getMessage()); // e.g. evicted
      }
    }
    String reason = failed.getReason() == null ? "" : failed.getReason() + ": ";
    String message = failed.getMessage() == null ? "build Job failed" : failed.getMessage();
    return tail(reason + message);
  }

  private static String describe(String container, ContainerStateTerminated t, Pod pod) {
    StringBuilder sb = new StringBuilder("container ").append(container).append(" failed");
    if (t.getExitCode() != null) {
      sb.append(" (exit code ").append(t.getExitCode());
      if (t.getReason() != null && !"Error".equals(t.getReason())) {
        sb.append(", ").append(t.getReason());
      }
      sb.append(')');
    }
    if (t.getMessage() != null && !t.getMessage().isBlank()) {
      String podName = pod.getMetadata() == null ? null : pod.getMetadata().getName();
      String log = withoutKanikoUsage(t.getMessage(), podName, container);
      String ours = leanodeLines(log);
      sb.append(": ").append(ours.isEmpty() ? tail(log) : ours + " | log tail: " + tail(log));
    }
    return sb.toString();
  }

  /**
   * The lines our own build scripts print when they stop a build on purpose ({@code leanode: error:
   * …}, e.g. "runtime minimal: the base image has no node on PATH"), at most three, joined: they go
   * first, since a builder may echo the whole failed RUN after them (buildah does) and push them
   * out of the tail.
   */
  static String leanodeLines(String log) {
    return log.lines()
        .map(String::strip)
        .filter(l -> l.startsWith("leanode: error: "))
        .distinct()
        .limit(3)
        .map(l -> l.length() > 300 ? l.substring(0, 299) + "…" : l)
        .collect(java.util.stream.Collectors.joining(" "));
  }

  private static final String KANIKO_USAGE_START = "Usage:\n  executor [flags]";
  private static final String KANIKO_USAGE_END = "Use \"executor [command] --help\"";

  /**
   * Real Kaniko prints its whole command usage (~9 KB, 80+ lines) after an error found before the
   * build starts (context, Dockerfile path, cache flags, secrets: "Error: error resolving source
   * context: authentication required"), so the kubelet's log tail (2 KB / 80 lines) holds only the
   * usage. Keep the error line when it survived, otherwise say where the error is.
   */
  static String withoutKanikoUsage(String message, String pod, String container) {
    if (!message.contains(KANIKO_USAGE_END)) {
      return message;
    }
    int start = message.indexOf(KANIKO_USAGE_START);
    String before = start < 0 ? "" : message.substring(0, start);
    int error = before.lastIndexOf("Error: ");
    if (error >= 0) {
      return before.substring(error).strip();
    }
    return "Kaniko stopped before building and printed its usage; the error above it did not fit"
        + " in the termination message: kubectl logs "
        + (pod == null ? "<build pod>" : pod)
        + " -c "
        + container;
  }

  /** The last 20 lines, at most 1,000 characters: enough to see Kaniko's error. */
  static String tail(String text) {
    String trimmed = text.strip();
    String[] lines = trimmed.split("\r?\n", -1);
    String out =
        lines.length <= LOG_TAIL_LINES
            ? trimmed
            : String.join(
                "\n", List.of(lines).subList(lines.length - LOG_TAIL_LINES, lines.length));
    if (out.length() > LOG_TAIL_CHARS) {
      out = "…" + out.substring(out.length() - (LOG_TAIL_CHARS - 1));
    }
    return out;
  }

  private static Optional<String> waitingProblem(List<Pod> pods) {
    for (Pod pod : pods) {
      for (ContainerStatus cs : statuses(pod)) {
        if (cs.getState() != null
            && cs.getState().getWaiting() != null
            && STUCK_REASONS.contains(cs.getState().getWaiting().getReason())) {
          var w = cs.getState().getWaiting();
          String msg = "container " + cs.getName() + " is waiting: " + w.getReason();
          if (w.getMessage() != null && !w.getMessage().isBlank()) {
            msg += ": " + tail(w.getMessage());
          }
          return Optional.of(msg);
        }
      }
    }
    return Optional.empty();
  }

  private static String unschedulable(List<Pod> pods) {
    for (Pod pod : pods) {
      if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
        for (var c : pod.getStatus().getConditions()) {
          if ("PodScheduled".equals(c.getType())
              && "False".equals(c.getStatus())
              && c.getMessage() != null) {
            return "pod not scheduled: " + tail(c.getMessage());
          }
        }
      }
    }
    return null;
  }
}

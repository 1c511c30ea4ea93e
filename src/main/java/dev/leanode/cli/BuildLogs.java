package dev.leanode.cli;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.status.Reason;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The logs of one build of a NodeAppImage, as {@code leanode logs} prints them: its Job (the
 * current build from {@code status.build.job}, or one named), that Job's newest pod, and the pod's
 * init containers then its Kaniko containers, in order, each read through the API server's {@code
 * pods/log} (the kubelet's log). Following waits for each container to start, as a user running
 * {@code kubectl logs -f} in a loop would.
 */
final class BuildLogs {
  /**
   * The kubelet's answer for a container that has not started yet (a 404 when the node has not
   * admitted the pod yet).
   */
  private static final String WAITING = "is waiting to start";

  private static final java.util.Set<String> WAITING_REASONS =
      java.util.Set.of(Reason.PENDING.reason(), Reason.QUEUED.reason());

  private static final Duration POLL = Duration.ofMillis(500);

  /** How long {@code -f} waits for the operator to start a first build. */
  private static final Duration FIRST_BUILD = Duration.ofMinutes(2);

  private final KubernetesClient client;
  private final String namespace;
  private final PrintWriter notes;

  BuildLogs(KubernetesClient client, String namespace, PrintWriter notes) {
    this.client = client;
    this.namespace = namespace;
    this.notes = notes;
  }

  /** A user-facing failure: printed as {@code error: …}, exit code 1 (as kubectl's). */
  static final class Failure extends Exception {
    Failure(String message) {
      super(message);
    }
  }

  /**
   * Prints the build's logs to {@code out}; with {@code follow}, until the pod's containers end.
   */
  void print(String name, String buildJob, boolean follow, OutputStream out)
      throws Failure, IOException, InterruptedException {
    NodeAppImage r =
        client.resources(NodeAppImage.class).inNamespace(namespace).withName(name).get();
    if (r == null) {
      throw new Failure(
          "nodeappimages.leanode.dev \"" + name + "\" not found in namespace " + namespace);
    }
    String job = buildJob != null ? buildJob : currentJob(r);
    if (job == null && follow) {
      notes.println("waiting for the operator to start a build of " + name + "...");
      notes.flush();
      long until = System.nanoTime() + FIRST_BUILD.toNanos();
      while (job == null && System.nanoTime() < until && mayStartABuild(r)) {
        Thread.sleep(POLL.toMillis());
        r = client.resources(NodeAppImage.class).inNamespace(namespace).withName(name).get();
        if (r == null) {
          throw new Failure("nodeappimages.leanode.dev \"" + name + "\" was deleted");
        }
        job = currentJob(r);
      }
    }
    if (job == null) {
      throw new Failure(
          "nodeappimage " + name + " has no build yet; status recorded: " + recorded(r));
    }
    Job j = client.batch().v1().jobs().inNamespace(namespace).withName(job).get();
    if (buildJob != null && j != null && !ownedBy(j, r)) {
      throw new Failure("job " + job + " is not a build of nodeappimage " + name);
    }
    Pod pod = awaitPod(r, job, j, follow);
    if (pod == null) {
      throw new Failure(
          "the build pod of job "
              + job
              + " is gone (removed with its Job after ttlSecondsAfterFinished, or by the operator's"
              + " retention of finished builds); status recorded: "
              + recorded(r));
    }
    for (Container c : containers(pod)) {
      notes.println(
          "==> " + pod.getMetadata().getName() + " " + kind(pod, c) + " " + c.getName() + " <==");
      notes.flush();
      if (!printContainer(pod.getMetadata().getName(), c.getName(), follow, out)) {
        notes.println("(container " + c.getName() + " has not run)");
        notes.flush();
        break;
      }
    }
  }

  /** Nothing has decided against a build yet: no status, or Ready waiting (Pending, Queued). */
  private static boolean mayStartABuild(NodeAppImage r) {
    return r.getStatus() == null
        || r.getStatus()
            .condition("Ready")
            .map(c -> WAITING_REASONS.contains(c.getReason()))
            .orElse(true);
  }

  private static String currentJob(NodeAppImage r) {
    return r.getStatus() == null || r.getStatus().getBuild() == null
        ? null
        : r.getStatus().getBuild().getJob();
  }

  private static boolean ownedBy(Job j, NodeAppImage r) {
    return j.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> o.getUid().equals(r.getMetadata().getUid()));
  }

  /** The Job's newest pod; while following a Job that has not finished, waits for one. */
  private Pod awaitPod(NodeAppImage r, String job, Job j, boolean follow)
      throws InterruptedException {
    while (true) {
      Optional<Pod> pod =
          client.pods().inNamespace(namespace).withLabel("job-name", job).list().getItems().stream()
              .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
              .max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()));
      if (pod.isPresent()) {
        return pod.get();
      }
      if (!follow || j == null || finished(j)) {
        return null;
      }
      Thread.sleep(POLL.toMillis());
      j = client.batch().v1().jobs().inNamespace(namespace).withName(job).get();
    }
  }

  private static boolean finished(Job j) {
    return j.getStatus() != null
        && j.getStatus().getConditions().stream()
            .anyMatch(
                c ->
                    ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
                        && "True".equals(c.getStatus()));
  }

  private static List<Container> containers(Pod pod) {
    return Stream.concat(
            pod.getSpec().getInitContainers().stream(), pod.getSpec().getContainers().stream())
        .toList();
  }

  private static String kind(Pod pod, Container c) {
    return pod.getSpec().getInitContainers().contains(c) ? "init container" : "container";
  }

  /**
   * One container's log; false when it never ran (an init container failed before it). Following a
   * container that has not started yet waits for it while the pod runs.
   */
  private boolean printContainer(String pod, String container, boolean follow, OutputStream out)
      throws IOException, InterruptedException {
    while (true) {
      try {
        var log =
            client
                .pods()
                .inNamespace(namespace)
                .withName(pod)
                .inContainer(container)
                .withReadyWaitTimeout(0);
        if (!follow) {
          out.write(log.getLog().getBytes(java.nio.charset.StandardCharsets.UTF_8));
          out.flush();
          return true;
        }
        try (LogWatch watch = log.watchLog();
            InputStream in = watch.getOutput()) {
          in.transferTo(new FlushingStream(out));
        }
        return true;
      } catch (KubernetesClientException e) {
        boolean notYet =
            e.getCode() == 404 || (e.getMessage() != null && e.getMessage().contains(WAITING));
        if (!notYet) {
          throw e;
        }
        Pod now = client.pods().inNamespace(namespace).withName(pod).get();
        if (!follow || now == null || terminal(now) || failedInitBefore(now, container)) {
          return false;
        }
        Thread.sleep(POLL.toMillis());
      }
    }
  }

  private static boolean terminal(Pod p) {
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private static boolean failedInitBefore(Pod p, String container) {
    if (p.getStatus() == null) {
      return false;
    }
    List<ContainerStatus> init = new ArrayList<>(p.getStatus().getInitContainerStatuses());
    return init.stream()
        .anyMatch(
            s ->
                !s.getName().equals(container)
                    && s.getState() != null
                    && s.getState().getTerminated() != null
                    && s.getState().getTerminated().getExitCode() != 0);
  }

  /** What the status says about the outcome, for when there is no log to show. */
  static String recorded(NodeAppImage r) {
    if (r.getStatus() == null) {
      return "nothing yet (the operator has not seen it)";
    }
    StringBuilder s = new StringBuilder();
    for (String type : List.of("Ready", "Building")) {
      Optional<Condition> c = r.getStatus().condition(type);
      c.ifPresent(
          x -> {
            if (!s.isEmpty()) {
              s.append("; ");
            }
            s.append(x.getType()).append('=').append(x.getStatus());
            if (x.getReason() != null) {
              s.append(' ').append(x.getReason());
            }
            if (x.getMessage() != null && !x.getMessage().isBlank()) {
              s.append(": ").append(x.getMessage().strip());
            }
          });
    }
    var out = r.getStatus().getOutput();
    if (out != null && out.getDigest() != null) {
      s.append("; image ").append(out.getImage()).append('@').append(out.getDigest());
      if (out.getSize() != null) {
        s.append(" (").append(out.getSize()).append(')');
      }
    }
    return s.isEmpty() ? "no conditions" : s.toString();
  }

  /** Passes bytes on and flushes after each read, so a follower sees lines as they come. */
  private static final class FlushingStream extends OutputStream {
    private final OutputStream out;

    FlushingStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      out.flush();
    }
  }
}

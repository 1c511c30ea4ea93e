package dev.leanode.e2e;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.DaemonEndpoint;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeDaemonEndpoints;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * The kubelet's part, and the scheduler's one line of it, for a real API server with a real Job
 * controller: it binds unscheduled pods to its Node, runs their containers with the {@link
 * KanikoStandIn}'s executor (init containers, volumes laid out with the kubelet's {@code ..data}
 * symlinks, the termination-message file, {@code activeDeadlineSeconds}), and writes the pod's
 * status back as the kubelet would: phase, conditions, init and container statuses with exit codes
 * and termination messages. The real Job controller turns that into the Job's status.
 *
 * <p>It refuses loudly what it does not implement: a pod the stand-in cannot run ends {@code
 * Failed} with the reason in its container status, and in {@link #errors()}, which every test
 * asserts empty. Pods that get a deletion timestamp are removed with grace period 0 once nothing of
 * theirs runs any more, as the kubelet confirms a deletion (a running build is not killed: the
 * stand-in's processes have their own timeout, see {@link KanikoStandIn#ASSUMPTIONS}). Pods of
 * other controllers (a Deployment's) are run by {@link PodmanPodRunner}, as the kubelet would.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NodeAgent.class);

  private final KubernetesClient client;
  private final String nodeName;
  private final KanikoStandIn runner;
  private final PodmanPodRunner pods;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private SharedIndexInformer<Pod> informer;
  private Path kubeletPki;
  private KubeletLogServer logServer;

  public NodeAgent(KubernetesClient client, String nodeName, Path workRoot, Duration maxBuild) {
    this.client = client;
    this.nodeName = nodeName;
    this.runner = new KanikoStandIn(client, workRoot, maxBuild);
    this.pods = new PodmanPodRunner(client, workRoot, runner.logs());
  }

  /**
   * The local playground's kubelet ({@code hack/node-agent.sh}): runs until killed, against the
   * cluster of {@code $KUBECONFIG}, on the Node of {@code $LEANODE_TEST_NODE_NAME}.
   */
  public static void main(String[] args) throws InterruptedException {
    var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().build();
    String node = System.getenv().getOrDefault("LEANODE_TEST_NODE_NAME", "leanode-node");
    Path work = Path.of(args.length > 0 ? args[0] : "/tmp/leanode-ci/node-agent");
    Path pki = Path.of(System.getenv().getOrDefault("LEANODE_TEST_CLUSTER_DIR", "")).resolve("pki");
    NodeAgent configured = new NodeAgent(client, node, work, Duration.ofMinutes(30));
    if (java.nio.file.Files.isRegularFile(pki.resolve("kubelet.crt"))) {
      configured.servingLogs(pki);
    }
    try (NodeAgent agent = configured.start()) {
      LOG.infof("node agent running pods of node %s (work dir %s)", node, work);
      while (true) {
        Thread.sleep(Duration.ofSeconds(30).toMillis());
        agent.errors().forEach(e -> LOG.warn(e));
        agent.forgetErrors(e -> true);
      }
    }
  }

  /**
   * Also answers the kubelet's log endpoint ({@link KubeletLogServer}, certificates from {@code
   * pki}), so {@code kubectl logs} works through the API server.
   */
  public NodeAgent servingLogs(Path pki) {
    this.kubeletPki = pki;
    return this;
  }

  /** Marks the Node Ready and starts watching pods in every namespace. */
  public NodeAgent start() {
    Tools.requireRealBuildTools();
    if (kubeletPki != null) {
      logServer = new KubeletLogServer(runner.logs(), kubeletPki);
    }
    markNodeReady();
    informer =
        client
            .pods()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    handle(pod);
                  }

                  @Override
                  public void onUpdate(Pod oldPod, Pod pod) {
                    handle(pod);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    // nothing left to stop: a deleted pod's build, if any, ends on its own
                    runner
                        .logs()
                        .forget(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
                    if (PodmanPodRunner.owns(pod)) {
                      pods.forget(pod);
                    }
                  }
                });
    return this;
  }

  /** Problems found in pods or in the agent itself (and the stand-in's); tests assert empty. */
  public List<String> errors() {
    List<String> all = new ArrayList<>(errors);
    all.addAll(runner.errors());
    all.addAll(pods.errors());
    return all;
  }

  /** The runner of ordinary (non-Job) pods: which podman container runs a pod. */
  public PodmanPodRunner pods() {
    return pods;
  }

  /** Every Kaniko container the agent ran, in order. */
  public List<KanikoStandIn.Build> builds() {
    return runner.builds();
  }

  /** Drops expected errors (a test that provokes one on purpose). */
  public void forgetErrors(java.util.function.Predicate<String> which) {
    errors.removeIf(which);
    runner.forgetErrors(which);
    pods.forgetErrors(which);
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    executor.shutdownNow();
    runner.close();
    if (logServer != null) {
      logServer.close();
    }
    pods.close();
  }

  private void markNodeReady() {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    client
        .nodes()
        .withName(nodeName)
        .editStatus(
            (UnaryOperator<Node>)
                n -> {
                  n.getStatus()
                      .setConditions(
                          List.of(
                              new NodeConditionBuilder()
                                  .withType("Ready")
                                  .withStatus("True")
                                  .withReason("KubeletReady")
                                  .withMessage("leanode test node agent is posting ready status")
                                  .withLastHeartbeatTime(now)
                                  .withLastTransitionTime(now)
                                  .build()));
                  n.getStatus().setAddresses(List.of());
                  if (logServer != null) {
                    // where the API server dials the kubelet (pods/log)
                    n.getStatus().setAddresses(List.of(new NodeAddress("127.0.0.1", "InternalIP")));
                    n.getStatus()
                        .setDaemonEndpoints(
                            new NodeDaemonEndpoints(new DaemonEndpoint(logServer.port())));
                  }
                  return n;
                });
  }

  private void handle(Pod pod) {
    var md = pod.getMetadata();
    String key = md.getNamespace() + "/" + md.getName();
    try {
      if (PodmanPodRunner.owns(pod) && nodeName.equals(pod.getSpec().getNodeName())) {
        pods.sync(pod); // a Deployment's pod: run as the kubelet would, not as a build
        return;
      }
      if (md.getDeletionTimestamp() != null) {
        if (nodeName.equals(pod.getSpec().getNodeName()) && !running.contains(md.getUid())) {
          // the kubelet's confirmation that nothing of the pod runs any more
          client
              .pods()
              .inNamespace(md.getNamespace())
              .withName(md.getName())
              .withGracePeriod(0)
              .delete();
        }
        return;
      }
      String node = pod.getSpec().getNodeName();
      if (node == null || node.isEmpty()) {
        String scheduler = pod.getSpec().getSchedulerName();
        if (scheduler == null || scheduler.equals("default-scheduler")) {
          bind(pod);
        }
        return;
      }
      if (!nodeName.equals(node)) {
        return;
      }
      String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
      if ((phase == null || phase.equals("Pending")) && seen.add(md.getUid())) {
        running.add(md.getUid());
        executor.submit(() -> run(pod));
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 409) {
        errors.add(key + ": node agent failed to talk to the API server: " + e.getMessage());
      }
    }
  }

  private void bind(Pod pod) {
    var md = pod.getMetadata();
    client
        .bindings()
        .inNamespace(md.getNamespace())
        .resource(
            new BindingBuilder()
                .withNewMetadata()
                .withName(md.getName())
                .withNamespace(md.getNamespace())
                .withUid(md.getUid())
                .endMetadata()
                .withNewTarget()
                .withApiVersion("v1")
                .withKind("Node")
                .withName(nodeName)
                .endTarget()
                .build())
        .create();
  }

  private void run(Pod pod) {
    var md = pod.getMetadata();
    String ns = md.getNamespace();
    String name = md.getName();
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    try {
      writeStatus(pod, s -> running(s, pod, start));
      KanikoStandIn.PodRun run;
      try {
        run =
            runner.runPod(new KanikoStandIn.Owner(ns, ownerName(pod)), name, pod.getSpec(), start);
      } catch (KanikoStandIn.Unsupported u) {
        errors.add(ns + "/" + name + ": node agent: unsupported " + u.getMessage());
        writeStatus(pod, s -> refused(s, pod, "node agent: unsupported " + u.getMessage()));
        return;
      }
      writeStatus(pod, s -> finished(s, pod, start, run));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        LOG.infof("node agent: %s/%s was deleted while it ran", ns, name);
      } else {
        errors.add(ns + "/" + name + ": node agent failed to talk to the API server: " + e);
      }
    } catch (Throwable t) {
      LOG.errorf(t, "node agent crashed on %s/%s", ns, name);
      errors.add(ns + "/" + name + ": node agent crashed: " + t);
    } finally {
      running.remove(md.getUid());
      Pod now = client.pods().inNamespace(ns).withName(name).get();
      if (now != null && now.getMetadata().getDeletionTimestamp() != null) {
        handle(now);
      }
    }
  }

  /** The Job's name from the pod's controller reference: what builds are recorded under. */
  private static String ownerName(Pod pod) {
    return pod.getMetadata().getOwnerReferences() == null
        ? pod.getMetadata().getName()
        : pod.getMetadata().getOwnerReferences().stream()
            .filter(o -> Boolean.TRUE.equals(o.getController()) && "Job".equals(o.getKind()))
            .map(o -> o.getName())
            .findFirst()
            .orElse(pod.getMetadata().getName());
  }

  private void writeStatus(Pod pod, UnaryOperator<PodStatus> change) {
    var md = pod.getMetadata();
    client
        .pods()
        .inNamespace(md.getNamespace())
        .withName(md.getName())
        .editStatus(
            (UnaryOperator<Pod>)
                p -> {
                  p.setStatus(
                      change.apply(p.getStatus() == null ? new PodStatus() : p.getStatus()));
                  return p;
                });
  }

  private static PodStatus running(PodStatus s, Pod pod, Instant start) {
    String t = start.toString();
    List<ContainerStatus> init = new ArrayList<>();
    for (var c : nn(pod.getSpec().getInitContainers())) {
      init.add(waiting(c.getName(), c.getImage(), "PodInitializing"));
    }
    List<ContainerStatus> cs = new ArrayList<>();
    for (var c : pod.getSpec().getContainers()) {
      cs.add(waiting(c.getName(), c.getImage(), "PodInitializing"));
    }
    return new PodStatusBuilder(s)
        .withPhase("Running")
        .withHostIP("127.0.0.1")
        .withHostIPs(List.of(new io.fabric8.kubernetes.api.model.HostIP("127.0.0.1")))
        .withPodIP("127.0.0.1")
        .withPodIPs(List.of(new io.fabric8.kubernetes.api.model.PodIP("127.0.0.1")))
        .withStartTime(t)
        .withConditions(
            cond("PodScheduled", "True", t),
            cond(
                "Initialized",
                nn(pod.getSpec().getInitContainers()).isEmpty() ? "True" : "False",
                t),
            cond("ContainersReady", "False", t),
            cond("Ready", "False", t))
        .withInitContainerStatuses(init)
        .withContainerStatuses(cs)
        .build();
  }

  private static PodStatus finished(PodStatus s, Pod pod, Instant start, KanikoStandIn.PodRun run) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    List<ContainerStatus> init = new ArrayList<>();
    for (var c : nn(pod.getSpec().getInitContainers())) {
      init.add(
          withImage(
              run.initStatuses()
                  .getOrDefault(c.getName(), waiting(c.getName(), c.getImage(), "PodInitializing")),
              c.getImage(),
              start));
    }
    List<ContainerStatus> cs = new ArrayList<>();
    for (var c : pod.getSpec().getContainers()) {
      cs.add(
          withImage(
              run.statuses()
                  .getOrDefault(c.getName(), waiting(c.getName(), c.getImage(), "PodInitializing")),
              c.getImage(),
              start));
    }
    boolean initialized =
        run.statuses().size() > 0 || nn(pod.getSpec().getInitContainers()).isEmpty();
    return new PodStatusBuilder(s)
        .withPhase(run.ok() ? "Succeeded" : "Failed")
        .withConditions(
            cond("PodScheduled", "True", start.toString()),
            cond("Initialized", initialized ? "True" : "False", now),
            cond("ContainersReady", "False", now),
            cond("Ready", "False", now))
        .withInitContainerStatuses(init)
        .withContainerStatuses(cs)
        .build();
  }

  private static PodStatus refused(PodStatus s, Pod pod, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    List<ContainerStatus> cs = new ArrayList<>();
    for (var c : pod.getSpec().getContainers()) {
      cs.add(
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(c.getImage())
              .withImageID("")
              .withReady(false)
              .withRestartCount(0)
              .withNewState()
              .withNewTerminated()
              .withExitCode(128)
              .withReason("StartError")
              .withMessage(message)
              .withStartedAt(now)
              .withFinishedAt(now)
              .endTerminated()
              .endState()
              .build());
    }
    return new PodStatusBuilder(s).withPhase("Failed").withContainerStatuses(cs).build();
  }

  private static ContainerStatus withImage(ContainerStatus c, String image, Instant start) {
    var b = new ContainerStatusBuilder(c).withImage(image).withImageID("").withStarted(false);
    if (c.getState() != null && c.getState().getTerminated() != null) {
      b.editState().editTerminated().withStartedAt(start.toString()).endTerminated().endState();
      b.withContainerID("leanode-node-agent://" + c.getName());
    }
    return b.build();
  }

  private static ContainerStatus waiting(String name, String image, String reason) {
    return new ContainerStatusBuilder()
        .withName(name)
        .withImage(image)
        .withImageID("")
        .withReady(false)
        .withRestartCount(0)
        .withStarted(false)
        .withNewState()
        .withNewWaiting()
        .withReason(reason)
        .endWaiting()
        .endState()
        .build();
  }

  private static PodCondition cond(String type, String status, String time) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withLastTransitionTime(time)
        .build();
  }

  private static <T> List<T> nn(List<T> l) {
    return l == null ? List.of() : l;
  }
}

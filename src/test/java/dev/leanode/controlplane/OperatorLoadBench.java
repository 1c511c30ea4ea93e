package dev.leanode.controlplane;

import static org.awaitility.Awaitility.await;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.build.Labels;
import dev.leanode.e2e.Proc;
import dev.leanode.e2e.Registry;
import dev.leanode.e2e.Tools;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Load benchmark on the real control plane (hack/cluster.sh), not a test: its name matches neither
 * *Test nor *IT, so normal builds skip it. The operator runs as the packaged artifact in a JVM of
 * its own ({@link OperatorProcess}) with the chart's RBAC, ServiceAccount token and env, and {@code
 * leanode.build.max-concurrent-builds=50}; 1,000 NodeAppImages are created at once. The kubelet's
 * part is an "instant kubelet" in this JVM (the harness): it binds every build pod to the cluster's
 * Node and marks it Succeeded at once, with the digest of one image pushed to the local registry as
 * the Kaniko container's termination message; the real Job controller then completes the Job, and
 * the operator reads the image's size from the real registry.
 *
 * <p>For each JVM configuration (a fresh operator process and a fresh namespace each) it prints:
 * RSS peak (VmHWM), heap peak (the GC log's heap-before-GC maximum, and /q/metrics samples), CPU
 * seconds (utime+stime), CR→Job latency, time until all Ready, the most unfinished build Jobs at
 * once, and start-up time to the first reconciliation. Never fails on a time.
 *
 * <p>Run: see docs/benchmarks.md, section "Load on the real API server". Properties: {@code
 * -Dleanode.bench.resources=N} (1000), {@code -Dleanode.bench.configs=default,it,tuned} (names
 * below, or {@code name=flag flag env:K=V}, separated by {@code ;}).
 */
class OperatorLoadBench {
  static final int RESOURCES = Integer.getInteger("leanode.bench.resources", 1_000);
  static final int LIMIT = 50;
  static final String SEED_IMAGE =
      System.getProperty("leanode.bench.seed-image", "127.0.0.1:5000/library/busybox:1.37.0");
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  static final long CLK_TCK = 100; // getconf CLK_TCK on Linux/x86_64

  /** Named JVM configurations: flags for the java command, env:K=V for the process env. */
  static final Map<String, String> CONFIGS = new LinkedHashMap<>();

  static {
    // JVM ergonomics on the machine: G1, max heap 1/4 of physical RAM
    CONFIGS.put("default", "");
    // what OperatorOnCluster (the ITs) gives the operator
    CONFIGS.put("it", "-Xmx256m");
    // the smallest heap that held 1,000 resources here (live set ~114 MiB); -Xmx96m ran out of heap
    CONFIGS.put(
        "tuned",
        "-Xmx160m -Xss512k -XX:+UseSerialGC -XX:MaxMetaspaceSize=96m"
            + " -XX:ReservedCodeCacheSize=32m -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1"
            + " env:MALLOC_ARENA_MAX=2");
  }

  record Figures(
      String config,
      String flags,
      double readySeconds,
      double firstReconcileSeconds,
      double cpuAtStartSeconds,
      double createAllSeconds,
      double allJobsSeconds,
      double allReadySeconds,
      double p50,
      double p95,
      double p99,
      double max,
      int maxUnfinished,
      int queuedSeen,
      int ready,
      long rssAtStartKb,
      long rssEndKb,
      long rssPeakKb,
      long heapPeakGcMb,
      long liveAfterGcMaxMb,
      long heapCommittedMaxMb,
      long heapPeakSampledBytes,
      long nonHeapPeakSampledBytes,
      int gcCount,
      double cpuSeconds,
      long status422,
      String load) {}

  @Test
  void thousandResourcesOnTheRealApiServer() throws Exception {
    ControlPlane cp = ControlPlane.require();
    KubernetesClient admin = cp.admin();
    cp.applyCrd();
    if (admin.namespaces().withName(OperatorOnCluster.RELEASE_NAMESPACE).get() == null) {
      admin
          .namespaces()
          .resource(
              new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                  .withNewMetadata()
                  .withName(OperatorOnCluster.RELEASE_NAMESPACE)
                  .endMetadata()
                  .build())
          .create();
    }
    List<HasMetadata> chart = cp.installChartRbac(OperatorOnCluster.RELEASE_NAMESPACE, Map.of());
    String sa =
        chart.stream()
            .filter(o -> o.getKind().equals("ServiceAccount"))
            .map(o -> o.getMetadata().getName())
            .findFirst()
            .orElseThrow();
    Path kubeconfig = cp.serviceAccountKubeconfig(OperatorOnCluster.RELEASE_NAMESPACE, sa);
    Map<String, String> chartEnv = OperatorProcess.chartEnv(chart);

    // one image in the local registry; every build "pushes" it (same repository, another tag)
    String repository = Tools.REGISTRY + "/bench-load/app";
    Proc.run(
            Duration.ofMinutes(2),
            "skopeo",
            "copy",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            "docker://" + SEED_IMAGE,
            "docker://" + repository + ":seed")
        .check();
    String digest = Registry.digest(repository + ":seed");
    // the operator resolves node:22-alpine's digest through this registry as a Docker Hub mirror
    String sharedBase = "127.0.0.1:5000/library/node:22-alpine";
    if (!sharedBase.startsWith(Tools.REGISTRY + "/")) {
      Proc.run(
              Duration.ofMinutes(2),
              "skopeo",
              "copy",
              "--src-tls-verify=false",
              "--dest-tls-verify=false",
              "docker://" + sharedBase,
              "docker://" + Tools.REGISTRY + "/library/node:22-alpine")
          .check();
    }

    List<Figures> all = new ArrayList<>();
    for (String spec :
        System.getProperty("leanode.bench.configs", "default,it,tuned").split("[,;]")) {
      String name = spec.contains("=") ? spec.substring(0, spec.indexOf('=')) : spec.trim();
      String flags = spec.contains("=") ? spec.substring(spec.indexOf('=') + 1) : CONFIGS.get(name);
      if (flags == null) {
        throw new IllegalArgumentException("unknown JVM configuration " + name + ": " + CONFIGS);
      }
      Figures f = run(cp, kubeconfig, chartEnv, repository, digest, name, flags.trim());
      all.add(f);
      report(all);
    }
  }

  Figures run(
      ControlPlane cp,
      Path kubeconfig,
      Map<String, String> chartEnv,
      String repository,
      String digest,
      String config,
      String flags)
      throws Exception {
    KubernetesClient admin = cp.admin();
    String ns = cp.newNamespace("bench-load");
    Path logDir = Path.of("target/operator-load-bench");
    Files.createDirectories(logDir);
    Path gcLog = logDir.resolve("gc-" + config + ".log");
    Files.deleteIfExists(gcLog);
    Path opLog = logDir.resolve("operator-" + config + ".log");
    Files.deleteIfExists(opLog);

    NodeAppImage template =
        SERIALIZATION.unmarshal(
            Files.readString(Path.of("examples/express-app.yaml")), NodeAppImage.class);
    template.getMetadata().setNamespace(ns);
    template.getSpec().getOutput().setPushSecretRef(null);
    template.getSpec().getOutput().setInsecure(true);
    template.getSpec().getBuild().setCompareSingleStage(false);

    // --- observers (harness side): Jobs, NodeAppImages
    Map<String, Long> created = new ConcurrentHashMap<>();
    Map<String, Long> jobSeen = new ConcurrentHashMap<>();
    Map<String, Long> firstStatus = new ConcurrentHashMap<>();
    Set<String> unfinished = ConcurrentHashMap.newKeySet();
    AtomicInteger maxUnfinished = new AtomicInteger();
    Set<String> queuedSeen = ConcurrentHashMap.newKeySet();
    Set<String> readySeen = ConcurrentHashMap.newKeySet();
    Set<String> failedSeen = ConcurrentHashMap.newKeySet();
    Watch jobWatch =
        admin
            .batch()
            .v1()
            .jobs()
            .inNamespace(ns)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Job job) {
                    String name = job.getMetadata().getName();
                    String owner =
                        job.getSpec()
                            .getTemplate()
                            .getMetadata()
                            .getAnnotations()
                            .get(Labels.RESOURCE_NAME_ANNOTATION);
                    synchronized (unfinished) {
                      if (action == Action.ADDED) {
                        jobSeen.putIfAbsent(owner, System.nanoTime());
                      }
                      if (action == Action.DELETED
                          || dev.leanode.reconciler.JobStates.isFinished(job)) {
                        unfinished.remove(name);
                      } else if (action == Action.ADDED) {
                        unfinished.add(name);
                        maxUnfinished.accumulateAndGet(unfinished.size(), Math::max);
                      }
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    Watch naiWatch =
        admin
            .resources(NodeAppImage.class)
            .inNamespace(ns)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, NodeAppImage n) {
                    if (n.getStatus() == null
                        || n.getStatus().getConditions() == null
                        || n.getStatus().getConditions().isEmpty()) {
                      return; // no status yet
                    }
                    String name = n.getMetadata().getName();
                    firstStatus.putIfAbsent(name, System.nanoTime());
                    n.getStatus()
                        .condition(NodeAppImageStatus.READY)
                        .ifPresent(
                            c -> {
                              if ("Queued".equals(c.getReason())) {
                                queuedSeen.add(name);
                              } else if ("True".equals(c.getStatus())) {
                                readySeen.add(name);
                              } else if (Set.of(
                                      "InvalidSpec",
                                      "SecretNotFound",
                                      "SourceUnavailable",
                                      "BuildFailed",
                                      "BuildTimedOut",
                                      "SizeUnknown")
                                  .contains(c.getReason())) {
                                failedSeen.add(name + ": " + c.getMessage());
                              }
                            });
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    InstantKubelet kubelet = new InstantKubelet(admin, ns, cp.nodeName, digest).start();

    // --- a probe resource exists before the operator starts: start-up to first reconciliation
    NodeAppImage probe = SERIALIZATION.clone(template);
    probe.getMetadata().setName("probe");
    probe.getSpec().getOutput().setImage(repository + ":probe");
    admin.resource(probe).create();

    List<String> jvmArgs = new ArrayList<>();
    Map<String, String> env = new LinkedHashMap<>(chartEnv);
    for (String token : flags.isBlank() ? new String[0] : flags.split("\\s+")) {
      if (token.startsWith("env:")) {
        String[] kv = token.substring(4).split("=", 2);
        env.put(kv[0], kv[1]);
      } else {
        jvmArgs.add(token);
      }
    }
    jvmArgs.add("-Xlog:gc:file=" + gcLog + ":uptime");
    env.put("POD_NAMESPACE", OperatorOnCluster.RELEASE_NAMESPACE);
    env.put("POD_NAME", "leanode-bench-" + UUID.randomUUID().toString().substring(0, 5));
    env.put("LEANODE_BUILD_MAX_CONCURRENT_BUILDS", Integer.toString(LIMIT));
    // no Docker Hub here: base digests (node:22-alpine) resolve through the bench's registry
    env.put("LEANODE_BUILD_REGISTRY_MIRRORS", Tools.REGISTRY);
    String load = loadAverage();

    long spawnNanos = System.nanoTime();
    OperatorProcess op = OperatorProcess.start(kubeconfig, env, jvmArgs, opLog);
    double readySeconds = seconds(System.nanoTime() - spawnNanos);
    long pid = op.pid();
    Sampler sampler = new Sampler(op).start();
    try {
      await("the probe's first status")
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> firstStatus.containsKey("probe"));
      double firstReconcile = seconds(firstStatus.get("probe") - spawnNanos);
      double cpuAtStart = cpuSeconds(pid);
      long rssAtStart = procStatusKb(pid, "VmRSS");
      await("the probe Ready (the pipeline works before the load)")
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(100))
          .failFast(
              "a resource failed or the operator exited",
              () -> !failedSeen.isEmpty() || !op.alive())
          .until(() -> readySeen.contains("probe"));

      // --- 1,000 resources at once
      ExecutorService creators = Executors.newFixedThreadPool(8);
      long start = System.nanoTime();
      List<Future<?>> creations = new ArrayList<>();
      for (int i = 0; i < RESOURCES; i++) {
        String name = String.format("app-%04d", i);
        creations.add(
            creators.submit(
                () -> {
                  NodeAppImage n = SERIALIZATION.clone(template);
                  n.getMetadata().setName(name);
                  n.getSpec().getOutput().setImage(repository + ":" + name);
                  admin.resource(n).create();
                  created.put(name, System.nanoTime());
                }));
      }
      for (var f : creations) {
        f.get();
      }
      creators.shutdown();
      long allCreated = System.nanoTime();
      await("every resource has its Job")
          .atMost(Duration.ofMinutes(20))
          .pollInterval(Duration.ofMillis(200))
          .failFast("the operator exited", () -> !op.alive())
          .until(() -> jobSeen.size() == RESOURCES + 1);
      long allJobs = System.nanoTime();
      await("every resource Ready")
          .atMost(Duration.ofMinutes(10))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> readySeen.size() == RESOURCES + 1);
      long allReady = System.nanoTime();
      // a few seconds more: the operator's settled state with 1,001 of each object cached
      Thread.sleep(5_000);
      double cpu = cpuSeconds(pid);
      long hwm = procStatusKb(pid, "VmHWM");
      long rssEnd = procStatusKb(pid, "VmRSS");
      sampler.stop();

      List<Long> latencies = new ArrayList<>();
      created.forEach((name, t) -> latencies.add(jobSeen.get(name) - t));
      Collections.sort(latencies);
      Gc gc = Gc.parse(gcLog);
      return new Figures(
          config,
          flags.isBlank() ? "(none)" : flags,
          readySeconds,
          firstReconcile,
          cpuAtStart,
          seconds(allCreated - start),
          seconds(allJobs - start),
          seconds(allReady - start),
          seconds(percentile(latencies, 50)),
          seconds(percentile(latencies, 95)),
          seconds(percentile(latencies, 99)),
          seconds(latencies.get(latencies.size() - 1)),
          maxUnfinished.get(),
          queuedSeen.size(),
          readySeen.size() - 1,
          rssAtStart,
          rssEnd,
          hwm,
          gc.peakBeforeMb,
          gc.maxAfterMb,
          gc.maxCommittedMb,
          sampler.heapPeak.get(),
          sampler.nonHeapPeak.get(),
          gc.count,
          cpu,
          op.log().lines().filter(l -> l.startsWith("Caused by") && l.contains("code=422")).count(),
          load + " → " + loadAverage());
    } catch (RuntimeException | AssertionError e) {
      System.out.println(
          "bench run failed; failed resources: "
              + failedSeen
              + "\nkubelet errors: "
              + kubelet.errors
              + "\noperator log tail:\n"
              + op.logTail(60));
      throw e;
    } finally {
      sampler.stop();
      op.close();
      kubelet.close();
      jobWatch.close();
      naiWatch.close();
      cp.deleteNamespace(ns);
      await("namespace " + ns + " gone")
          .atMost(Duration.ofMinutes(10))
          .pollInterval(Duration.ofSeconds(2))
          .until(() -> admin.namespaces().withName(ns).get() == null);
    }
  }

  void report(List<Figures> all) throws IOException {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            "%nOPERATOR LOAD BENCH (real API server): %d NodeAppImages + 1 probe,"
                + " max-concurrent-builds=%d%n",
            RESOURCES, LIMIT));
    for (Figures f : all) {
      s.append(String.format("%n[%s] JVM: %s%n", f.config, f.flags));
      s.append(String.format("  load average before → after   %s%n", f.load));
      s.append(String.format("  start-up: /q/health/ready     %8.1f s%n", f.readySeconds));
      s.append(String.format("  start-up: first status write  %8.1f s%n", f.firstReconcileSeconds));
      s.append(String.format("  CPU at start-up               %8.1f s%n", f.cpuAtStartSeconds));
      s.append(String.format("  created all in                %8.1f s%n", f.createAllSeconds));
      s.append(String.format("  time until every Job          %8.1f s%n", f.allJobsSeconds));
      s.append(
          String.format(
              "  time until every Ready        %8.1f s (%d Ready)%n", f.allReadySeconds, f.ready));
      s.append(
          String.format(
              "  CR->Job p50 / p95 / p99 / max  %.1f / %.1f / %.1f / %.1f s%n",
              f.p50, f.p95, f.p99, f.max));
      s.append(
          String.format(
              "  unfinished Jobs, max          %8d (limit %d)%n", f.maxUnfinished, LIMIT));
      s.append(String.format("  resources seen Queued         %8d%n", f.queuedSeen));
      s.append(
          String.format(
              "  RSS at start-up / end / peak  %d / %d / %d MiB (VmRSS, VmRSS, VmHWM)%n",
              f.rssAtStartKb >> 10, f.rssEndKb >> 10, f.rssPeakKb >> 10));
      s.append(
          String.format(
              "  heap peak (GC log, before GC) %8d MiB; live after GC max %d MiB;"
                  + " committed max %d MiB; %d GCs%n",
              f.heapPeakGcMb, f.liveAfterGcMaxMb, f.heapCommittedMaxMb, f.gcCount));
      s.append(
          String.format(
              "  heap / non-heap peak sampled  %d / %d MiB (/q/metrics every 2 s)%n",
              f.heapPeakSampledBytes >> 20, f.nonHeapPeakSampledBytes >> 20));
      s.append(String.format("  CPU seconds (utime+stime)     %8.1f s%n", f.cpuSeconds));
      s.append(String.format("  status writes refused (422)   %8d (operator log)%n", f.status422));
    }
    s.append(
        "\n| JVM | RSS peak | heap peak (GC log / sampled) | live heap max | CPU s | ready / first status | CR→Job p50 / p99 | all Ready | max unfinished Jobs |\n");
    s.append("|---|---|---|---|---|---|---|---|---|\n");
    for (Figures f : all) {
      s.append(
          String.format(
              "| %s | %d MiB | %d / %d MiB | %d MiB | %.1f | %.1f / %.1f s | %.1f / %.1f s | %.1f s (%d/%d) | %d (limit %d) |%n",
              f.config,
              f.rssPeakKb >> 10,
              f.heapPeakGcMb,
              f.heapPeakSampledBytes >> 20,
              f.liveAfterGcMaxMb,
              f.cpuSeconds,
              f.readySeconds,
              f.firstReconcileSeconds,
              f.p50,
              f.p99,
              f.allReadySeconds,
              f.ready,
              RESOURCES,
              f.maxUnfinished,
              LIMIT));
    }
    System.out.println(s);
    String names = String.join("-", all.stream().map(Figures::config).toList());
    Files.writeString(Path.of("target/operator-load-bench-" + names + ".txt"), s.toString());
  }

  // ------------------------------------------------------------------ the instant kubelet

  /**
   * The kubelet's part, instantly: binds each build pod of the namespace to the Node and writes a
   * Succeeded status (every container terminated with exit code 0, the termination message the
   * image digest), as a kubelet would after a build that took no time. The real Job controller
   * turns that into the Job's Complete condition. Pods marked for deletion are removed with grace
   * period 0 (the kubelet's confirmation).
   */
  static final class InstantKubelet implements AutoCloseable {
    final KubernetesClient client;
    final String ns;
    final String node;
    final String digest;
    final ExecutorService pool = Executors.newFixedThreadPool(4);
    final Set<String> bound = ConcurrentHashMap.newKeySet();
    final Set<String> done = ConcurrentHashMap.newKeySet();
    final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    Watch watch;

    InstantKubelet(KubernetesClient client, String ns, String node, String digest) {
      this.client = client;
      this.ns = ns;
      this.node = node;
      this.digest = digest;
    }

    InstantKubelet start() {
      watch =
          client
              .pods()
              .inNamespace(ns)
              .watch(
                  new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                      if (action != Action.DELETED) {
                        pool.submit(() -> handle(pod));
                      }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                  });
      return this;
    }

    void handle(Pod pod) {
      var md = pod.getMetadata();
      try {
        if (md.getDeletionTimestamp() != null) {
          client.pods().inNamespace(ns).withName(md.getName()).withGracePeriod(0).delete();
          return;
        }
        String nodeName = pod.getSpec().getNodeName();
        if ((nodeName == null || nodeName.isEmpty()) && bound.add(md.getUid())) {
          client
              .bindings()
              .inNamespace(ns)
              .resource(
                  new BindingBuilder()
                      .withNewMetadata()
                      .withName(md.getName())
                      .withNamespace(ns)
                      .withUid(md.getUid())
                      .endMetadata()
                      .withNewTarget()
                      .withApiVersion("v1")
                      .withKind("Node")
                      .withName(node)
                      .endTarget()
                      .build())
              .create();
          nodeName = node;
        }
        if (node.equals(nodeName) && done.add(md.getUid())) {
          client
              .pods()
              .inNamespace(ns)
              .withName(md.getName())
              .editStatus((UnaryOperator<Pod>) p -> succeeded(p));
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404 && e.getCode() != 409) {
          errors.add(md.getName() + ": " + e.getMessage());
        }
      }
    }

    Pod succeeded(Pod p) {
      String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
      List<ContainerStatus> init = new ArrayList<>();
      for (var c : nn(p.getSpec().getInitContainers())) {
        init.add(terminated(c.getName(), c.getImage(), "", now));
      }
      List<ContainerStatus> cs = new ArrayList<>();
      for (var c : p.getSpec().getContainers()) {
        cs.add(terminated(c.getName(), c.getImage(), digest, now));
      }
      PodStatus s =
          new PodStatusBuilder(p.getStatus() == null ? new PodStatus() : p.getStatus())
              .withPhase("Succeeded")
              .withHostIP("127.0.0.1")
              .withPodIP("127.0.0.1")
              .withStartTime(now)
              .withConditions(
                  cond("PodScheduled", "True", now),
                  cond("Initialized", "True", now),
                  cond("ContainersReady", "False", now),
                  cond("Ready", "False", now))
              .withInitContainerStatuses(init)
              .withContainerStatuses(cs)
              .build();
      p.setStatus(s);
      return p;
    }

    static ContainerStatus terminated(String name, String image, String message, String now) {
      return new ContainerStatusBuilder()
          .withName(name)
          .withImage(image)
          .withImageID("")
          .withContainerID("leanode-instant-kubelet://" + name)
          .withReady(false)
          .withStarted(false)
          .withRestartCount(0)
          .withNewState()
          .withNewTerminated()
          .withExitCode(0)
          .withReason("Completed")
          .withMessage(message.isEmpty() ? null : message)
          .withStartedAt(now)
          .withFinishedAt(now)
          .endTerminated()
          .endState()
          .build();
    }

    static io.fabric8.kubernetes.api.model.PodCondition cond(String type, String status, String t) {
      return new PodConditionBuilder()
          .withType(type)
          .withStatus(status)
          .withLastTransitionTime(t)
          .build();
    }

    @Override
    public void close() {
      if (watch != null) {
        watch.close();
      }
      pool.shutdownNow();
      if (!errors.isEmpty()) {
        System.out.println(
            "instant kubelet errors: " + errors.subList(0, Math.min(10, errors.size())));
      }
    }
  }

  static <T> List<T> nn(List<T> l) {
    return l == null ? List.of() : l;
  }

  // ------------------------------------------------------------------ probes of the operator

  /** RSS every 100 ms and the operator's heap/non-heap use from /q/metrics every 2 s. */
  static final class Sampler {
    final OperatorProcess op;
    final AtomicLong heapPeak = new AtomicLong();
    final AtomicLong nonHeapPeak = new AtomicLong();
    final AtomicBoolean on = new AtomicBoolean(true);
    Thread thread;

    Sampler(OperatorProcess op) {
      this.op = op;
    }

    Sampler start() {
      thread =
          new Thread(
              () -> {
                while (on.get()) {
                  try {
                    String m = op.metrics();
                    heapPeak.accumulateAndGet(sum(m, "heap"), Math::max);
                    nonHeapPeak.accumulateAndGet(sum(m, "nonheap"), Math::max);
                    Thread.sleep(2_000);
                  } catch (InterruptedException e) {
                    return;
                  } catch (Exception e) {
                    // the operator is gone or busy; the next sample tells
                  }
                }
              },
              "operator-sampler");
      thread.setDaemon(true);
      thread.start();
      return this;
    }

    void stop() {
      on.set(false);
      if (thread != null) {
        thread.interrupt();
      }
    }

    static final Pattern USED =
        Pattern.compile("(?m)^jvm_memory_used_bytes\\{([^}]*)\\}\\s+([0-9.eE+-]+)");

    static long sum(String metrics, String area) {
      double total = 0;
      Matcher m = USED.matcher(metrics);
      while (m.find()) {
        if (m.group(1).contains("area=\"" + area + "\"")) {
          total += Double.parseDouble(m.group(2));
        }
      }
      return (long) total;
    }
  }

  /** -Xlog:gc lines: "GC(3) Pause Young (Allocation Failure) 30M->6M(96M) 4.2ms". */
  record Gc(int count, long peakBeforeMb, long maxAfterMb, long maxCommittedMb) {
    static final Pattern PAUSE = Pattern.compile("GC\\(\\d+\\) .*? (\\d+)M->(\\d+)M\\((\\d+)M\\)");

    static Gc parse(Path log) throws IOException {
      int count = 0;
      long before = 0;
      long after = 0;
      long committed = 0;
      for (String line : Files.readAllLines(log)) {
        Matcher m = PAUSE.matcher(line);
        if (m.find()) {
          count++;
          before = Math.max(before, Long.parseLong(m.group(1)));
          after = Math.max(after, Long.parseLong(m.group(2)));
          committed = Math.max(committed, Long.parseLong(m.group(3)));
        }
      }
      return new Gc(count, before, after, committed);
    }
  }

  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields 14 and 15 of stat(5), counted after "pid (comm)": index 11 and 12 here
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLK_TCK;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long procStatusKb(long pid, String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(key + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  static long percentile(List<Long> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }
}

package dev.leanode.reconciler;

import static org.awaitility.Awaitility.await;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.build.Labels;
import dev.leanode.registry.RegistryClient;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Load benchmark, not a test (its name matches neither *Test nor *IT, so normal builds skip it):
 * 1,000 NodeAppImages created at once against the mock API server with the operator running and
 * {@code leanode.build.max-concurrent-builds=50}; the test side plays kubelet and Job controller,
 * finishing each build as soon as its Job appears, so the queue drains. Prints figures; never fails
 * on a time, only if the concurrency limit is broken or a resource never gets its Job.
 *
 * <p>Run: see docs/benchmarks.md, section "Load".
 */
@QuarkusTest
@WithKubernetesTestServer
@TestProfile(LoadBench.Limit50.class)
class LoadBench {
  static final int RESOURCES = Integer.getInteger("leanode.bench.resources", 1_000);
  static final int LIMIT = 50;

  public static class Limit50 implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "leanode.build.max-concurrent-builds", Integer.toString(LIMIT),
          "quarkus.http.test-port", "0",
          // per-request and per-reconcile logging would measure the console, not the operator
          "quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN",
          "quarkus.log.category.\"dev.leanode\".level", "INFO",
          "quarkus.log.category.\"io.javaoperatorsdk\".level", "WARN");
    }
  }

  @Inject KubernetesClient client;

  @Test
  void thousandResourcesAtOnce() throws Exception {
    FakeRegistryClient registry = new FakeRegistryClient();
    String digest = OperatorFixture.digest('a');
    registry.sizes.put(digest, 50_000_000L);
    QuarkusMock.installMockForType(registry, RegistryClient.class);
    OperatorFixture k8s = new OperatorFixture(client);
    String json = "{\"auths\":{\"registry.example.com\":{\"auth\":\"Y2k6czNjcmV0\"}}}";
    client
        .secrets()
        .inNamespace(k8s.namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("regcred")
                .endMetadata()
                .withType("kubernetes.io/dockerconfigjson")
                .withData(
                    Map.of(
                        ".dockerconfigjson",
                        Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))))
                .build())
        .create();
    NodeAppImage template = k8s.load("examples/express-app.yaml");
    template.getSpec().getBuild().setCompareSingleStage(false);

    // --- observers: Jobs (first seen, unfinished count), NodeAppImages (Queued seen)
    Map<String, Long> created = new ConcurrentHashMap<>();
    Map<String, Long> jobSeen = new ConcurrentHashMap<>();
    Set<String> unfinished = ConcurrentHashMap.newKeySet();
    AtomicInteger maxUnfinished = new AtomicInteger();
    Set<String> queuedSeen = ConcurrentHashMap.newKeySet();
    Set<String> readySeen = ConcurrentHashMap.newKeySet();
    LinkedBlockingQueue<Job> toFinish = new LinkedBlockingQueue<>();
    Watch jobWatch =
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(k8s.namespace)
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
                    if (action == Action.ADDED) {
                      jobSeen.putIfAbsent(owner, System.nanoTime());
                      unfinished.add(name);
                      maxUnfinished.accumulateAndGet(unfinished.size(), Math::max);
                      toFinish.add(job);
                    } else if (action == Action.DELETED || JobStates.isFinished(job)) {
                      unfinished.remove(name);
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    Watch naiWatch =
        client
            .resources(NodeAppImage.class)
            .inNamespace(k8s.namespace)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, NodeAppImage n) {
                    if (n.getStatus() == null) {
                      return;
                    }
                    n.getStatus()
                        .condition(NodeAppImageStatus.READY)
                        .ifPresent(
                            c -> {
                              if ("Queued".equals(c.getReason())) {
                                queuedSeen.add(n.getMetadata().getName());
                              } else if ("True".equals(c.getStatus())) {
                                readySeen.add(n.getMetadata().getName());
                              }
                            });
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });

    // --- heap sampler (the operator runs in this JVM: heap and RSS include the test side)
    AtomicLong peakHeap = new AtomicLong();
    AtomicBoolean sampling = new AtomicBoolean(true);
    var memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long heapBefore = memory.getHeapMemoryUsage().getUsed();
    long rssBefore = procStatusKb("VmRSS");
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                  Thread.sleep(20); // sampling period of the probe, not a wait in the test
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();

    // --- the kubelet/Job controller: finish each build as soon as its Job appears
    AtomicBoolean finishing = new AtomicBoolean(true);
    ExecutorService kubelet = Executors.newFixedThreadPool(4);
    for (int t = 0; t < 4; t++) {
      kubelet.submit(
          () -> {
            while (finishing.get()) {
              Job job = toFinish.poll(100, TimeUnit.MILLISECONDS);
              if (job != null) {
                k8s.succeed(job, digest);
              }
            }
            return null;
          });
    }

    // --- 1,000 resources at once
    ExecutorService creators = Executors.newFixedThreadPool(8);
    long start = System.nanoTime();
    List<java.util.concurrent.Future<?>> creations = new ArrayList<>();
    for (int i = 0; i < RESOURCES; i++) {
      String name = String.format("app-%04d", i);
      creations.add(
          creators.submit(
              () -> {
                NodeAppImage n = OperatorFixture.SERIALIZATION.clone(template);
                n.getMetadata().setName(name);
                k8s.create(n);
                created.put(name, System.nanoTime());
              }));
    }
    for (var f : creations) {
      f.get();
    }
    long allCreated = System.nanoTime();
    await()
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> jobSeen.size() == RESOURCES);
    long allJobs = System.nanoTime();
    await()
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> readySeen.size() == RESOURCES);
    long allReady = System.nanoTime();
    finishing.set(false);
    sampling.set(false);
    kubelet.shutdown();
    creators.shutdown();
    jobWatch.close();
    naiWatch.close();

    List<Long> latencies = new ArrayList<>();
    created.forEach((name, t) -> latencies.add(jobSeen.get(name) - t));
    Collections.sort(latencies);
    long hwm = procStatusKb("VmHWM");
    String report =
        String.format(
            "%nLOAD BENCH: %d NodeAppImages, max-concurrent-builds=%d%n"
                + "  created all in            %8.1f s%n"
                + "  time until every Job      %8.1f s (from the first create)%n"
                + "  time until every Ready    %8.1f s%n"
                + "  CR->Job latency p50       %8.1f s%n"
                + "  CR->Job latency p95       %8.1f s%n"
                + "  CR->Job latency p99       %8.1f s%n"
                + "  CR->Job latency max       %8.1f s%n"
                + "  unfinished Jobs, max      %8d (limit %d)%n"
                + "  resources seen Queued     %8d%n"
                + "  heap used before / peak   %8d / %d MiB (sampled every 20 ms)%n"
                + "  RSS before / peak (VmHWM) %8d / %d MiB%n",
            RESOURCES,
            LIMIT,
            seconds(allCreated - start),
            seconds(allJobs - start),
            seconds(allReady - start),
            seconds(percentile(latencies, 50)),
            seconds(percentile(latencies, 95)),
            seconds(percentile(latencies, 99)),
            seconds(latencies.get(latencies.size() - 1)),
            maxUnfinished.get(),
            LIMIT,
            queuedSeen.size(),
            heapBefore >> 20,
            peakHeap.get() >> 20,
            rssBefore >> 10,
            hwm >> 10);
    System.out.println(report);
    Files.writeString(Path.of("target/load-bench.txt"), report);
    if (maxUnfinished.get() > LIMIT) {
      throw new AssertionError("max-concurrent-builds broken: " + maxUnfinished.get());
    }
  }

  static long percentile(List<Long> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }

  static long procStatusKb(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (java.io.IOException e) {
      return -1;
    }
    return -1;
  }
}

package dev.leanode.controlplane;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operator as a user runs it: the packaged artifact ({@code target/quarkus-app}, built by
 * {@code mvn package} before failsafe runs) in a JVM of its own, with a kubeconfig that holds the
 * chart's ServiceAccount token and the env the chart's Deployment gives it. Its log goes to a file
 * that a failing test prints the end of.
 */
public final class OperatorProcess implements AutoCloseable {
  static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

  private final Process process;
  private final Path log;
  private final int port;
  public final Instant started;

  private OperatorProcess(Process process, Path log, int port, Instant started) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.started = started;
  }

  /**
   * The env the chart's Deployment sets on the operator container (plain values only; the
   * downward-API ones are given by the caller), so the tested settings are the chart's.
   */
  public static Map<String, String> chartEnv(List<HasMetadata> rendered) {
    Map<String, String> env = new LinkedHashMap<>();
    for (HasMetadata o : rendered) {
      if (o instanceof Deployment d) {
        for (EnvVar e : d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
          if (e.getValueFrom() == null) {
            env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
          }
        }
      }
    }
    if (env.isEmpty()) {
      throw new AssertionError("the rendered chart has no Deployment env");
    }
    return env;
  }

  /** Starts the operator and waits until its readiness check answers 200. */
  public static OperatorProcess start(
      Path kubeconfig, Map<String, String> env, List<String> jvmArgs, Path logFile) {
    if (!Files.isRegularFile(JAR)) {
      throw new AssertionError(JAR + " is missing: run './mvnw package' (failsafe runs after it)");
    }
    int port = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-Dquarkus.http.port=" + port);
    cmd.add("-jar");
    cmd.add(JAR.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment()
        .keySet()
        .removeIf(k -> k.startsWith("KUBERNETES_") || k.startsWith("QUARKUS_"));
    pb.environment().putAll(env);
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Instant t0 = Instant.now();
    Process p;
    try {
      Files.createDirectories(logFile.getParent());
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // a test JVM stopped from outside (Ctrl-C, a killed build) must not leave an operator behind:
    // holding the Lease, it would keep the next run's operator a follower
    Process started = p;
    Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "stop-operator"));
    OperatorProcess op = new OperatorProcess(p, logFile, port, t0);
    try {
      await("operator ready on :" + port)
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                if (!p.isAlive()) {
                  throw new AssertionError(
                      "operator exited (" + p.exitValue() + "):\n" + op.logTail(60));
                }
                return op.ready();
              });
    } catch (RuntimeException | AssertionError e) {
      op.kill();
      throw new AssertionError("operator did not become ready:\n" + op.logTail(80), e);
    }
    return op;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  boolean ready() {
    try {
      HttpResponse<Void> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The operator's metrics page (Prometheus text). */
  public String metrics() throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL: a crash, as a node failure or an OOM kill would end it. */
  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /** SIGTERM, as the kubelet stops a pod. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    waitFor();
  }

  private void waitFor() {
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

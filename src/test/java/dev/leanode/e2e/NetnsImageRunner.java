package dev.leanode.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs an image in a network namespace of the test's own and asks it over HTTP from the host, so
 * that only an app listening on the pod's address answers, as in a pod reached through its IP: a
 * veth pair, host end 10.231.N.1/30, container end 10.231.N.2/30 in {@code ip netns add}'s
 * namespace, podman {@code --network ns:/run/netns/NAME}. An app bound to 127.0.0.1 is not
 * reachable (connection refused), which {@code --network host} would hide.
 */
public final class NetnsImageRunner implements AutoCloseable {
  private static final AtomicInteger NEXT =
      new AtomicInteger((int) (ProcessHandle.current().pid() % 200));

  private final String ns;
  private final String hostIf;
  private final String address;
  private final List<String> containers = new ArrayList<>();

  public NetnsImageRunner() {
    int n = NEXT.getAndIncrement() % 250 + 1;
    this.ns = "leanode-t" + ProcessHandle.current().pid() + "-" + n;
    this.hostIf = "lnt" + n + "h" + (ProcessHandle.current().pid() % 10000);
    String peer = "lnt" + n + "c" + (ProcessHandle.current().pid() % 10000);
    this.address = "10.231." + n + ".2";
    ip("netns", "add", ns);
    ip("link", "add", hostIf, "type", "veth", "peer", "name", peer);
    ip("link", "set", peer, "netns", ns);
    ip("addr", "add", "10.231." + n + ".1/30", "dev", hostIf);
    ip("link", "set", hostIf, "up");
    ip("-n", ns, "addr", "add", address + "/30", "dev", peer);
    ip("-n", ns, "link", "set", peer, "up");
    ip("-n", ns, "link", "set", "lo", "up");
  }

  /** The container's address as the host reaches it. */
  public String address() {
    return address;
  }

  /** Starts {@code image} detached in the namespace with extra {@code podman run} options. */
  public String start(String image, String creds, List<String> runOptions) {
    ImageRunner.pull(image, creds);
    String name = "leanode-netns-" + ns + "-" + containers.size();
    List<String> run =
        new ArrayList<>(
            Tools.podman(
                "run",
                "-d",
                "--name",
                name,
                "--network",
                "ns:/run/netns/" + ns,
                "--ulimit",
                "nofile=1024:1024",
                "--ulimit",
                "nproc=1024:1024"));
    run.addAll(runOptions);
    run.add(image);
    Proc.run(Duration.ofMinutes(2), run).check();
    containers.add(name);
    return name;
  }

  /** "status body" of GET path, once the app answers (fails with its logs after 90 s). */
  public String get(String container, int port, String path) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    AtomicReference<String> answer = new AtomicReference<>();
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptionsInstanceOf(IOException.class)
          .until(
              () -> {
                requireRunning(container);
                HttpResponse<String> r =
                    http.send(
                        HttpRequest.newBuilder(URI.create("http://" + address + ":" + port + path))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                answer.set(r.statusCode() + " " + r.body());
                return true;
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          container + " did not answer on " + address + ":" + port + ": " + logs(container), e);
    }
    return answer.get();
  }

  /** Waits for a log line (the app says it listens), for tests that expect no answer. */
  public void awaitLog(String container, String text) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> logs(container).contains(text));
  }

  /** Whether a TCP connection from the host to address:port is refused (nothing listens there). */
  public boolean refused(int port) {
    try (var s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(address, port), 2000);
      return false;
    } catch (java.net.ConnectException e) {
      return true;
    } catch (IOException e) {
      throw new AssertionError("neither answered nor refused: " + e, e);
    }
  }

  /** {@code cat FILE} inside the running container (e.g. /proc/1/status for the uid). */
  public String exec(String container, String... command) {
    List<String> cmd = new ArrayList<>(Tools.podman("exec", container));
    cmd.addAll(List.of(command));
    return Proc.run(Duration.ofMinutes(1), cmd).check().output();
  }

  public String logs(String container) {
    return Proc.run(Duration.ofSeconds(30), Tools.podman("logs", container)).output();
  }

  private void requireRunning(String container) {
    String state =
        Proc.run(
                Duration.ofSeconds(30),
                Tools.podman("inspect", "--format", "{{.State.Status}}", container))
            .output()
            .trim();
    if (!state.equals("running")) {
      throw new AssertionError(container + " is " + state + ": " + logs(container));
    }
  }

  @Override
  public void close() {
    for (String c : containers) {
      Proc.run(Duration.ofMinutes(1), Tools.podman("rm", "-f", "-t", "2", c));
    }
    Proc.run(Duration.ofSeconds(30), "ip", "netns", "del", ns);
    Proc.run(Duration.ofSeconds(30), "ip", "link", "del", hostIf); // gone with the ns, usually
  }

  private static void ip(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Proc.run(Duration.ofSeconds(30), cmd).check();
  }
}

package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.leanode.api.v1alpha1.NodeAppImage;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * While a real build runs, the Building condition's message says where it is — stage, step,
 * command, then the push — read by the operator from the Kaniko log through {@code pods/log} (the
 * chart's RBAC), as a watcher ({@code kubectl get nai -w}) sees it change.
 */
class BuildProgressIT extends OnRealCluster {

  /**
   * The build script waits at a gate this test opens once the Building message has named the build
   * script's step: the operator reads progress every few seconds, and an unheld build of this small
   * app can pass every stage between two reads. (The gate is reached over 127.0.0.1: the stand-in's
   * RUN steps share the host's network; on a real cluster a build pod could not reach a test like
   * this.)
   */
  @Test
  void buildingMessageMovesThroughStagesToThePush() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    AtomicBoolean open = new AtomicBoolean();
    AtomicInteger gateCalls = new AtomicInteger();
    HttpServer gate = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    gate.createContext(
        "/gate",
        x -> {
          gateCalls.incrementAndGet();
          x.sendResponseHeaders(open.get() ? 200 : 503, -1);
          x.close();
        });
    gate.start();
    Map<String, String> files =
        new LinkedHashMap<>(DocumentedJobShape.files(OperatorE2E.APPS.resolve("typescript-dist")));
    files.put(
        "package.json",
        files.get("package.json").replace("\"build\": \"tsc", "\"build\": \"node gate.js && tsc"));
    files.put(
        "gate.js",
        """
        // waits until the test opens its gate (BuildProgressIT), at most 5 minutes
        const http = require('http');
        const deadline = Date.now() + 300000;
        function retry() {
          if (Date.now() > deadline) { console.error('gate never opened'); process.exit(1); }
          setTimeout(poll, 300);
        }
        function poll() {
          http.get('http://127.0.0.1:%d/gate', (r) => {
            r.resume();
            if (r.statusCode === 200) { console.log('gate open'); process.exit(0); }
            retry();
          }).on('error', retry);
        }
        poll();
        """
            .formatted(gate.getAddress().getPort()));
    assertThat(files.get("package.json")).contains("node gate.js && tsc");
    // what a user watching sees: kubectl's own watch of the resource, the Building message as a
    // column
    Files.createDirectories(Path.of("target"));
    Path watched = Path.of("target/kubectl-get-nai-w.txt");
    Process kubectlWatch =
        new ProcessBuilder(
                install.cp.kubectl.toString(),
                "--kubeconfig",
                install.cp.adminKubeconfig.toString(),
                "get",
                "nai",
                "-n",
                ns,
                "-w",
                "-o",
                "custom-columns=NAME:.metadata.name,READY:.status.conditions[?(@.type==\"Ready\")].status,"
                    + "BUILDING:.status.conditions[?(@.type==\"Building\")].message")
            .redirectErrorStream(true)
            .redirectOutput(watched.toFile())
            .start();
    try (var watch =
        client
            .resources(NodeAppImage.class)
            .withName("progress")
            .watch(
                new Watcher<NodeAppImage>() {
                  @Override
                  public void eventReceived(Action action, NodeAppImage r) {
                    if (r.getStatus() != null) {
                      r.getStatus()
                          .condition("Building")
                          .filter(c -> "True".equals(c.getStatus()))
                          .ifPresent(
                              c -> {
                                if (seen.isEmpty()
                                    || !seen.get(seen.size() - 1).equals(c.getMessage())) {
                                  seen.add(c.getMessage());
                                }
                              });
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      client
          .resource(
              OperatorE2E.resource(
                  "progress",
                  Map.of(
                      "source", Map.of("inline", Map.of("files", files)),
                      "app", Map.of("buildScript", "build"),
                      "output",
                          Map.of("image", Tools.REGISTRY + "/logs/progress:1", "insecure", true))))
          .create();
      // held at the build script: the message names its stage and step
      await("Building names the build script's step")
          .atMost(Duration.ofMinutes(8))
          .until(() -> gateCalls.get() > 0 && seen.stream().anyMatch(m -> m.matches(HELD)));
      open.set(true);
      OperatorE2E.awaitCondition(client, "progress", "Ready", "True");
    } finally {
      gate.stop(0);
      kubectlWatch.destroy();
      kubectlWatch.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    Files.createDirectories(Path.of("target"));
    Files.write(Path.of("target/build-progress-messages.txt"), seen);

    List<String> progress = seen.stream().filter(m -> m.contains(" is running: ")).toList();
    assertThat(progress).as("progress messages seen: %s", seen).anyMatch(m -> m.matches(HELD));
    assertThat(progress)
        .allMatch(
            m ->
                m.matches(
                    "Build Job \\S+ is running: (stage \\d+/\\d+ \\(\\w+\\)(, step \\d+/\\d+: .+)?|pushing \\S+)"));
    // it moves forward: stage numbers never go back, and no message repeats
    int last = 0;
    for (String m : progress) {
      var st = java.util.regex.Pattern.compile("stage (\\d+)/").matcher(m);
      int n = st.find() ? Integer.parseInt(st.group(1)) : 6; // pushing comes after every stage
      assertThat(n).as("%s after stage %d", m, last).isGreaterThanOrEqualTo(last);
      last = n;
    }
    assertThat(progress).doesNotHaveDuplicates();
    // and kubectl get -w printed them as they came
    List<String> lines = Files.readAllLines(watched);
    int held = indexOf(lines, l -> l.matches("progress\\s+\\S+\\s+" + HELD));
    assertThat(held).as("kubectl get nai -w:%n%s", String.join("\n", lines)).isNotNegative();
    assertThat(indexOf(lines.subList(held, lines.size()), l -> l.matches("progress\\s+True\\s+.*")))
        .as("then Ready=True; kubectl get nai -w:%n%s", String.join("\n", lines))
        .isNotNegative();
  }

  /** The builder stage (next to last) at its last step, the one that runs the build script. */
  private static final String HELD =
      "Build Job \\S+ is running: stage \\d+/\\d+ \\(builder\\), step (\\d+)/\\1: RUN .*";

  private static int indexOf(List<String> lines, java.util.function.Predicate<String> p) {
    for (int i = 0; i < lines.size(); i++) {
      if (p.test(lines.get(i))) {
        return i;
      }
    }
    return -1;
  }
}

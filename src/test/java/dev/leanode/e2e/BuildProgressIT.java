package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.NodeAppImage;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * While a real build runs, the Building condition's message says where it is — stage, step,
 * command, then the push — read by the operator from the Kaniko log through {@code pods/log} (the
 * chart's RBAC), as a watcher ({@code kubectl get nai -w}) sees it change.
 */
class BuildProgressIT extends OnRealCluster {

  @Test
  void buildingMessageMovesThroughStagesToThePush() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
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
                      "source", OperatorE2E.inline("typescript-dist"),
                      "app", Map.of("buildScript", "build"),
                      "output",
                          Map.of("image", Tools.REGISTRY + "/logs/progress:1", "insecure", true))))
          .create();
      OperatorE2E.awaitCondition(client, "progress", "Ready", "True");
    } finally {
      kubectlWatch.destroy();
      kubectlWatch.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    Files.createDirectories(Path.of("target"));
    Files.write(Path.of("target/build-progress-messages.txt"), seen);

    List<String> progress = seen.stream().filter(m -> m.contains(" is running: ")).toList();
    assertThat(progress).as("progress messages seen: %s", seen).hasSizeGreaterThanOrEqualTo(2);
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
    assertThat(lines.stream().filter(l -> l.contains(" is running: stage ")).distinct().count())
        .as("kubectl get nai -w:%n%s", String.join("\n", lines))
        .isGreaterThanOrEqualTo(2);
  }
}

package dev.leanode.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code leanode logs NAME [-n NS] [-f] [--build JOB]}: a build's logs, init then Kaniko. */
@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    description = {
      "Print the logs of a NodeAppImage's build (current kube context): the build pod's init"
          + " container, then its Kaniko container(s), in order.",
      "Exit codes as kubectl's: 0 logs printed, 1 no such resource, no build or no pod any"
          + " more (the status's outcome is printed instead)."
    })
public class LogsCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "the NodeAppImage")
  String name;

  @Option(
      names = {"-n", "--namespace"},
      description = "namespace (default: the kube context's)")
  String namespace;

  @Option(
      names = {"-f", "--follow"},
      description = "follow the build while it runs")
  boolean follow;

  @Option(
      names = "--build",
      paramLabel = "JOB",
      description = "this build Job instead of the current one (status.build.job)")
  String job;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      String ns = namespace != null ? namespace : client.getNamespace();
      new BuildLogs(client, ns == null ? "default" : ns, err).print(name, job, follow, System.out);
      return 0;
    } catch (BuildLogs.Failure e) {
      err.println("error: " + e.getMessage());
      return 1;
    } catch (KubernetesClientException e) {
      err.println("error: " + Cluster.describe(e));
      return 1;
    }
  }
}

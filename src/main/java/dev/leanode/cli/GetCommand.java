package dev.leanode.cli;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code leanode get [NAME] [-n NS|-A] [-o json|yaml]}: a human summary of NodeAppImages. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Summarise NodeAppImages (current kube context): ready, image, size, saving vs the"
          + " single-stage build, last build's duration (and trigger, where recorded), age.",
      "Exit codes as kubectl's: 0 printed (also when there is none), 1 not found or API error,"
          + " 2 bad usage."
    })
public class GetCommand implements Callable<Integer> {
  static final ResourceDefinitionContext NODE_APP_IMAGES =
      new ResourceDefinitionContext.Builder()
          .withGroup("leanode.dev")
          .withVersion("v1alpha1")
          .withKind("NodeAppImage")
          .withPlural("nodeappimages")
          .withNamespaced(true)
          .build();

  /** Output formats besides the table. */
  enum Format {
    json,
    yaml
  }

  @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "one NodeAppImage")
  String name;

  @Option(
      names = {"-n", "--namespace"},
      description = "namespace (default: the kube context's)")
  String namespace;

  @Option(
      names = {"-A", "--all-namespaces"},
      description = "every namespace")
  boolean allNamespaces;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "json or yaml: the summary for scripts (${COMPLETION-CANDIDATES})")
  Format output;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (allNamespaces && name != null) {
      err.println("error: a resource cannot be retrieved by name across all namespaces");
      return 2;
    }
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      String ns = namespace != null ? namespace : client.getNamespace();
      ns = ns == null ? "default" : ns;
      var resources = client.genericKubernetesResources(NODE_APP_IMAGES);
      List<GenericKubernetesResource> found;
      if (name != null) {
        GenericKubernetesResource one = resources.inNamespace(ns).withName(name).get();
        if (one == null) {
          err.println(
              "Error from server (NotFound): nodeappimages.leanode.dev \"" + name + "\" not found");
          return 1;
        }
        found = List.of(one);
      } else {
        found =
            (allNamespaces ? resources.inAnyNamespace().list() : resources.inNamespace(ns).list())
                .getItems();
      }
      List<ImageSummary> items =
          found.stream()
              .map(ImageSummary::of)
              .sorted(
                  Comparator.comparing(ImageSummary::namespace).thenComparing(ImageSummary::name))
              .toList();
      if (output != null) {
        Object doc = name != null ? items.get(0) : Map.of("items", items);
        var ser = client.getKubernetesSerialization();
        out.print(output == Format.json ? ser.asJson(doc) + "\n" : ser.asYaml(doc));
      } else if (items.isEmpty()) {
        err.println(
            allNamespaces ? "No resources found" : "No resources found in " + ns + " namespace.");
      } else {
        out.print(SummaryTable.render(items, allNamespaces, Instant.now()));
      }
      out.flush();
      return 0;
    } catch (KubernetesClientException e) {
      err.println("error: " + Cluster.describe(e));
      return 1;
    }
  }
}

package dev.leanode.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A Node.js app that Leanode turns into a lean production image, built in-cluster by Kaniko. */
@Group(NodeAppImage.GROUP)
@Version(NodeAppImage.VERSION)
@Kind("NodeAppImage")
@Plural("nodeappimages")
@Singular("nodeappimage")
@ShortNames("nai")
@AdditionalPrinterColumn(
    name = "READY",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "REASON",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    priority = 1)
@AdditionalPrinterColumn(name = "IMAGE", jsonPath = ".status.output.image")
@AdditionalPrinterColumn(name = "SIZE", jsonPath = ".status.output.size")
@AdditionalPrinterColumn(name = "SAVED", jsonPath = ".status.comparison.saved")
@AdditionalPrinterColumn(name = "DIGEST", jsonPath = ".status.output.digest", priority = 1)
@AdditionalPrinterColumn(
    name = "AGE",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class NodeAppImage extends CustomResource<NodeAppImageSpec, NodeAppImageStatus>
    implements Namespaced {
  public static final String GROUP = "leanode.dev";
  public static final String VERSION = "v1alpha1";

  // No initStatus(): a resource the API server holds without status must read back as status
  // null. An empty default status made the non-SSA status patch a JSON Patch against fields the
  // server did not have (422 Invalid on a real API server; the mock server let it through).
}

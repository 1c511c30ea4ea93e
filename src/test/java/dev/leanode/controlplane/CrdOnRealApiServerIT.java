package dev.leanode.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.e2e.Proc;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What only a real API server can tell: deploy/crds/ is accepted and Established, {@code kubectl
 * explain} serves our field descriptions, the CEL rule refuses a spec with both sources (with our
 * message), structural validation refuses a wrong type, a spec edit bumps {@code generation}, and
 * {@code kubectl get nai} prints the contract's columns. No operator runs here.
 */
class CrdOnRealApiServerIT {
  static ControlPlane cp;
  static String ns;
  static CustomResourceDefinition crd;

  @BeforeAll
  static void cluster() {
    cp = ControlPlane.require();
    crd = cp.applyCrd();
    ns = cp.newNamespace("crd");
  }

  @AfterAll
  static void cleanUp() {
    if (ns != null) {
      cp.deleteNamespace(ns);
    }
  }

  static JSONSchemaProps schema() {
    return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
  }

  @Test
  void crdIsEstablishedAndServesItsShortName() {
    assertThat(ControlPlane.established(crd)).isTrue();
    Proc.Result r = cp.kubectl("api-resources", "--api-group=leanode.dev").check();
    assertThat(r.output()).contains("nodeappimages").contains("nai").contains("NodeAppImage");
  }

  @Test
  void kubectlExplainShowsOurDescriptions() {
    JSONSchemaProps app = schema().getProperties().get("spec").getProperties().get("app");
    String portDescription = app.getProperties().get("port").getDescription();
    assertThat(portDescription).isNotBlank();
    Proc.Result r = cp.kubectl("explain", "nodeappimage.spec.app").check();
    String flat = r.output().replaceAll("\\s+", " ");
    assertThat(flat).contains(app.getDescription().replaceAll("\\s+", " ").trim());
    assertThat(flat).contains(portDescription.replaceAll("\\s+", " ").trim());
  }

  @Test
  void celRuleRefusesGitAndInlineTogether() throws Exception {
    String message =
        schema()
            .getProperties()
            .get("spec")
            .getProperties()
            .get("source")
            .getXKubernetesValidations()
            .get(0)
            .getMessage();
    Path f = Files.createTempFile("both-sources", ".yaml");
    Files.writeString(
        f,
        """
        apiVersion: leanode.dev/v1alpha1
        kind: NodeAppImage
        metadata:
          name: both
        spec:
          source:
            git: {url: "https://example.com/a.git"}
            inline: {files: {"index.js": "1"}}
          output: {image: "registry.example.com/a:1"}
        """);
    Proc.Result r = cp.kubectl("apply", "-n", ns, "-f", f.toString());
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.output()).contains(message).contains("spec.source");
    assertThat(cp.kubectl("get", "nai", "both", "-n", ns).ok()).isFalse();
  }

  @Test
  void structuralSchemaRefusesAWrongType() throws Exception {
    Path f = Files.createTempFile("bad-port", ".yaml");
    Files.writeString(
        f,
        """
        apiVersion: leanode.dev/v1alpha1
        kind: NodeAppImage
        metadata:
          name: bad-port
        spec:
          source: {inline: {files: {"index.js": "1"}}}
          app: {port: "three thousand"}
          output: {image: "registry.example.com/a:1"}
        """);
    Proc.Result r = cp.kubectl("apply", "-n", ns, "-f", f.toString());
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.output()).contains("spec.app.port");
  }

  @Test
  void specEditBumpsGenerationAndStatusEditDoesNot() throws Exception {
    Path f = Files.createTempFile("gen", ".yaml");
    Files.writeString(
        f,
        """
        apiVersion: leanode.dev/v1alpha1
        kind: NodeAppImage
        metadata:
          name: gen
        spec:
          source: {inline: {files: {"index.js": "1"}}}
          output: {image: "registry.example.com/a:1"}
        """);
    cp.kubectl("apply", "-n", ns, "-f", f.toString()).check();
    assertThat(generation()).isEqualTo(1);
    cp.kubectl(
            "patch",
            "nai",
            "gen",
            "-n",
            ns,
            "--type=merge",
            "-p",
            "{\"spec\":{\"app\":{\"port\":8080}}}")
        .check();
    assertThat(generation()).isEqualTo(2);
    cp.kubectl(
            "patch",
            "nai",
            "gen",
            "-n",
            ns,
            "--subresource=status",
            "--type=merge",
            "-p",
            "{\"status\":{\"observedGeneration\":2}}")
        .check();
    assertThat(generation()).as("status is a subresource").isEqualTo(2);
    Proc.Result get = cp.kubectl("get", "nai", "-n", ns).check();
    assertThat(get.output().lines().findFirst().orElse(""))
        .containsSubsequence("NAME", "READY", "IMAGE", "SIZE", "AGE");
    Proc.Result wide = cp.kubectl("get", "nai", "-n", ns, "-o", "wide").check();
    assertThat(wide.output().lines().findFirst().orElse(""))
        .containsSubsequence("NAME", "READY", "REASON", "IMAGE", "SIZE", "DIGEST", "AGE");
  }

  private long generation() {
    return Long.parseLong(
        cp.kubectl("get", "nai", "gen", "-n", ns, "-o", "jsonpath={.metadata.generation}")
            .check()
            .output()
            .trim());
  }
}

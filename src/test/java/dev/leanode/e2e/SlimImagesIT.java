package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.NodeAppImage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Below the floor, built through the operator on the real control plane and run with podman: the
 * minimal runtime ({@code FROM scratch}: node, the libraries it links, the loader, passwd/group)
 * with the default prune on the data-files app, whose dependencies read data files of their own at
 * run time (mime-db's db.json through mime-types, iconv-lite's code page tables) — the image must
 * answer with them, show node really loaded them, and carry no shell, no npm and no READMEs but
 * every LICENSE. On the local node:22-alpine stand-in (glibc node on busybox, no ldd: the libraries
 * come from node's own report) and on the Debian bookworm-slim stand-in (ldd). Real Alpine's musl
 * path is covered by RuntimeLibsScriptTest and the minimal-alpine golden file (no musl base here).
 * A base without node fails the build with the runtime stage's words in Ready's message.
 */
class SlimImagesIT extends OnRealCluster {
  static final String APP = "data-files";

  NodeAppImage build(String name, Map<String, Object> app) throws Exception {
    return build(name, app, Map.of());
  }

  NodeAppImage build(String name, Map<String, Object> app, Map<String, Object> output)
      throws Exception {
    Map<String, Object> out = new java.util.LinkedHashMap<>(output);
    out.put("image", Tools.REGISTRY + "/e2e/" + name + ":1");
    out.put("insecure", true);
    client
        .resource(
            OperatorE2E.resource(
                name,
                Map.of(
                    "source", OperatorE2E.inline(APP),
                    "app", app,
                    "output", out)))
        .create();
    return OperatorE2E.awaitCondition(client, name, "Ready", "True");
  }

  static void assertMinimalAndPrunedAndAnswers(NodeAppImage r) {
    var out = r.getStatus().getOutput();
    String byDigest = out.getImage().replaceAll(":[^:/]+$", "") + "@" + out.getDigest();
    assertThat(out.getSizeBytes()).isEqualTo(Registry.compressedSize(byDigest));
    // the size story: base / dependencies / app add up to the layers (the config blob is the rest)
    var layers = out.getLayers();
    assertThat(layers).isNotNull();
    long sum = layers.getBaseBytes() + layers.getDependenciesBytes() + layers.getAppBytes();
    assertThat(out.getSizeBytes() - sum).isBetween(1L, 16_384L);
    assertThat(layers.getBaseBytes()).isGreaterThan(layers.getDependenciesBytes());
    assertThat(layers.getDependenciesBytes()).isGreaterThan(layers.getAppBytes());
    assertThat(layers.getAppBytes()).isPositive();
    List<String> answers = ImageRunner.get(byDigest, null, List.of("/", "/env", "/data"));
    assertThat(answers.get(0)).isEqualTo("200 hello from " + APP);
    assertThat(answers.get(1)).contains("\"NODE_ENV\":\"production\"").contains("\"uid\":1000");
    assertThat(answers.get(2))
        .startsWith("200 ")
        .contains("\"webmanifest\":\"application/manifest+json\"")
        .contains("\"xls\":\"xls\"")
        .contains("\"cyrillic\":\"Привет\"")
        .contains("\"mimeDbLoaded\":true")
        .contains("iconv-lite/encodings/sbcs-data-generated.js");

    // no shell, no package manager: the entrypoint override finds nothing to run
    assertThat(ImageRunner.run(byDigest, null, "/bin/sh", "-c", "true").exitCode()).isNotZero();
    String facts =
        ImageRunner.run(
                byDigest,
                null,
                "node",
                "-e",
                "const fs=require('fs');const e=(p)=>fs.existsSync(p);console.log(JSON.stringify({"
                    + "sh:e('/bin/sh'),busybox:e('/bin/busybox'),npm:e('/usr/local/lib/node_modules/npm'),"
                    + "yarn:e('/opt/yarn')||e('/usr/local/bin/yarn'),corepack:e('/usr/local/bin/corepack'),"
                    + "readme:e('/app/node_modules/express/Readme.md'),"
                    + "license:e('/app/node_modules/express/LICENSE'),"
                    + "dts:e('/app/node_modules/iconv-lite/lib/index.d.ts'),"
                    + "db:e('/app/node_modules/mime-db/db.json'),"
                    + "passwd:fs.readFileSync('/etc/passwd','utf8').includes('node:x:1000:1000'),"
                    + "top:fs.readdirSync('/').sort()}))")
            .check()
            .output();
    assertThat(facts)
        .contains("\"sh\":false", "\"busybox\":false", "\"npm\":false", "\"yarn\":false")
        .contains("\"corepack\":false", "\"readme\":false", "\"dts\":false")
        .contains("\"license\":true", "\"db\":true", "\"passwd\":true");
  }

  @Test
  void minimalRuntimeOnTheAlpineStandInAnswersWithItsDataFiles() throws Exception {
    NodeAppImage r =
        build("slim-alpine", Map.of("runtime", "minimal"), Map.of("sizeBudget", "1Mi"));
    assertMinimalAndPrunedAndAnswers(r);
    // over budget: its own condition and a Warning Event; Ready stays about the build
    var budget = OperatorE2E.condition(r, "SizeWithinBudget");
    assertThat(budget.getStatus()).isEqualTo("False");
    assertThat(budget.getReason()).isEqualTo("SizeBudgetExceeded");
    assertThat(budget.getMessage()).contains("over spec.output.sizeBudget 1Mi");
    assertThat(OperatorE2E.condition(r, "Ready").getStatus()).isEqualTo("True");
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(
            () ->
                client.v1().events().list().getItems().stream()
                    .anyMatch(
                        e ->
                            "Warning".equals(e.getType())
                                && "SizeBudgetExceeded".equals(e.getReason())
                                && "slim-alpine".equals(e.getInvolvedObject().getName())));
  }

  @Test
  void minimalRuntimeOnTheDebianStandInAnswersWithItsDataFiles() throws Exception {
    NodeAppImage r =
        build("slim-debian", Map.of("runtime", "minimal", "baseImage", "node:22-bookworm-slim"));
    assertMinimalAndPrunedAndAnswers(r);
  }

  @Test
  void aBaseWithoutNodeFailsTheBuildSayingSo() throws Exception {
    client
        .resource(
            OperatorE2E.resource(
                "slim-no-node",
                Map.of(
                    "source", OperatorE2E.inline(APP),
                    "app",
                        Map.of(
                            "runtime",
                            "minimal",
                            "baseImage",
                            System.getenv()
                                .getOrDefault(
                                    "LEANODE_BUILD_CONTEXT_INIT_IMAGE",
                                    Tools.REGISTRY + "/library/busybox:1.37.0")),
                    "output",
                        Map.of("image", Tools.REGISTRY + "/e2e/slim-no-node:1", "insecure", true))))
        .create();
    NodeAppImage r = OperatorE2E.awaitReadyReason(client, "slim-no-node", "BuildFailed");
    assertThat(OperatorE2E.condition(r, "Ready").getMessage())
        .contains("runtime minimal: the base image has no node on PATH");
  }
}

package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.NodeAppImage;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A syntax error in the TypeScript app's build script: BuildFailed with the compiler's words. */
class BuildFailureIT extends OnRealCluster {

  @Test
  @SuppressWarnings("unchecked")
  void syntaxErrorInBuildScriptIsBuildFailed() throws Exception {
    Map<String, Object> inline = OperatorE2E.inline("typescript-dist");
    Map<String, String> files =
        new LinkedHashMap<>(
            (Map<String, String>) ((Map<String, Object>) inline.get("inline")).get("files"));
    files.put("src/index.ts", files.get("src/index.ts") + "\nconst broken: = ;\n");
    client
        .resource(
            OperatorE2E.resource(
                "broken-ts",
                Map.of(
                    "source", Map.of("inline", Map.of("files", files)),
                    "app", Map.of("buildScript", "build"),
                    "output",
                        Map.of("image", Tools.REGISTRY + "/e2e/broken-ts:1", "insecure", true))))
        .create();

    NodeAppImage r = OperatorE2E.awaitReadyReason(client, "broken-ts", "BuildFailed");
    var ready = OperatorE2E.condition(r, "Ready");
    assertThat(ready.getStatus()).isEqualTo("False");
    // the message carries the log tail: the compiler's complaint, not just "exit 1"
    assertThat(ready.getMessage()).contains("src/index.ts").containsIgnoringCase("error TS");
  }
}

package dev.leanode.e2e;

import dev.leanode.api.v1alpha1.NodeAppImage;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every other reference app through the operator, inline: Ready, size = skopeo's, and the image
 * answers on its port as the non-root node user with NODE_ENV=production. Each app is built once
 * and that one build is both measured and run.
 */
class ReferenceAppsIT extends OnRealCluster {

  @ParameterizedTest
  @CsvSource({
    "express-heavy-dev, ''",
    "typescript-dist, build",
    "yarn-app, ''",
    "pnpm-app, ''",
    "static-public, ''"
  })
  void buildsMeasuresAndRuns(String app, String buildScript) throws Exception {
    Map<String, Object> appSpec = new LinkedHashMap<>();
    appSpec.put("port", 3000);
    if (!buildScript.isEmpty()) {
      appSpec.put("buildScript", buildScript);
    }
    client
        .resource(
            OperatorE2E.resource(
                app,
                Map.of(
                    "source", OperatorE2E.inline(app),
                    "app", appSpec,
                    "output",
                        Map.of("image", Tools.REGISTRY + "/e2e/" + app + ":1", "insecure", true))))
        .create();
    NodeAppImage r = OperatorE2E.awaitCondition(client, app, "Ready", "True");
    OperatorE2E.assertMeasuredAndRuns(r, "hello from " + app);
  }
}

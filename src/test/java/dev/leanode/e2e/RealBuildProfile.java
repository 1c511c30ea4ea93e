package dev.leanode.e2e;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The operator as the real-build tier runs it: builds trust the machine's CA bundle (outbound HTTPS
 * here is re-signed by a local CA, so npm inside RUN steps needs it; testing.md), exercising the
 * product's extra-CA-bundle setting.
 */
public class RealBuildProfile implements QuarkusTestProfile {
  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "leanode.build.ca-bundle-file", "/etc/ssl/certs/ca-certificates.crt",
        "leanode.build.default-cache", "true");
  }
}

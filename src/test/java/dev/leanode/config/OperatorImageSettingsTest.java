package dev.leanode.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The operator image settings (docs/operator-image.md): an ordinary build never builds or pushes an
 * image (only hack/operator-image.sh turns Jib on), the release base is the pinned UBI 9 OpenJDK 17
 * runtime that src/main/docker/Dockerfile.jvm uses too. (The image itself, on the local JRE base,
 * is proven by HelmInstallIT.)
 */
class OperatorImageSettingsTest {
  static Properties props() throws Exception {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
      p.load(r);
    }
    return p;
  }

  @Test
  void imageBuildIsOffByDefault() throws Exception {
    Properties p = props();
    assertThat(p.getProperty("quarkus.container-image.build")).isEqualTo("false");
    assertThat(p.getProperty("quarkus.container-image.push")).isEqualTo("false");
    assertThat(Files.readString(Path.of("hack/operator-image.sh")))
        .contains("-Dquarkus.container-image.build=true -Dquarkus.container-image.push=true");
  }

  @Test
  void releaseBaseIsThePinnedUbiRuntimeOfTheDockerfile() throws Exception {
    String base = props().getProperty("quarkus.jib.base-jvm-image");
    assertThat(base)
        .matches("registry\\.access\\.redhat\\.com/ubi9/openjdk-17-runtime:\\d+\\.\\d+");
    assertThat(Files.readString(Path.of("src/main/docker/Dockerfile.jvm")))
        .contains("FROM " + base + "\n");
  }
}

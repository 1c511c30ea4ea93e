package dev.leanode.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The executor the product pins by default is the one the real-Kaniko tests build and run
 * (hack/kaniko.sh reads hack/kaniko/KANIKO_VERSION): the tested path is the shipped path.
 */
class KanikoPinTest {
  @Test
  void defaultKanikoImageIsTheTestedVersion() throws Exception {
    String tested = Files.readString(Path.of("hack/kaniko/KANIKO_VERSION")).trim();
    assertThat(BuildSettings.DEFAULT_KANIKO_IMAGE)
        .isEqualTo("ghcr.io/osscontainertools/kaniko:" + tested);
    assertThat(Files.readString(Path.of("deploy/helm/leanode/values.yaml")))
        .contains("kanikoImage: " + BuildSettings.DEFAULT_KANIKO_IMAGE);
  }
}

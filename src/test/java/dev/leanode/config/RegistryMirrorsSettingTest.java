package dev.leanode.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** leanode.build.registry-mirrors as the operator reads it (the chart passes a comma list). */
class RegistryMirrorsSettingTest {

  static BuildSettings settings(Map<String, String> props) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(LeanodeConfig.class)
            // Quarkus' own converter for "20m" style durations, as in the running operator
            .withConverter(
                java.time.Duration.class,
                200,
                new io.quarkus.runtime.configuration.DurationConverter())
            .withSources(new PropertiesConfigSource(props, "test", 500))
            .build();
    return SettingsProducer.from(config.getConfigMapping(LeanodeConfig.class).build());
  }

  @Test
  void unsetMeansNoMirror() {
    assertThat(settings(Map.of()).registryMirrors()).isEmpty();
  }

  @Test
  void aCommaListKeepsItsOrder() {
    assertThat(
            settings(
                    Map.of(
                        "leanode.build.registry-mirrors",
                        "harbor.corp/dockerhub-proxy,127.0.0.1:5000"))
                .registryMirrors())
        .containsExactly("harbor.corp/dockerhub-proxy", "127.0.0.1:5000");
  }

  @Test
  void aBadMirrorStopsTheOperatorAtStartUp() {
    assertThatThrownBy(
            () -> settings(Map.of("leanode.build.registry-mirrors", "http://mirror.corp")))
        .hasMessageContaining("leanode.build.registry-mirrors")
        .hasMessageContaining("no scheme");
  }
}

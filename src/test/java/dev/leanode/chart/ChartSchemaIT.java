package dev.leanode.chart;

import static dev.leanode.chart.ChartUnderTest.chart;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** values.schema.json rejects bad values before anything reaches the cluster. */
class ChartSchemaIT {

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        Arguments.of("no replicas", Map.of("replicas", 0)),
        Arguments.of("fractional replicas", Map.of("replicas", "1.5")),
        Arguments.of("unknown pull policy", Map.of("image.pullPolicy", "Sometimes")),
        Arguments.of("empty image repository", Map.of("image.repository", "")),
        Arguments.of("malformed digest", Map.of("image.digest", "latest")),
        Arguments.of("namespace that is not a DNS label", Map.of("watchNamespaces[0]", "Team_A")),
        Arguments.of("typo in a top-level key", Map.of("replica", 2)),
        Arguments.of("typo in a nested key", Map.of("build.kanikoimage", "x")),
        Arguments.of("unknown log level", Map.of("logLevel", "LOUD")),
        Arguments.of("timeout without unit", Map.of("build.defaultTimeout", "20")),
        Arguments.of("timeout in words", Map.of("build.defaultTimeout", "20 minutes")),
        Arguments.of("base poll interval of zero", Map.of("build.baseImagePollInterval", "0")),
        Arguments.of(
            "base poll interval without unit", Map.of("build.baseImagePollInterval", "10")),
        Arguments.of("cache as a string", Map.of("build.defaultCache", "yes")),
        Arguments.of("negative build limit", Map.of("build.maxConcurrentBuilds", -1)),
        Arguments.of("negative keepJobs", Map.of("build.keepJobs", -2)),
        Arguments.of("push secret with a slash", Map.of("build.defaultPushSecret", "ns/regcred")),
        Arguments.of(
            "CA bundle from both a ConfigMap and a Secret",
            Map.of("build.caBundle.configMap", "ca", "build.caBundle.secret", "ca")),
        Arguments.of("empty CA bundle key", Map.of("build.caBundle.key", "")),
        Arguments.of(
            "registry mirror with a scheme",
            Map.of("build.registryMirrors[0]", "https://mirror.corp")),
        Arguments.of(
            "registry mirror carrying a flag",
            Map.of("build.registryMirrors[0]", "mirror.corp --insecure")),
        Arguments.of(
            "two replicas without leader election",
            Map.of("replicas", 2, "leaderElection.enabled", false)),
        Arguments.of("lease name with capitals", Map.of("leaderElection.leaseName", "Lease")),
        Arguments.of("metrics port out of range", Map.of("metrics.service.port", 70000)),
        Arguments.of("leader election as a string", Map.of("leaderElection.enabled", "on")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidValues")
  void rejected(String why, Map<String, Object> values) {
    ChartUnderTest c = chart();
    values.forEach(c::set);

    assertThatThrownBy(c::renderYaml)
        .as(why)
        .hasMessageContaining("values don't meet the specifications of the schema");
  }

  static Stream<Arguments> validValues() {
    return Stream.of(
        Arguments.of("defaults", Map.of()),
        Arguments.of("HA", Map.of("replicas", 3)),
        Arguments.of(
            "single replica without leader election", Map.of("leaderElection.enabled", false)),
        Arguments.of("hour timeout", Map.of("build.defaultTimeout", "1h")),
        Arguments.of(
            "registry mirrors",
            Map.of(
                "build.registryMirrors[0]",
                "harbor.corp/dockerhub-proxy",
                "build.registryMirrors[1]",
                "127.0.0.1:5000")),
        Arguments.of("namespaces", Map.of("watchNamespaces[0]", "a", "watchNamespaces[1]", "b-2")),
        Arguments.of(
            "extra env",
            Map.of(
                "extraEnv[0].name",
                "QUARKUS_OPERATOR_SDK_CONCURRENT_RECONCILIATION_THREADS",
                "extraEnv[0].value",
                "10")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validValues")
  void accepted(String why, Map<String, Object> values) {
    ChartUnderTest c = chart();
    values.forEach(c::set);

    assertThatCode(c::renderYaml).as(why).doesNotThrowAnyException();
  }
}

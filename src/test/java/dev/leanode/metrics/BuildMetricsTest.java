package dev.leanode.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The build metrics carry the trigger, so "rebuilds caused by base image moves" is a query. */
class BuildMetricsTest {
  @Test
  void startedAndFinishedBuildsAreCountedByTrigger() {
    var registry = new SimpleMeterRegistry();
    var metrics = new BuildMetrics(registry);
    metrics.buildStarted("team", "BaseImageUpdated");
    metrics.buildStarted("team", "BaseImageUpdated");
    metrics.buildStarted("team", "NewCommit");
    metrics.buildFinished("team", "succeeded", "BaseImageUpdated", Duration.ofSeconds(42));

    assertThat(
            registry
                .get("leanode_builds_started")
                .tag("trigger", "BaseImageUpdated")
                .counter()
                .count())
        .isEqualTo(2.0);
    assertThat(registry.get("leanode_builds_started").tag("trigger", "NewCommit").counter().count())
        .isEqualTo(1.0);
    assertThat(
            registry
                .get("leanode_builds_finished")
                .tags("outcome", "succeeded", "trigger", "BaseImageUpdated")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(
            registry
                .get("leanode_build_duration")
                .tag("trigger", "BaseImageUpdated")
                .timer()
                .totalTime(java.util.concurrent.TimeUnit.SECONDS))
        .isEqualTo(42.0);
  }
}

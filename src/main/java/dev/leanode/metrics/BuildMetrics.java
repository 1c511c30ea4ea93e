package dev.leanode.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** Leanode's own Prometheus metrics: builds started/finished, build duration, image size. */
@ApplicationScoped
public class BuildMetrics {
  private final MeterRegistry registry;

  public BuildMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A build Job was created; trigger says why (Created, NewCommit, …). */
  public void buildStarted(String namespace, String trigger) {
    Counter.builder("leanode_builds_started")
        .description("Build Jobs created, by trigger")
        .tag("namespace", namespace)
        .tag("trigger", trigger)
        .register(registry)
        .increment();
  }

  /** A build Job finished; outcome is succeeded, failed or timed_out; trigger as started. */
  public void buildFinished(String namespace, String outcome, String trigger, Duration duration) {
    Counter.builder("leanode_builds_finished")
        .description("Build Jobs finished, by outcome and trigger")
        .tag("namespace", namespace)
        .tag("outcome", outcome)
        .tag("trigger", trigger)
        .register(registry)
        .increment();
    if (duration != null) {
      Timer.builder("leanode_build_duration")
          .description("Wall time of build Jobs")
          .tag("outcome", outcome)
          .tag("trigger", trigger)
          .register(registry)
          .record(duration);
    }
  }

  /** The compressed size of an image that was pushed and measured. */
  public void imageSize(String namespace, long bytes) {
    DistributionSummary.builder("leanode_image_size_bytes")
        .description("Compressed size of built images")
        .baseUnit("bytes")
        .tag("namespace", namespace)
        .register(registry)
        .record(bytes);
  }
}

package dev.leanode.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.build.BuildState;
import dev.leanode.registry.ImageReference;
import dev.leanode.registry.ImageSize;
import dev.leanode.registry.RegistryClient;
import dev.leanode.registry.RegistryCredentials;
import dev.leanode.registry.RegistryException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The size read and its retry policy, called directly with a registry that answers or not. */
class ImageMeasurerTest {
  static final String LEAN = "sha256:" + "a".repeat(64);
  static final String SINGLE = "sha256:" + "b".repeat(64);

  final Map<String, Long> sizes = new HashMap<>();
  final List<String> asked = new ArrayList<>();
  boolean down;

  final RegistryClient registry =
      new RegistryClient() {
        @Override
        public ImageSize measure(
            ImageReference ref, Optional<RegistryCredentials> creds, boolean insecure)
            throws RegistryException {
          asked.add(ref.toString());
          if (down) {
            throw new RegistryException(
                "registry answered 503 Service Unavailable", 503, true, null);
          }
          return new ImageSize(sizes.get(ref.digest()), null, null);
        }

        @Override
        public String digest(
            ImageReference ref, Optional<RegistryCredentials> creds, boolean insecure) {
          throw new AssertionError("the size reader never asks for a tag's digest: " + ref);
        }
      };

  static NodeAppImage expressApp() throws IOException {
    try (InputStream in = Files.newInputStream(Path.of("examples/express-app.yaml"))) {
      return new KubernetesSerialization().unmarshal(in, NodeAppImage.class);
    }
  }

  static BuildState succeeded(String digest, String single) {
    return new BuildState(BuildState.Phase.SUCCEEDED, digest, single, null, "s", "e");
  }

  @Test
  void registryDownKeepsTheDigestAndCountsTheAttemptInTheMessage() throws IOException {
    down = true;
    var m =
        new ImageMeasurer(registry)
            .measure(
                expressApp().getSpec(),
                succeeded(LEAN, null),
                Optional.empty(),
                new NodeAppImageStatus());
    assertThat(m)
        .isInstanceOfSatisfying(
            ImageMeasurer.Unknown.class,
            u -> {
              assertThat(u.output().getDigest()).isEqualTo(LEAN);
              assertThat(u.output().getSizeBytes()).isNull();
              assertThat(u.message(3))
                  .isEqualTo(
                      "Image pushed as "
                          + LEAN
                          + "; reading its size failed (attempt 3): registry answered 503 Service"
                          + " Unavailable");
            });
  }

  @Test
  void sizeRetryBacksOffFromFiveSecondsToFiveMinutes() {
    assertThat(ImageMeasurer.BACKOFF.delay(1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(ImageMeasurer.BACKOFF.delay(3)).isEqualTo(Duration.ofSeconds(20));
    assertThat(ImageMeasurer.BACKOFF.delay(7)).isEqualTo(Duration.ofMinutes(5));
    assertThat(ImageMeasurer.BACKOFF.delay(1000)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void measuredSizeAndComparison() throws IOException {
    sizes.put(LEAN, 40_000_000L);
    sizes.put(SINGLE, 100_000_000L);
    var m =
        new ImageMeasurer(registry)
            .measure(
                expressApp().getSpec(),
                succeeded(LEAN, SINGLE),
                Optional.empty(),
                new NodeAppImageStatus());
    assertThat(m)
        .isInstanceOfSatisfying(
            ImageMeasurer.Measured.class,
            r -> {
              assertThat(r.bytes()).isEqualTo(40_000_000L);
              assertThat(r.output().getSize()).isEqualTo("38.1 MiB");
              assertThat(r.comparison().getSavedPercent()).isEqualTo(60.0);
              assertThat(r.comparison().getSingleStageImage())
                  .isEqualTo("registry.example.com/team/express-app:1.0.0-single-stage");
            });
    assertThat(asked)
        .containsExactly(
            "registry.example.com/team/express-app:1.0.0@" + LEAN,
            "registry.example.com/team/express-app:1.0.0-single-stage@" + SINGLE);
  }

  @Test
  void aDigestMeasuredBeforeIsNotAskedAgain() throws IOException {
    var previous = new NodeAppImageStatus();
    var out = new NodeAppImageStatus.OutputStatus();
    out.setDigest(LEAN);
    out.setSizeBytes(1L);
    previous.setOutput(out);
    down = true;
    var m =
        new ImageMeasurer(registry)
            .measure(expressApp().getSpec(), succeeded(LEAN, null), Optional.empty(), previous);
    assertThat(m).isEqualTo(new ImageMeasurer.Known(out));
    assertThat(asked).isEmpty();
  }

  /** The size-retry decision: the attempt comes from status.retry, the delay doubles with it. */
  @Test
  void sizeRetryCountsInTheStatusAndEndsWhenMeasured() throws IOException {
    down = true;
    var measurer = new ImageMeasurer(registry);
    var spec = expressApp().getSpec();
    NodeAppImageStatus status = null;
    java.util.List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      var agg = new dev.leanode.status.StatusAggregator(status);
      var m = measurer.measure(spec, succeeded(LEAN, null), Optional.empty(), agg.previous());
      assertThat(ImageMeasurer.record(m, agg)).isEmpty();
      delays.add(agg.retryAfter().orElseThrow());
      status = agg.build(1, java.time.Instant.EPOCH);
    }
    assertThat(delays)
        .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20));
    assertThat(status.getRetry()).isEqualTo(new NodeAppImageStatus.RetryStatus("SizeUnknown", 3));
    assertThat(status.condition(NodeAppImageStatus.READY).orElseThrow().getMessage())
        .contains("(attempt 3)");
    assertThat(status.getOutput().getDigest()).isEqualTo(LEAN);

    down = false;
    sizes.put(LEAN, 2048L);
    var agg = new dev.leanode.status.StatusAggregator(status);
    var m = measurer.measure(spec, succeeded(LEAN, null), Optional.empty(), agg.previous());
    assertThat(ImageMeasurer.record(m, agg)).contains(2048L);
    var healed = agg.build(1, java.time.Instant.EPOCH);
    assertThat(agg.reason()).isEqualTo(dev.leanode.status.Reason.BUILD_SUCCEEDED);
    assertThat(agg.retryAfter()).isEmpty();
    assertThat(healed.getRetry()).isNull();
    assertThat(healed.getOutput().getSizeBytes()).isEqualTo(2048L);
  }
}

package dev.leanode.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.observe.ImageMeasurer;
import dev.leanode.registry.ImageReference;
import dev.leanode.registry.ImageSize;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconcilerArithmeticTest {
  @Test
  void comparisonArithmetic() {
    var c =
        ImageMeasurer.comparison(
            "r/x:1-single-stage",
            new ImageSize(78_765_432L, null, null),
            new ImageSize(54_634_123L, null, null));
    assertThat(c.getSavedBytes()).isEqualTo(24_131_309L);
    assertThat(c.getSavedPercent()).isEqualTo(30.6);
    assertThat(c.getSingleStageSizeBytes()).isEqualTo(78_765_432L);
  }

  @Test
  void comparisonOfAnEmptySingleStageImageDoesNotDivideByZero() {
    var c =
        ImageMeasurer.comparison("x", new ImageSize(0, null, null), new ImageSize(0, null, null));
    assertThat(c.getSavedPercent()).isEqualTo(0.0);
  }

  @Test
  void backoffDoublesAndIsCapped() {
    assertThat(ImageMeasurer.BACKOFF.delay(1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(ImageMeasurer.BACKOFF.delay(2)).isEqualTo(Duration.ofSeconds(10));
    assertThat(ImageMeasurer.BACKOFF.delay(4)).isEqualTo(Duration.ofSeconds(40));
    assertThat(ImageMeasurer.BACKOFF.delay(50)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void singleStageTagDerivesFromTheOutputTag() {
    assertThat(
            ImageMeasurer.singleStageImage(
                ImageReference.parse("registry.example.com/team/app:1.0.0")))
        .isEqualTo("registry.example.com/team/app:1.0.0-single-stage");
  }
}

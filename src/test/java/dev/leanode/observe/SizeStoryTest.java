package dev.leanode.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.NodeAppImageStatus.OutputStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class SizeStoryTest {
  @Test
  void splitsBaseDependenciesAndAppByTheFinalStagesShape() {
    // base (2 layers), WORKDIR, shim, node_modules, one runtime-files layer
    var l = SizeStory.layers(List.of(30_000_000L, 3_000_000L, 120L, 600L, 2_500_000L, 9_000L), 1);
    assertThat(l.getBaseBytes()).isEqualTo(33_000_720L);
    assertThat(l.getDependenciesBytes()).isEqualTo(2_500_000L);
    assertThat(l.getAppBytes()).isEqualTo(9_000L);
  }

  @Test
  void severalRuntimeFileLayersAreAllApp() {
    var l = SizeStory.layers(List.of(40_000_000L, 700L, 1_000_000L, 10L, 20L, 30L), 3);
    assertThat(l.getBaseBytes()).isEqualTo(40_000_700L);
    assertThat(l.getDependenciesBytes()).isEqualTo(1_000_000L);
    assertThat(l.getAppBytes()).isEqualTo(60L);
  }

  @Test
  void aManifestTooShortForOurShapeHasNoSplit() {
    assertThat(SizeStory.layers(List.of(1L, 2L), 1)).isNull();
    assertThat(SizeStory.layers(List.of(), 1)).isNull();
    assertThat(SizeStory.layers(null, 1)).isNull();
  }

  static OutputStatus out(String digest, Long size) {
    var o = new OutputStatus();
    o.setDigest(digest);
    o.setSizeBytes(size);
    return o;
  }

  @Test
  void changeSinceThePreviousImage() {
    var c = SizeStory.change(out("sha256:a", 70_000_000L), out("sha256:b", 52_500_000L));
    assertThat(c.getPreviousDigest()).isEqualTo("sha256:a");
    assertThat(c.getBytes()).isEqualTo(-17_500_000L);
    assertThat(c.getPercent()).isEqualTo(-25.0);
    assertThat(SizeStory.change(out("sha256:a", 1000L), out("sha256:b", 1001L)).getPercent())
        .isEqualTo(0.1);
  }

  @Test
  void noChangeForAFirstBuildTheSameDigestOrAnUnknownSize() {
    assertThat(SizeStory.change(null, out("sha256:b", 1L))).isNull();
    assertThat(SizeStory.change(out("sha256:b", 5L), out("sha256:b", 5L))).isNull();
    assertThat(SizeStory.change(out("sha256:a", null), out("sha256:b", 5L))).isNull();
  }
}

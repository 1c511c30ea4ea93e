package dev.leanode.observe;

import dev.leanode.api.v1alpha1.NodeAppImageStatus.LayersStatus;
import dev.leanode.api.v1alpha1.NodeAppImageStatus.OutputStatus;
import dev.leanode.api.v1alpha1.NodeAppImageStatus.SizeChangeStatus;
import java.util.List;
import java.util.Objects;

/**
 * The size story's arithmetic, pure: a manifest's layer sizes split into base / dependencies / app
 * by the known shape of Leanode's final stage (…base layers, WORKDIR, shim, node_modules, then one
 * layer per runtime-files COPY), and the change since the previous image.
 */
public final class SizeStory {
  private SizeStory() {}

  /**
   * The split, or null when the manifest has fewer layers than our final stage adds (not an image
   * of ours).
   *
   * @param appLayers {@code DockerfileGenerator.appLayerCount} for the spec that was built
   */
  public static LayersStatus layers(List<Long> layerSizes, int appLayers) {
    int n = layerSizes == null ? 0 : layerSizes.size();
    if (appLayers < 1 || n < appLayers + 2) {
      return null;
    }
    int deps = n - appLayers - 1;
    long base = 0;
    long app = 0;
    for (int i = 0; i < n; i++) {
      if (i < deps) {
        base += layerSizes.get(i);
      } else if (i > deps) {
        app += layerSizes.get(i);
      }
    }
    var l = new LayersStatus();
    l.setBaseBytes(base);
    l.setDependenciesBytes(layerSizes.get(deps));
    l.setAppBytes(app);
    return l;
  }

  /** The change from the previous image's size, or null for a first build or the same digest. */
  public static SizeChangeStatus change(OutputStatus previous, OutputStatus now) {
    if (previous == null
        || previous.getSizeBytes() == null
        || now.getSizeBytes() == null
        || previous.getDigest() == null
        || Objects.equals(previous.getDigest(), now.getDigest())) {
      return null;
    }
    long before = previous.getSizeBytes();
    long bytes = now.getSizeBytes() - before;
    var c = new SizeChangeStatus();
    c.setPreviousDigest(previous.getDigest());
    c.setBytes(bytes);
    c.setPercent(before == 0 ? 0.0 : Math.round(1000.0 * bytes / before) / 10.0);
    return c;
  }
}

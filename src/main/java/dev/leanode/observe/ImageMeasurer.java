package dev.leanode.observe;

import dev.leanode.api.v1alpha1.NodeAppImageSpec;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.api.v1alpha1.NodeAppImageStatus.ComparisonStatus;
import dev.leanode.api.v1alpha1.NodeAppImageStatus.OutputStatus;
import dev.leanode.build.BuildState;
import dev.leanode.registry.DockerConfigJson;
import dev.leanode.registry.ImageReference;
import dev.leanode.registry.ImageSize;
import dev.leanode.registry.RegistryClient;
import dev.leanode.registry.RegistryCredentials;
import dev.leanode.registry.RegistryException;
import dev.leanode.registry.SizeFormat;
import dev.leanode.status.Backoff;
import dev.leanode.status.Reason;
import dev.leanode.status.StatusAggregator;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a pushed image's compressed size (and the single-stage variant's) from the registry. A
 * registry that does not answer leaves the digest in place and is asked again with {@link
 * #BACKOFF}; the attempt count lives in {@code status.retry}.
 */
public final class ImageMeasurer {
  public static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5));

  /** What the registry said. */
  public sealed interface Measurement {
    OutputStatus output();
  }

  /** This digest was measured before: nothing asked. */
  public record Known(OutputStatus output) implements Measurement {}

  /**
   * Freshly measured.
   *
   * @param comparison the single-stage comparison, or null when none was built
   */
  public record Measured(OutputStatus output, ComparisonStatus comparison, long bytes)
      implements Measurement {}

  /** The registry did not answer; the digest is kept, the size follows. */
  public record Unknown(OutputStatus output, String error) implements Measurement {
    /** The condition message on the {@code attempt}-th failed read. */
    public String message(int attempt) {
      return "Image pushed as "
          + output.getDigest()
          + "; reading its size failed (attempt "
          + attempt
          + "): "
          + error;
    }
  }

  private final RegistryClient registry;

  public ImageMeasurer(RegistryClient registry) {
    this.registry = registry;
  }

  public Measurement measure(
      NodeAppImageSpec spec,
      BuildState state,
      Optional<String> dockerConfigJson,
      NodeAppImageStatus previous) {
    var prevOut = previous.getOutput();
    boolean known =
        prevOut != null
            && Objects.equals(prevOut.getDigest(), state.digest())
            && prevOut.getSizeBytes() != null
            && (state.singleStageDigest() == null || previous.getComparison() != null);
    if (known) {
      return new Known(prevOut);
    }
    var out = new OutputStatus();
    out.setImage(spec.getOutput().getImage());
    out.setDigest(state.digest());
    boolean insecure = spec.getOutput().insecure();
    try {
      ImageReference ref = ImageReference.parse(spec.getOutput().getImage());
      Optional<RegistryCredentials> creds =
          dockerConfigJson.flatMap(json -> DockerConfigJson.credentialsFor(json, ref.registry()));
      ImageSize size = registry.measure(ref.withDigest(state.digest()), creds, insecure);
      out.setSizeBytes(size.compressedBytes());
      out.setSize(SizeFormat.human(size.compressedBytes()));
      out.setPlatform(size.platform());
      out.setLayers(
          SizeStory.layers(
              size.layers(),
              dev.leanode.dockerfile.DockerfileGenerator.appLayerCount(spec.getApp())));
      out.setChange(SizeStory.change(prevOut, out));
      ComparisonStatus comparison = null;
      if (state.singleStageDigest() != null) {
        ImageSize single =
            registry.measure(
                ImageReference.parse(singleStageImage(ref)).withDigest(state.singleStageDigest()),
                creds,
                insecure);
        comparison = comparison(singleStageImage(ref), single, size);
      }
      return new Measured(out, comparison, size.compressedBytes());
    } catch (RegistryException e) {
      return new Unknown(out, e.getMessage());
    }
  }

  /**
   * What a measurement puts in the status: the output (digest always), the comparison when freshly
   * measured, BuildSucceeded or SizeUnknown with its attempt and backoff. Returns the compressed
   * size when it was read now (for the metric), else empty.
   */
  public static Optional<Long> record(Measurement m, StatusAggregator status) {
    status.next().setOutput(m.output());
    if (m instanceof Unknown u) {
      int attempt = status.countAttempt(Reason.SIZE_UNKNOWN, Integer.MAX_VALUE);
      status.outcome(Reason.SIZE_UNKNOWN, u.message(attempt), BACKOFF.delay(attempt));
      return Optional.empty();
    }
    status.outcome(Reason.BUILD_SUCCEEDED, succeededMessage(m.output()), null);
    if (m instanceof Measured fresh) {
      status.next().setComparison(fresh.comparison());
      return Optional.of(fresh.bytes());
    }
    return Optional.empty();
  }

  public static String singleStageImage(ImageReference ref) {
    return dev.leanode.build.BuildLayout.singleStageImage(ref);
  }

  public static String succeededMessage(OutputStatus out) {
    return "Pushed " + out.getImage() + "@" + out.getDigest() + " (" + out.getSize() + ")";
  }

  public static ComparisonStatus comparison(
      String singleStageImage, ImageSize single, ImageSize lean) {
    var c = new ComparisonStatus();
    c.setSingleStageImage(singleStageImage);
    c.setSingleStageSizeBytes(single.compressedBytes());
    long saved = single.compressedBytes() - lean.compressedBytes();
    c.setSavedBytes(saved);
    c.setSavedPercent(
        single.compressedBytes() == 0
            ? 0.0
            : Math.round(1000.0 * saved / single.compressedBytes()) / 10.0);
    c.setSaved(
        (saved < 0 ? "-" + SizeFormat.human(-saved) : SizeFormat.human(saved))
            + " ("
            + c.getSavedPercent()
            + "%)");
    return c;
  }
}

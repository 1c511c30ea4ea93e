package dev.leanode.registry;

import java.util.List;

/**
 * What the registry stores for one image: config + layer sizes (compressed, as pushed).
 *
 * @param compressedBytes manifest {@code config.size} + the sum of {@code layers[].size}
 * @param platform {@code os/arch[/variant]} of the entry chosen from an image index; {@code null}
 *     when the reference named a single-platform manifest
 * @param mediaType media type of the measured image manifest
 * @param layers each layer's compressed size, in the manifest's order (base first); empty when not
 *     read
 */
public record ImageSize(
    long compressedBytes, String platform, String mediaType, List<Long> layers) {
  public ImageSize {
    layers = layers == null ? List.of() : List.copyOf(layers);
  }

  /** A measurement without the per-layer sizes. */
  public ImageSize(long compressedBytes, String platform, String mediaType) {
    this(compressedBytes, platform, mediaType, List.of());
  }
}

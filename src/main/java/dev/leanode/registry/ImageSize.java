package dev.leanode.registry;

/**
 * What the registry stores for one image: config + layer sizes (compressed, as pushed).
 *
 * @param compressedBytes manifest {@code config.size} + the sum of {@code layers[].size}
 * @param platform {@code os/arch[/variant]} of the entry chosen from an image index; {@code null}
 *     when the reference named a single-platform manifest
 * @param mediaType media type of the measured image manifest
 */
public record ImageSize(long compressedBytes, String platform, String mediaType) {}

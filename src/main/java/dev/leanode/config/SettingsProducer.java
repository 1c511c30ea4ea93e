package dev.leanode.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Turns the Quarkus configuration into the plain {@link BuildSettings} value. */
@ApplicationScoped
public class SettingsProducer {

  @Produces
  @Singleton // a record is final: no client proxy, so not normal-scoped
  BuildSettings buildSettings(LeanodeConfig config) {
    return from(config.build());
  }

  static BuildSettings from(LeanodeConfig.Build b) {
    return new BuildSettings(
        b.kanikoImage(),
        b.contextInitImage(),
        b.defaultTimeout(),
        b.defaultCache(),
        b.caBundleFile().map(SettingsProducer::readCaBundle),
        b.ttlSecondsAfterFinished(),
        b.keepJobs(),
        b.defaultPushSecret().orElse(null),
        b.maxConcurrentBuilds(),
        b.registryMirrors().orElse(java.util.List.of()),
        b.baseImagePollInterval());
  }

  /** Read once at start-up: a missing or empty bundle is a configuration error, said loudly. */
  static String readCaBundle(String file) {
    try {
      String pem = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
        throw new IllegalStateException(
            "leanode.build.ca-bundle-file " + file + " holds no PEM certificate");
      }
      return pem;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "leanode.build.ca-bundle-file " + file + " cannot be read: " + e.getMessage(), e);
    }
  }
}

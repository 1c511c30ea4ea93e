package dev.leanode.reconciler;

import dev.leanode.build.ImageBuildRunner;
import dev.leanode.build.KanikoBuildRunner;
import dev.leanode.dockerfile.AppDirInspector;
import dev.leanode.dockerfile.DockerfileGenerator;
import dev.leanode.registry.OrasRegistryClient;
import dev.leanode.registry.RegistryClient;
import dev.leanode.source.GitRevisionResolver;
import dev.leanode.validation.SpecValidator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;

/**
 * Wires the pure components into CDI. Final classes are {@code @Singleton} (no proxy); the registry
 * client and the build runner are interfaces and normal-scoped, so tests can swap them with {@code
 * QuarkusMock}.
 */
@ApplicationScoped
public class Producers {

  @Produces
  @Singleton
  SpecValidator specValidator() {
    return new SpecValidator();
  }

  @Produces
  @Singleton
  DockerfileGenerator dockerfileGenerator() {
    return new DockerfileGenerator();
  }

  @Produces
  @Singleton
  AppDirInspector appDirInspector() {
    return new AppDirInspector();
  }

  @Produces
  @ApplicationScoped
  ImageBuildRunner imageBuildRunner() {
    return new KanikoBuildRunner();
  }

  @Produces
  @Singleton
  SourceResolver sourceResolver() {
    return new SourceResolver(new GitRevisionResolver(), Duration.ofSeconds(30), Clock.systemUTC());
  }

  @Produces
  @ApplicationScoped
  RegistryClient registryClient() {
    return new OrasRegistryClient();
  }
}

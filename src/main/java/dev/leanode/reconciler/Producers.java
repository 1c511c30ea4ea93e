package dev.leanode.reconciler;

import dev.leanode.build.ImageBuildRunner;
import dev.leanode.build.KanikoBuildRunner;
import dev.leanode.dockerfile.DockerfileGenerator;
import dev.leanode.registry.OrasRegistryClient;
import dev.leanode.registry.RegistryClient;
import dev.leanode.source.GitRevisionResolver;
import dev.leanode.validation.SpecValidator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;
import java.time.Duration;

/** Wires the pure components into CDI; tests replace single beans with {@code @Alternative}s. */
@ApplicationScoped
public class Producers {

  @Produces
  @ApplicationScoped
  SpecValidator specValidator() {
    return new SpecValidator();
  }

  @Produces
  @ApplicationScoped
  DockerfileGenerator dockerfileGenerator() {
    return new DockerfileGenerator();
  }

  @Produces
  @ApplicationScoped
  ImageBuildRunner imageBuildRunner() {
    return new KanikoBuildRunner();
  }

  @Produces
  @ApplicationScoped
  SourceResolver sourceResolver() {
    return new SourceResolver(new GitRevisionResolver(), Duration.ofSeconds(30), Clock.systemUTC());
  }

  @Produces
  @ApplicationScoped
  RegistryClient registryClient() {
    return new OrasRegistryClient();
  }
}

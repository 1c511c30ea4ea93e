package dev.leanode.build;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.config.BuildSettings;
import dev.leanode.source.ResolvedSource;
import java.util.Objects;

/**
 * Everything one build needs.
 *
 * @param resource the NodeAppImage (owner, namespace, output and build settings)
 * @param dockerfile the generated lean Dockerfile
 * @param singleStageDockerfile the single-stage comparison Dockerfile, or null when
 *     build.compareSingleStage is off
 * @param source inline files or a resolved git commit
 * @param pushSecretName dockerconfigjson Secret for the push (spec or operator default), or null
 * @param settings operator-wide build settings
 */
public record BuildRequest(
    NodeAppImage resource,
    String dockerfile,
    String singleStageDockerfile,
    ResolvedSource source,
    String pushSecretName,
    BuildSettings settings) {
  public BuildRequest {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(dockerfile, "dockerfile");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(settings, "settings");
  }
}

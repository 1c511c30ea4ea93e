package dev.leanode.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.config.BuildSettings;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The generated ConfigMap and Job as YAML, compared with files under
 * src/test/resources/golden/job/. Regenerate on purpose with {@code -Dleanode.golden.update=true}.
 */
class GoldenJobTest {
  static final Path DIR = Path.of("src/test/resources/golden/job");
  final KanikoBuildRunner runner = new KanikoBuildRunner();

  @Test
  void inlineExpressApp() throws IOException {
    BuildPlan plan = runner.plan(BuildFixtures.inlineRequest());
    golden("inline-express.job.yaml", Serialization.asYaml(plan.job()));
    golden("inline-express.configmap.yaml", Serialization.asYaml(plan.configMap()));
  }

  /** Only this golden has the mirror setting: installs without it render exactly as before. */
  @Test
  void inlineExpressAppWithRegistryMirrors() throws IOException {
    var req = BuildFixtures.inlineRequest();
    BuildPlan plan =
        runner.plan(
            new BuildRequest(
                req.resource(),
                req.dockerfile(),
                req.singleStageDockerfile(),
                req.source(),
                req.pushSecretName(),
                req.settings()
                    .withRegistryMirrors(
                        java.util.List.of("mirror.corp/dockerhub", "10.0.0.5:5000"))));
    golden("inline-express-mirrors.job.yaml", Serialization.asYaml(plan.job()));
  }

  /**
   * spec.build.npmrcSecretRef: the Secret in the copy-npmrc init container only, one emptyDir copy
   * per Kaniko container (the single-stage one has its own).
   */
  @Test
  void inlineExpressAppWithNpmrcSecret() throws IOException {
    var req = BuildFixtures.inlineRequest();
    req.resource()
        .getSpec()
        .getBuild()
        .setNpmrcSecretRef(new dev.leanode.api.v1alpha1.LocalObjectRef("npm-auth"));
    BuildPlan plan = runner.plan(req);
    golden("inline-express-npmrc.job.yaml", Serialization.asYaml(plan.job()));
    var pod = plan.job().getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers())
        .allSatisfy(
            c ->
                assertThat(c.getVolumeMounts())
                    .noneMatch(m -> m.getName().equals("npmrc-secret"))
                    .anyMatch(m -> m.getMountPath().equals(BuildLayout.NPMRC_DIR)));
    assertThat(pod.getInitContainers())
        .extracting(c -> c.getName())
        .containsExactly(KanikoBuildRunner.INIT_CONTAINER, NpmrcVolumes.INIT_CONTAINER);
    assertThat(plan.job().getMetadata().getName())
        .as("the npmrc Secret's name joins the input hash")
        .isNotEqualTo(runner.plan(BuildFixtures.inlineRequest()).job().getMetadata().getName());
  }

  @Test
  void gitAppWithCaBundleAndResources() throws IOException {
    var req = BuildFixtures.gitRequest();
    req.resource().getSpec().getBuild().setTimeout("45m");
    req.resource()
        .getSpec()
        .getBuild()
        .setResources(
            new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("1"))
                .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("2Gi"))
                .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("4Gi"))
                .build());
    BuildPlan plan =
        runner.plan(
            new BuildRequest(
                req.resource(),
                req.dockerfile(),
                null,
                req.source(),
                req.pushSecretName(),
                BuildSettings.defaults()
                    .withCaBundlePem(
                        "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n")));
    golden("git-app.job.yaml", Serialization.asYaml(plan.job()));
  }

  static void golden(String file, String actual) throws IOException {
    Path path = DIR.resolve(file);
    if (Boolean.getBoolean("leanode.golden.update")) {
      Files.createDirectories(DIR);
      Files.writeString(path, actual, StandardCharsets.UTF_8);
    }
    assertThat(path)
        .as("golden file %s (regenerate with -Dleanode.golden.update=true)", path)
        .exists();
    assertThat(actual).isEqualTo(Files.readString(path, StandardCharsets.UTF_8));
  }
}

package dev.leanode.build;

import static dev.leanode.build.BuildFixtures.COMMIT;
import static dev.leanode.build.BuildFixtures.UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leanode.config.BuildSettings;
import dev.leanode.source.GitCredentials;
import dev.leanode.source.ResolvedSource;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KanikoBuildRunnerPlanTest {
  final KanikoBuildRunner runner = new KanikoBuildRunner();

  static PodSpec pod(BuildPlan plan) {
    return plan.job().getSpec().getTemplate().getSpec();
  }

  static Container container(BuildPlan plan, String name) {
    return pod(plan).getContainers().stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  static List<String> names(List<?> items) {
    return items.stream()
        .map(
            o ->
                o instanceof Volume v
                    ? v.getName()
                    : o instanceof VolumeMount m ? m.getName() + ":" + m.getMountPath() : "?")
        .toList();
  }

  @Test
  void inlineConfigMapHoldsDockerfilesAndFilesUnderHashedKeys() {
    BuildPlan plan = runner.plan(BuildFixtures.inlineRequest());
    Map<String, String> data = plan.configMap().getData();
    assertThat(data)
        .containsOnlyKeys(
            "Dockerfile",
            "Dockerfile.single-stage",
            BuildConfigMap.inlineKey("package.json"),
            BuildConfigMap.inlineKey("index.js"),
            BuildConfigMap.inlineKey("public/robots.txt"));
    assertThat(BuildConfigMap.inlineKey("public/robots.txt")).matches("src\\.[0-9a-f]{12}");
    assertThat(data.get("Dockerfile")).isEqualTo(BuildFixtures.DOCKERFILE);
    assertThat(data.get(BuildConfigMap.inlineKey("public/robots.txt")))
        .isEqualTo("User-agent: *\n");
    assertThat(plan.configMap().getMetadata().getName()).isEqualTo(plan.name());
    assertThat(plan.job().getMetadata().getName()).isEqualTo(plan.name());
    assertThat(plan.name()).startsWith("hello-express-").hasSize("hello-express-".length() + 10);
    assertThat(plan.name()).endsWith(plan.inputHash().substring(0, 10));
  }

  @Test
  void inlineJob() {
    BuildPlan plan = runner.plan(BuildFixtures.inlineRequest());
    var spec = plan.job().getSpec();
    assertThat(spec.getBackoffLimit()).isZero();
    assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(1200L);
    assertThat(spec.getTtlSecondsAfterFinished()).isEqualTo(3600);
    PodSpec pod = pod(plan);
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

    assertThat(names(pod.getVolumes()))
        .containsExactly("dockerfile", "inline", "context", "docker-config");
    Volume dockerfile = pod.getVolumes().get(0);
    assertThat(dockerfile.getConfigMap().getName()).isEqualTo(plan.name());
    assertThat(dockerfile.getConfigMap().getItems())
        .extracting(KeyToPath::getKey, KeyToPath::getPath)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("Dockerfile", "Dockerfile"),
            org.assertj.core.groups.Tuple.tuple(
                "Dockerfile.single-stage", "Dockerfile.single-stage"));
    assertThat(pod.getVolumes().get(1).getConfigMap().getItems())
        .extracting(KeyToPath::getPath)
        .containsExactly("index.js", "package.json", "public/robots.txt");
    assertThat(pod.getVolumes().get(2).getEmptyDir()).isNotNull();
    var secret = pod.getVolumes().get(3).getSecret();
    assertThat(secret.getSecretName()).isEqualTo("regcred");
    assertThat(secret.getItems())
        .extracting(KeyToPath::getKey, KeyToPath::getPath)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(".dockerconfigjson", "config.json"));

    Container init = pod.getInitContainers().get(0);
    assertThat(init.getName()).isEqualTo("prepare-context");
    assertThat(init.getImage()).isEqualTo(BuildSettings.DEFAULT_CONTEXT_INIT_IMAGE);
    assertThat(init.getCommand())
        .containsExactly(
            "sh", "-c", "cp -RL /leanode/inline/. /workspace/ && rm -rf /workspace/..?*");
    assertThat(names(init.getVolumeMounts()))
        .containsExactly("inline:/leanode/inline", "context:/workspace");
    assertThat(init.getVolumeMounts().get(0).getReadOnly()).isTrue();
    assertThat(init.getVolumeMounts().get(1).getReadOnly()).isNull();
    assertThat(init.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(init.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");

    Container kaniko = container(plan, "kaniko");
    assertThat(kaniko.getImage()).isEqualTo(BuildSettings.DEFAULT_KANIKO_IMAGE);
    assertThat(kaniko.getArgs())
        .containsExactly(
            "--dockerfile=/leanode/dockerfile/Dockerfile",
            "--context=dir:///workspace",
            "--destination=registry.example.com/team/hello-express:1.0.0",
            "--digest-file=/dev/termination-log",
            "--cache=true",
            "--cache-repo=registry.example.com/team/hello-express/cache");
    assertThat(kaniko.getEnv()).isEmpty();
    assertThat(kaniko.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(names(kaniko.getVolumeMounts()))
        .containsExactly(
            "dockerfile:/leanode/dockerfile",
            "context:/workspace",
            "docker-config:/kaniko/.docker");
    assertThat(kaniko.getVolumeMounts())
        .extracting(VolumeMount::getReadOnly)
        .containsExactly(true, null, true);
    var sc = kaniko.getSecurityContext();
    assertThat(sc.getRunAsUser()).isZero();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getPrivileged()).isFalse();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd())
        .containsExactly("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID", "SETFCAP", "KILL");

    Container single = container(plan, "kaniko-single-stage");
    assertThat(single.getArgs())
        .containsExactly(
            "--dockerfile=/leanode/dockerfile/Dockerfile.single-stage",
            "--context=dir:///workspace",
            "--destination=registry.example.com/team/hello-express:1.0.0-single-stage",
            "--digest-file=/dev/termination-log");
    assertThat(single.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(single.getSecurityContext()).isEqualTo(sc);
  }

  @Test
  void ownerReferencesAndLabelsOnEverything() {
    BuildPlan plan = runner.plan(BuildFixtures.inlineRequest());
    for (var meta : List.of(plan.configMap().getMetadata(), plan.job().getMetadata())) {
      assertThat(meta.getNamespace()).isEqualTo("demo");
      OwnerReference owner = meta.getOwnerReferences().get(0);
      assertThat(meta.getOwnerReferences()).hasSize(1);
      assertThat(owner.getApiVersion()).isEqualTo("leanode.dev/v1alpha1");
      assertThat(owner.getKind()).isEqualTo("NodeAppImage");
      assertThat(owner.getName()).isEqualTo("hello-express");
      assertThat(owner.getUid()).isEqualTo(UID);
      assertThat(owner.getController()).isTrue();
      assertThat(owner.getBlockOwnerDeletion()).isTrue();
    }
    Map<String, String> expected =
        Map.of(
            "app.kubernetes.io/managed-by", "leanode",
            "app.kubernetes.io/component", "build",
            "leanode.dev/nodeappimage", "hello-express",
            "leanode.dev/build-hash", plan.inputHash().substring(0, 10));
    assertThat(plan.configMap().getMetadata().getLabels()).isEqualTo(expected);
    assertThat(plan.job().getMetadata().getLabels()).isEqualTo(expected);
    assertThat(plan.job().getSpec().getTemplate().getMetadata().getLabels()).isEqualTo(expected);
  }

  @Test
  void gitJobHasNoInlineVolumesAndClonesTheCommit() {
    BuildPlan plan = runner.plan(BuildFixtures.gitRequest());
    assertThat(plan.configMap().getData()).containsOnlyKeys("Dockerfile");
    PodSpec pod = pod(plan);
    assertThat(pod.getInitContainers()).isEmpty();
    assertThat(names(pod.getVolumes())).containsExactly("dockerfile", "docker-config");
    assertThat(pod.getVolumes().get(0).getConfigMap().getItems())
        .extracting(KeyToPath::getKey)
        .containsExactly("Dockerfile");
    Container kaniko = container(plan, "kaniko");
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(kaniko.getArgs())
        .containsExactly(
            "--dockerfile=/leanode/dockerfile/Dockerfile",
            "--context=git://github.com/acme/monorepo.git#refs/heads/main#" + COMMIT,
            "--context-sub-path=apps/web",
            "--destination=registry.example.com/team/hello-express:1.0.0",
            "--digest-file=/dev/termination-log",
            "--cache=true",
            "--cache-repo=registry.example.com/team/hello-express/cache");
    assertThat(names(kaniko.getVolumeMounts()))
        .containsExactly("dockerfile:/leanode/dockerfile", "docker-config:/kaniko/.docker");
    assertThat(kaniko.getEnv())
        .extracting(EnvVar::getName)
        .containsExactly("GIT_USERNAME", "GIT_PASSWORD");
    var user = kaniko.getEnv().get(0).getValueFrom().getSecretKeyRef();
    assertThat(user.getName()).isEqualTo("git-creds");
    assertThat(user.getKey()).isEqualTo("username");
    assertThat(user.getOptional()).isFalse();
    var pass = kaniko.getEnv().get(1).getValueFrom().getSecretKeyRef();
    assertThat(pass.getName()).isEqualTo("git-creds");
    assertThat(pass.getKey()).isEqualTo("password");
    assertThat(pass.getOptional()).isFalse();
  }

  @Test
  void gitContextForTagAndBareSha() {
    assertThat(
            KanikoArgs.gitContext(
                BuildFixtures.git("refs/tags/v1.2.0", GitCredentials.Layout.USERNAME_PASSWORD)))
        .isEqualTo("git://github.com/acme/monorepo.git#refs/tags/v1.2.0#" + COMMIT);
    assertThat(KanikoArgs.gitContext(BuildFixtures.git(null, null)))
        .isEqualTo("git://github.com/acme/monorepo.git##" + COMMIT);
    var withPort =
        new ResolvedSource.Git(
            "https://git.example.com:8443/a/b", "refs/heads/x", COMMIT, null, null);
    assertThat(KanikoArgs.gitContext(withPort))
        .isEqualTo("git://git.example.com:8443/a/b#refs/heads/x#" + COMMIT);
  }

  @Test
  void plainHttpGitSetsThePullMethodAndNoSecretMeansNoCredentials() {
    var src =
        new ResolvedSource.Git("http://gitea.local:3000/me/app.git", null, COMMIT, null, null);
    var req = BuildFixtures.gitRequest();
    BuildPlan plan =
        runner.plan(
            new BuildRequest(req.resource(), req.dockerfile(), null, src, null, req.settings()));
    Container kaniko = container(plan, "kaniko");
    assertThat(kaniko.getEnv())
        .extracting(EnvVar::getName, EnvVar::getValue)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("GIT_PULL_METHOD", "http"));
    assertThat(kaniko.getArgs())
        .contains("--context=git://gitea.local:3000/me/app.git##" + COMMIT)
        .noneMatch(a -> a.startsWith("--context-sub-path"));
    assertThat(names(pod(plan).getVolumes())).containsExactly("dockerfile");
  }

  @Test
  void tokenSecretUsesTheAccessTokenUsername() {
    var req = BuildFixtures.gitRequest();
    BuildPlan plan =
        runner.plan(
            new BuildRequest(
                req.resource(),
                req.dockerfile(),
                null,
                BuildFixtures.git("refs/heads/main", GitCredentials.Layout.TOKEN),
                "regcred",
                req.settings()));
    List<EnvVar> env = container(plan, "kaniko").getEnv();
    assertThat(env.get(0).getName()).isEqualTo("GIT_USERNAME");
    assertThat(env.get(0).getValue()).isEqualTo("x-access-token");
    assertThat(env.get(1).getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
  }

  @Test
  void caBundleInsecureNoCacheTimeoutAndResources() {
    var req = BuildFixtures.inlineRequest();
    var r = req.resource();
    r.getSpec().getOutput().setImage("localhost:5000/hello");
    r.getSpec().getOutput().setInsecure(true);
    r.getSpec().getBuild().setCache(false);
    r.getSpec().getBuild().setTimeout("1h30m");
    r.getSpec()
        .getBuild()
        .setResources(
            new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("500m"))
                .addToLimits("memory", new Quantity("2Gi"))
                .build());
    BuildPlan plan =
        runner.plan(
            new BuildRequest(
                r,
                req.dockerfile(),
                null,
                req.source(),
                null,
                BuildSettings.defaults().withCaBundlePem("-----BEGIN CERTIFICATE-----\nx\n")));
    assertThat(plan.configMap().getData())
        .containsKey("ca.crt")
        .doesNotContainKey("Dockerfile.single-stage");
    assertThat(plan.job().getSpec().getActiveDeadlineSeconds()).isEqualTo(5400L);
    PodSpec pod = pod(plan);
    assertThat(names(pod.getVolumes()))
        .containsExactly("dockerfile", "inline", "context", "ca-bundle");
    assertThat(pod.getVolumes().get(3).getConfigMap().getItems())
        .extracting(KeyToPath::getKey)
        .containsExactly("ca.crt");
    Container kaniko = container(plan, "kaniko");
    assertThat(kaniko.getArgs())
        .containsExactly(
            "--dockerfile=/leanode/dockerfile/Dockerfile",
            "--context=dir:///workspace",
            "--destination=localhost:5000/hello",
            "--digest-file=/dev/termination-log",
            "--insecure",
            "--skip-tls-verify",
            "--registry-certificate=localhost:5000=/leanode/ca/ca.crt");
    assertThat(names(kaniko.getVolumeMounts()))
        .containsExactly(
            "dockerfile:/leanode/dockerfile", "context:/workspace", "ca-bundle:/leanode/ca");
    assertThat(kaniko.getResources().getRequests()).containsEntry("cpu", new Quantity("500m"));
    assertThat(kaniko.getResources().getLimits()).containsEntry("memory", new Quantity("2Gi"));
  }

  @Test
  void nameFitsSixtyThreeCharactersForTheLongestResourceName() {
    String longName = ("a".repeat(60) + ".").repeat(4) + "b".repeat(9);
    assertThat(longName).hasSize(253);
    var req = BuildFixtures.inlineRequest();
    req.resource().getMetadata().setName(longName);
    BuildPlan plan = runner.plan(req);
    assertThat(plan.name()).hasSizeLessThanOrEqualTo(63).matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    assertThat(plan.name()).endsWith("-" + plan.inputHash().substring(0, 10));
    assertThat(plan.job().getMetadata().getLabels().get(Labels.RESOURCE))
        .hasSizeLessThanOrEqualTo(63)
        .isEqualTo(Labels.resourceValue(longName));
    assertThat(plan.job().getMetadata().getOwnerReferences().get(0).getName()).isEqualTo(longName);
  }

  @Test
  void valuesThatCouldStartAnotherFlagAreRejected() {
    var req = BuildFixtures.inlineRequest();
    req.resource().getSpec().getOutput().setImage("registry.example.com/app --insecure");
    assertThatThrownBy(() -> runner.plan(req))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.output.image");

    var git = BuildFixtures.gitRequest();
    var badSubPath =
        new ResolvedSource.Git(
            "https://github.com/acme/monorepo.git", "refs/heads/main", COMMIT, "apps\n--x", null);
    assertThatThrownBy(
            () ->
                runner.plan(
                    new BuildRequest(
                        git.resource(), git.dockerfile(), null, badSubPath, null, git.settings())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.source.git.subPath");

    var tab = new ResolvedSource.Git("https://h/a\tb", null, COMMIT, null, null);
    assertThatThrownBy(
            () ->
                runner.plan(
                    new BuildRequest(
                        git.resource(), git.dockerfile(), null, tab, null, git.settings())))
        .hasMessageContaining("spec.source.git.url");

    var creds = new ResolvedSource.Git("https://u:p@h/a.git", null, COMMIT, null, null);
    assertThatThrownBy(
            () ->
                runner.plan(
                    new BuildRequest(
                        git.resource(), git.dockerfile(), null, creds, null, git.settings())))
        .hasMessageContaining("secretRef");

    var timeout = BuildFixtures.inlineRequest();
    timeout.resource().getSpec().getBuild().setTimeout("0s");
    assertThatThrownBy(() -> runner.plan(timeout)).hasMessageContaining("spec.build.timeout");
  }

  @Test
  void aBuildConfigMapOverTheApiServersLimitIsRefusedNamingTheField() {
    var request = BuildFixtures.inlineRequest();
    var files = new java.util.TreeMap<String, String>();
    files.put("package.json", "{}");
    files.put("big.js", "x".repeat((int) BuildConfigMap.MAX_CONFIGMAP_BYTES));
    var big =
        new BuildRequest(
            request.resource(),
            request.dockerfile(),
            null,
            new ResolvedSource.Inline(files),
            request.pushSecretName(),
            request.settings());
    assertThatThrownBy(() -> runner.plan(big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.source.inline.files")
        .hasMessageContaining("git source");
  }

  @Test
  void pushTargetsFollowTheRegistryPackagesRules() {
    assertThat(BuildInputs.pushTarget("registry.example.com/team/app:1.0.0").name() + "/cache")
        .isEqualTo("registry.example.com/team/app/cache");
    assertThat(BuildInputs.pushTarget("localhost:5000/app").withTag("latest-single-stage"))
        .isEqualTo("localhost:5000/app:latest-single-stage");
    assertThat(BuildInputs.pushTarget("team/app").registry()).isEqualTo("docker.io");
    assertThatThrownBy(() -> BuildInputs.pushTarget("r.io/app@sha256:abc"))
        .hasMessageContaining("digest");
  }

  @Test
  void registryMirrorsBecomeOneFlagEachAndShareTheCaBundle() {
    var req = BuildFixtures.inlineRequest();
    req.resource().getSpec().getOutput().setImage("registry.corp:5443/team/app:1");
    List<String> mirrors = List.of("mirror.corp:5443/dockerhub", "127.0.0.1:5000", "mirror.corp");
    BuildSettings settings =
        BuildSettings.defaults()
            .withCaBundlePem("-----BEGIN CERTIFICATE-----\nx\n")
            .withRegistryMirrors(mirrors);
    BuildPlan plan =
        runner.plan(
            new BuildRequest(
                req.resource(),
                req.dockerfile(),
                BuildFixtures.SINGLE_STAGE,
                req.source(),
                null,
                settings));
    List<String> expected =
        List.of(
            "--registry-mirror=mirror.corp:5443/dockerhub",
            "--registry-mirror=127.0.0.1:5000",
            "--registry-mirror=mirror.corp",
            "--registry-certificate=mirror.corp:5443=/leanode/ca/ca.crt",
            "--registry-certificate=127.0.0.1:5000=/leanode/ca/ca.crt",
            "--registry-certificate=mirror.corp=/leanode/ca/ca.crt");
    for (String c : List.of("kaniko", "kaniko-single-stage")) {
      List<String> args = container(plan, c).getArgs();
      assertThat(args).containsSubsequence(expected);
      // the push registry keeps its one certificate flag; no mirror repeats it
      assertThat(args)
          .filteredOn(a -> a.startsWith("--registry-certificate=registry.corp:5443="))
          .hasSize(1);
    }
    // the mirrors are part of what was built: the hash (and Job name) moves when they do
    BuildPlan without =
        runner.plan(
            new BuildRequest(
                req.resource(),
                req.dockerfile(),
                BuildFixtures.SINGLE_STAGE,
                req.source(),
                null,
                settings.withRegistryMirrors(List.of())));
    assertThat(without.inputHash()).isNotEqualTo(plan.inputHash());
    assertThat(container(without, "kaniko").getArgs())
        .noneMatch(a -> a.startsWith("--registry-mirror"));
    // no CA bundle: mirror flags only
    BuildPlan noCa =
        runner.plan(
            new BuildRequest(
                req.resource(),
                req.dockerfile(),
                null,
                req.source(),
                null,
                BuildSettings.defaults().withRegistryMirrors(List.of("127.0.0.1:5000"))));
    assertThat(container(noCa, "kaniko").getArgs())
        .endsWith("--registry-mirror=127.0.0.1:5000")
        .noneMatch(a -> a.startsWith("--registry-certificate"));
  }

  @Test
  void aRegistryMirrorCannotCarryAnotherFlagOrAScheme() {
    for (String bad :
        List.of(
            "mirror.corp --insecure",
            "mirror.corp\n--insecure",
            "--insecure",
            "https://mirror.corp",
            "mirror.corp:5000/Upper",
            "mirror.corp:5000/",
            "mirror.corp=--x",
            "")) {
      assertThatThrownBy(() -> BuildSettings.defaults().withRegistryMirrors(List.of(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("leanode.build.registry-mirrors");
    }
    assertThatThrownBy(
            () -> BuildSettings.defaults().withRegistryMirrors(List.of("https://mirror.corp")))
        .hasMessageContaining("no scheme");
    for (String ok :
        List.of("mirror.gcr.io", "127.0.0.1:5000", "[::1]:5000", "harbor.corp/dockerhub-proxy")) {
      assertThat(BuildSettings.defaults().withRegistryMirrors(List.of(ok)).registryMirrors())
          .containsExactly(ok);
    }
  }

  @Test
  void goDurations() {
    assertThat(GoDuration.parse("t", "1h30m").toSeconds()).isEqualTo(5400);
    assertThat(GoDuration.parse("t", "20m").toSeconds()).isEqualTo(1200);
    assertThat(GoDuration.parse("t", "90s").toSeconds()).isEqualTo(90);
    assertThat(GoDuration.parse("t", "1h0m5s").toSeconds()).isEqualTo(3605);
    assertThatThrownBy(() -> GoDuration.parse("t", "5d")).hasMessageContaining("t must be");
    assertThatThrownBy(() -> GoDuration.parse("t", "m")).hasMessageContaining("t must be");
  }
}

package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.build.BuildPlan;
import dev.leanode.build.BuildRequest;
import dev.leanode.build.KanikoBuildRunner;
import dev.leanode.config.BuildSettings;
import dev.leanode.dockerfile.DockerfileGenerator;
import dev.leanode.dockerfile.DockerfileOptions;
import dev.leanode.reconciler.NodeAppImageReconciler;
import dev.leanode.source.ResolvedSource;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real Kaniko executor (hack/kaniko.sh) runs the Jobs the product plans, in podman, through
 * {@link PodmanKaniko}: the seed Express app exactly as {@code leanode render} plans it (CA bundle
 * = the host's, base image through {@code leanode.build.registry-mirrors}, push to the htpasswd
 * registry with a docker-config Secret), then one test per stand-in assumption that is cheap to
 * check and per flag issue 9 lists as untested. See PodmanKaniko's comment for what real Kaniko
 * did.
 *
 * <p>The flag tests plan with the product's own {@link KanikoBuildRunner} but hand it a tiny
 * Dockerfile on {@code busybox:1.37.0} (a few hundred KB to pull instead of the 66 MB Node base),
 * so each real build costs seconds.
 */
class RealKanikoIT {
  private static final Logger LOG = Logger.getLogger(RealKanikoIT.class);
  static final Path HOST_CA = Path.of("/etc/ssl/certs/ca-certificates.crt");
  static final Path SEED = Path.of("src/test/resources/apps/seed-express");
  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);
  static final String RUN_ID = Long.toString(System.currentTimeMillis(), 36);

  static PodmanKaniko podman;
  static Path work;

  @BeforeAll
  static void tools() throws IOException {
    PodmanKaniko.requireImages();
    podman = PodmanKaniko.localImages();
    work = Files.createTempDirectory("leanode-real-kaniko-");
  }

  @AfterAll
  static void cleanUp() {
    if (work != null) {
      KanikoStandIn.deleteTree(work);
    }
  }

  // ------------------------------------------------------------------ the seed app

  @Test
  void seedExpressAsPlanned() throws Exception {
    String image = Tools.AUTH_REGISTRY + "/real-kaniko/seed-express:" + RUN_ID;
    Secret push = regcred(Tools.AUTH_REGISTRY);
    BuildSettings settings =
        settings(Files.readString(HOST_CA)).withRegistryMirrors(List.of(Tools.REGISTRY));
    Map<String, Object> spec =
        Map.of(
            "source",
            OperatorE2E.inline("seed-express"),
            "app",
            Map.of("port", 3000),
            "output",
            Map.of("image", image, "pushSecretRef", Map.of("name", "regcred")));
    NodeAppImage r = OperatorE2E.resource("seed-express", spec);
    BuildPlan plan = plan(r, null, settings, push.getMetadata().getName());

    List<String> args = container(plan, "kaniko").getArgs();
    assertThat(args)
        .as("the Job the product plans, unchanged")
        .contains(
            "--registry-mirror=" + Tools.REGISTRY,
            "--digest-file=/dev/termination-log",
            "--cache=true")
        .noneMatch(a -> a.equals("--insecure") || a.equals("--skip-tls-verify"));

    PodRun run = runPod(plan, Map.of("regcred", push));
    PodmanKaniko.Outcome k = run.require("kaniko");
    assertThat(k.exitCode()).as(k.log()).isZero();
    // the mirror served the base: Kaniko says where it pulled from
    assertThat(k.log())
        .contains("Retrieving image node:22-alpine from mapped registry " + Tools.REGISTRY)
        .doesNotContain("Failed to retrieve image");
    assertThat(k.terminationMessage()).matches("sha256:[0-9a-f]{64}");
    assertThat(k.terminationMessage()).isEqualTo(Registry.digest(image));
    var manifest = Registry.rawManifest(image);
    LOG.infof(
        "real Kaniko seed build: %s s, manifest %s, %d layers",
        k.took().toSeconds(), manifest.path("mediaType").asText(), manifest.path("layers").size());
    // corrected assumption: Kaniko keeps the base image's manifest type (the local base is OCI)
    assertThat(manifest.path("mediaType").asText())
        .as("real Kaniko pushes the base's manifest media type")
        .isEqualTo(
            Registry.rawManifest(Tools.REGISTRY + "/library/node:22-alpine")
                .path("mediaType")
                .asText());

    String byDigest = image.replaceAll(":[^:/]+$", "") + "@" + k.terminationMessage();
    List<String> answers = ImageRunner.get(byDigest, Registry.creds(image), List.of("/", "/env"));
    assertThat(answers.get(0)).isEqualTo("200 hello from seed-express");
    assertThat(answers.get(1)).contains("\"NODE_ENV\":\"production\"").contains("\"uid\":1000");
    // RUN steps saw the CA mount, the image does not carry it, nor the kubelet's links
    assertThat(
            ImageRunner.exec(
                byDigest,
                Registry.creds(image),
                "test ! -e /leanode/ca/ca.crt && echo no-ca; ls -A \"$PWD\""))
        .contains("no-ca")
        .doesNotContain("..data");
  }

  // ------------------------------------------------------------------ flags and assumptions

  static final String TINY =
      """
      FROM busybox:1.37.0
      WORKDIR /app
      COPY package.json ./
      RUN wc -c package.json > /app/size.txt
      COPY . .
      CMD ["cat", "/app/index.js"]
      """;

  static Map<String, Object> tinySpec(String image, String secret) {
    Map<String, Object> output = new LinkedHashMap<>();
    output.put("image", image);
    if (secret != null) {
      output.put("pushSecretRef", Map.of("name", secret));
    }
    return Map.of(
        "source",
        Map.of(
            "inline",
            Map.of(
                "files",
                Map.of(
                    "package.json", "{\"name\":\"tiny\",\"version\":\"1.0.0\"}\n",
                    "index.js", "console.log('v1');\n"))),
        "app",
        Map.of("port", 3000),
        "output",
        output);
  }

  @Test
  void cacheRepoIsReusedOnARebuild() throws Exception {
    String image = Tools.REGISTRY + "/real-kaniko/cache-" + RUN_ID + ":1";
    BuildSettings settings = settings(null).withRegistryMirrors(List.of(Tools.REGISTRY));
    NodeAppImage r = OperatorE2E.resource("tiny", tinySpec(image, null));
    PodmanKaniko.Outcome first = runPod(plan(r, TINY, settings, null), Map.of()).require("kaniko");
    assertThat(first.exitCode()).as(first.log()).isZero();
    String cacheRepo = Tools.REGISTRY + "/real-kaniko/cache-" + RUN_ID + "/cache";
    // a cold cache: Kaniko stops looking at the first miss and pushes every layer it builds
    assertThat(first.log())
        .contains("No cached layer found for cmd WORKDIR /app")
        .contains("Pushing layer " + cacheRepo + ":");

    // the one-line change: index.js only; package.json and the RUN above it are unchanged
    @SuppressWarnings("unchecked")
    Map<String, Object> files =
        new TreeMap<>(
            (Map<String, Object>)
                ((Map<String, Object>)
                        ((Map<String, Object>) tinySpec(image, null).get("source")).get("inline"))
                    .get("files"));
    files.put("index.js", "console.log('v2');\n");
    NodeAppImage r2 =
        OperatorE2E.resource(
            "tiny",
            Map.of(
                "source", Map.of("inline", Map.of("files", files)),
                "app", Map.of("port", 3000),
                "output", Map.of("image", image)));
    PodmanKaniko.Outcome second =
        runPod(plan(r2, TINY, settings, null), Map.of()).require("kaniko");
    assertThat(second.exitCode()).as(second.log()).isZero();
    assertThat(second.log())
        .as("the RUN layer comes from --cache-repo " + cacheRepo)
        .contains("Checking for cached layer " + cacheRepo + ":")
        .contains("Using caching version of cmd: RUN wc -c package.json")
        .doesNotContain("Running: [/bin/sh -c wc -c package.json");
    assertThat(second.terminationMessage()).isNotEqualTo(first.terminationMessage());
    assertThat(ImageRunner.exec(image, null, "cat /app/index.js")).contains("v2");
  }

  @Test
  void pullAndPushSecretsWithTheHtpasswdRegistry() throws Exception {
    // base from the htpasswd registry (mirror) and push to it: one docker config serves both
    String image = Tools.AUTH_REGISTRY + "/real-kaniko/auth-" + RUN_ID + ":1";
    BuildSettings settings = settings(null).withRegistryMirrors(List.of(Tools.AUTH_REGISTRY));
    NodeAppImage r = OperatorE2E.resource("tiny", tinySpec(image, "regcred"));
    PodmanKaniko.Outcome ok =
        runPod(plan(r, TINY, settings, "regcred"), Map.of("regcred", regcred(Tools.AUTH_REGISTRY)))
            .require("kaniko");
    assertThat(ok.exitCode()).as(ok.log()).isZero();
    assertThat(ok.log())
        .contains("Retrieving image busybox:1.37.0 from mapped registry " + Tools.AUTH_REGISTRY);
    assertThat(ok.terminationMessage()).isEqualTo(Registry.digest(image));

    // the same build with a wrong password fails, and says so in the termination message
    Secret wrong =
        DocumentedJobShape.pushSecret(
            "badcred", Tools.AUTH_REGISTRY, Tools.REGISTRY_USER, "wrong-password");
    NodeAppImage bad = OperatorE2E.resource("tiny", tinySpec(image + "-bad", "badcred"));
    PodmanKaniko.Outcome denied =
        runPod(plan(bad, TINY, settings, "badcred"), Map.of("badcred", wrong)).require("kaniko");
    assertThat(denied.exitCode()).isNotZero();
    assertThat(denied.terminationFile()).as("no digest on failure").isEmpty();
    assertThat(denied.terminationMessage())
        .as("FallbackToLogsOnError: the log tail")
        .containsIgnoringCase("unauthorized");
  }

  @Test
  void registryCertificateTrustsATlsRegistry() throws Exception {
    try (TlsRegistry tls = TlsRegistry.start(work.resolve("tls-registry"))) {
      String image = tls.hostPort() + "/real-kaniko/tls:1";
      NodeAppImage r = OperatorE2E.resource("tiny", tinySpec(image, null));
      // the CA bundle feature: the registry's CA in the bundle → --registry-certificate=HOST=...
      BuildSettings trusted = settings(tls.caPem()).withRegistryMirrors(List.of(Tools.REGISTRY));
      BuildPlan plan = plan(r, TINY, trusted, null);
      assertThat(container(plan, "kaniko").getArgs())
          .contains("--registry-certificate=" + tls.hostPort() + "=/leanode/ca/ca.crt");
      PodmanKaniko.Outcome ok = runPod(plan, Map.of()).require("kaniko");
      assertThat(ok.exitCode()).as(ok.log()).isZero();
      assertThat(ok.terminationMessage()).isEqualTo(Registry.digest(image));

      // without the bundle the same push must fail on the certificate: the flag is what made it
      NodeAppImage r2 =
          OperatorE2E.resource("tiny", tinySpec(tls.hostPort() + "/real-kaniko/tls:2", null));
      BuildSettings untrusted = settings(null).withRegistryMirrors(List.of(Tools.REGISTRY));
      PodmanKaniko.Outcome refused =
          runPod(plan(r2, TINY, untrusted, null), Map.of()).require("kaniko");
      assertThat(refused.exitCode()).isNotZero();
      assertThat(refused.terminationMessage()).containsIgnoringCase("certificate");
    }
  }

  @Test
  void gitContextBranchAndCommit() throws Exception {
    Path app = Files.createDirectories(work.resolve("git-app"));
    Files.writeString(app.resolve("package.json"), "{\"name\":\"tiny\",\"version\":\"1.0.0\"}\n");
    Files.writeString(app.resolve("index.js"), "console.log('main');\n");
    Path repos = Files.createDirectories(work.resolve("git-repos"));
    try (GitHttpServer git = new GitHttpServer(repos)) {
      List<String> shas = git.createRepo("tiny.git", app, "index.js", "console.log('feature');\n");
      String image = Tools.REGISTRY + "/real-kaniko/git-" + RUN_ID + ":1";
      Map<String, Object> spec =
          Map.of(
              "source",
              Map.of("git", Map.of("url", git.url("tiny.git"), "revision", "feature")),
              "app",
              Map.of("port", 3000),
              "output",
              Map.of("image", image));
      NodeAppImage r = OperatorE2E.resource("tiny-git", spec);
      var source =
          new ResolvedSource.Git(
              git.url("tiny.git"), "refs/heads/feature", shas.get(1), null, null);
      BuildPlan plan =
          plan(r, TINY, settings(null).withRegistryMirrors(List.of(Tools.REGISTRY)), null, source);
      List<String> args = container(plan, "kaniko").getArgs();
      assertThat(args)
          .contains(
              "--context=git://" + git.hostPort() + "/tiny.git#refs/heads/feature#" + shas.get(1));
      PodmanKaniko.Outcome k = runPod(plan, Map.of()).require("kaniko");
      assertThat(k.exitCode()).as(k.log()).isZero();
      assertThat(ImageRunner.exec(image, null, "cat /app/index.js")).contains("feature");
    }
  }

  /**
   * docs/architecture.md: a bare commit SHA gives {@code #<empty ref>#<commit>}, which Kaniko's
   * go-git treats as "clone the default branch with all branches, then check the commit out" — so a
   * commit that only a non-default branch reaches builds too.
   */
  @Test
  void gitBareShaOffTheDefaultBranch() throws Exception {
    Path app = Files.createDirectories(work.resolve("git-sha-app"));
    Files.writeString(app.resolve("package.json"), "{\"name\":\"tiny\",\"version\":\"1.0.0\"}\n");
    Files.writeString(app.resolve("index.js"), "console.log('main');\n");
    Path repos = Files.createDirectories(work.resolve("git-repos-sha"));
    try (GitHttpServer git = new GitHttpServer(repos)) {
      List<String> shas =
          git.createRepo("sha.git", app, "index.js", "console.log('feature-only');\n");
      String image = Tools.REGISTRY + "/real-kaniko/git-sha-" + RUN_ID + ":1";
      NodeAppImage r =
          OperatorE2E.resource(
              "tiny-sha",
              Map.of(
                  "source",
                  Map.of("git", Map.of("url", git.url("sha.git"), "revision", shas.get(1))),
                  "app",
                  Map.of("port", 3000),
                  "output",
                  Map.of("image", image)));
      var source = new ResolvedSource.Git(git.url("sha.git"), null, shas.get(1), null, null);
      BuildPlan plan =
          plan(r, TINY, settings(null).withRegistryMirrors(List.of(Tools.REGISTRY)), null, source);
      assertThat(container(plan, "kaniko").getArgs())
          .contains("--context=git://" + git.hostPort() + "/sha.git##" + shas.get(1));
      PodmanKaniko.Outcome k = runPod(plan, Map.of()).require("kaniko");
      assertThat(k.exitCode()).as(k.log()).isZero();
      assertThat(ImageRunner.exec(image, null, "cat /app/index.js")).contains("feature-only");
    }
  }

  /**
   * A private repository: the git Secret's username/password reach Kaniko as
   * GIT_USERNAME/_PASSWORD.
   */
  @Test
  void gitCredentialsFromTheSecret() throws Exception {
    Path app = Files.createDirectories(work.resolve("git-private-app"));
    Files.writeString(app.resolve("package.json"), "{\"name\":\"tiny\",\"version\":\"1.0.0\"}\n");
    Files.writeString(app.resolve("index.js"), "console.log('private');\n");
    Path repos = Files.createDirectories(work.resolve("git-repos-private"));
    try (GitHttpServer git = new GitHttpServer(repos, "builder:s3cret-pass")) {
      List<String> shas = git.createRepo("private.git", app, "index.js", "console.log('x');\n");
      String image = Tools.REGISTRY + "/real-kaniko/git-private-" + RUN_ID + ":1";
      Map<String, Object> spec =
          Map.of(
              "source",
              Map.of(
                  "git",
                  Map.of(
                      "url", git.url("private.git"),
                      "revision", "main",
                      "secretRef", Map.of("name", "gitcred"))),
              "app",
              Map.of("port", 3000),
              "output",
              Map.of("image", image));
      var source =
          new ResolvedSource.Git(
              git.url("private.git"), "refs/heads/main", shas.get(0), null, "gitcred");
      BuildSettings s = settings(null).withRegistryMirrors(List.of(Tools.REGISTRY));
      Secret good =
          new io.fabric8.kubernetes.api.model.SecretBuilder()
              .withNewMetadata()
              .withName("gitcred")
              .endMetadata()
              .withStringData(Map.of("username", "builder", "password", "s3cret-pass"))
              .build();
      PodmanKaniko.Outcome ok =
          runPod(
                  plan(OperatorE2E.resource("tiny-private", spec), TINY, s, null, source),
                  Map.of("gitcred", good))
              .require("kaniko");
      assertThat(ok.exitCode()).as(ok.log()).isZero();
      assertThat(ok.log()).doesNotContain("s3cret-pass");
      assertThat(ImageRunner.exec(image, null, "cat /app/index.js")).contains("private");

      Secret wrong =
          new io.fabric8.kubernetes.api.model.SecretBuilder(good)
              .withStringData(Map.of("username", "builder", "password", "wrong"))
              .build();
      PodmanKaniko.Outcome denied =
          runPod(
                  plan(OperatorE2E.resource("tiny-private", spec), TINY, s, null, source),
                  Map.of("gitcred", wrong))
              .require("kaniko");
      assertThat(denied.exitCode()).isNotZero();
      assertThat(denied.log())
          .contains("Error: error resolving source context: authentication required");
      // corrected assumption: the error is followed by Kaniko's ~9 KB usage, so the kubelet's
      // 2 KB tail holds only usage text; the operator's status message says where to look
      assertThat(denied.terminationMessage())
          .contains("Use \"executor [command] --help\"")
          .doesNotContain("authentication required");
      String status =
          new KanikoBuildRunner()
              .observe(
                  new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder()
                      .withNewStatus()
                      .withFailed(1)
                      .addNewCondition()
                      .withType("Failed")
                      .withStatus("True")
                      .withReason("BackoffLimitExceeded")
                      .endCondition()
                      .endStatus()
                      .build(),
                  List.of(
                      new io.fabric8.kubernetes.api.model.PodBuilder()
                          .withNewMetadata()
                          .withName("tiny-private-pod")
                          .endMetadata()
                          .withNewStatus()
                          .withPhase("Failed")
                          .addNewContainerStatus()
                          .withName("kaniko")
                          .withNewState()
                          .withNewTerminated()
                          .withExitCode(denied.exitCode())
                          .withReason("Error")
                          .withMessage(denied.terminationMessage())
                          .endTerminated()
                          .endState()
                          .endContainerStatus()
                          .endStatus()
                          .build()))
              .message();
      assertThat(status)
          .contains("Kaniko stopped before building")
          .endsWith("kubectl logs tiny-private-pod -c kaniko");
    }
  }

  @Test
  void gitTagWithSubPath() throws Exception {
    Path app = Files.createDirectories(work.resolve("git-mono/apps/web"));
    Files.writeString(app.resolve("package.json"), "{\"name\":\"web\",\"version\":\"1.0.0\"}\n");
    Files.writeString(app.resolve("index.js"), "console.log('web at v1');\n");
    Files.writeString(work.resolve("git-mono/README.md"), "outside the sub path\n");
    Path repos = Files.createDirectories(work.resolve("git-repos-mono"));
    try (GitHttpServer git = new GitHttpServer(repos)) {
      List<String> shas =
          git.createRepo("mono.git", work.resolve("git-mono"), "README.md", "changed on feature\n");
      String image = Tools.REGISTRY + "/real-kaniko/git-sub-" + RUN_ID + ":1";
      NodeAppImage r =
          OperatorE2E.resource(
              "tiny-mono",
              Map.of(
                  "source",
                  Map.of("git", Map.of("url", git.url("mono.git"), "revision", "v1")),
                  "app",
                  Map.of("port", 3000),
                  "output",
                  Map.of("image", image)));
      var source =
          new ResolvedSource.Git(
              git.url("mono.git"), "refs/tags/v1", shas.get(0), "apps/web", null);
      BuildPlan plan =
          plan(r, TINY, settings(null).withRegistryMirrors(List.of(Tools.REGISTRY)), null, source);
      assertThat(container(plan, "kaniko").getArgs())
          .contains(
              "--context=git://" + git.hostPort() + "/mono.git#refs/tags/v1#" + shas.get(0),
              "--context-sub-path=apps/web");
      PodmanKaniko.Outcome k = runPod(plan, Map.of()).require("kaniko");
      assertThat(k.exitCode()).as(k.log()).isZero();
      // the sub path is the context: its files at /app, nothing from the repository root
      assertThat(ImageRunner.exec(image, null, "cat /app/index.js; ls -A /app"))
          .contains("web at v1")
          .doesNotContain("README.md");
    }
  }

  @Test
  void compareSingleStageRunsBothKanikoContainers() throws Exception {
    String image = Tools.REGISTRY + "/real-kaniko/compare-" + RUN_ID + ":1";
    NodeAppImage r = OperatorE2E.resource("tiny", tinySpec(image, null));
    r.getMetadata().setNamespace("real-kaniko");
    r.getMetadata().setUid(UUID.randomUUID().toString());
    var files = r.getSpec().getSource().getInline().getFiles();
    String single = "FROM busybox:1.37.0\nWORKDIR /app\nCOPY . .\nCMD [\"cat\", \"index.js\"]\n";
    BuildPlan plan =
        new KanikoBuildRunner()
            .plan(
                new BuildRequest(
                    r,
                    TINY,
                    single,
                    new ResolvedSource.Inline(new TreeMap<>(files)),
                    null,
                    settings(null).withRegistryMirrors(List.of(Tools.REGISTRY))));
    PodRun run = runPod(plan, Map.of());
    PodmanKaniko.Outcome lean = run.require("kaniko");
    PodmanKaniko.Outcome ss = run.require("kaniko-single-stage");
    assertThat(lean.exitCode()).as(lean.log()).isZero();
    assertThat(ss.exitCode()).as(ss.log()).isZero();
    assertThat(lean.terminationMessage()).isEqualTo(Registry.digest(image));
    assertThat(ss.terminationMessage()).isEqualTo(Registry.digest(image + "-single-stage"));
    assertThat(ss.terminationMessage()).isNotEqualTo(lean.terminationMessage());
    // the comparison build runs without the cache, as planned
    assertThat(ss.log()).doesNotContain("Checking for cached layer");
  }

  @Test
  void aBuildPastItsDeadlineIsKilled() throws Exception {
    String image = Tools.REGISTRY + "/real-kaniko/deadline-" + RUN_ID + ":1";
    NodeAppImage r = OperatorE2E.resource("tiny", tinySpec(image, null));
    String hang = "FROM busybox:1.37.0\nRUN echo started-the-long-step && sleep 600\n";
    BuildPlan plan =
        plan(r, hang, settings(null).withRegistryMirrors(List.of(Tools.REGISTRY)), null);
    PodSpec pod = plan.job().getSpec().getTemplate().getSpec();
    Path dir = Files.createDirectories(work.resolve("deadline"));
    Map<String, Path> volumes = layOut(plan, pod, dir, Map.of());
    PodmanKaniko.ContainerPlan init =
        PodmanKaniko.ContainerPlan.of(
            pod.getInitContainers().get(0), e -> secretValue(e, Map.of()));
    assertThat(podman.run("deadline", init, volumes, dir, BUILD_TIMEOUT).exitCode()).isZero();
    PodmanKaniko.ContainerPlan kaniko =
        PodmanKaniko.ContainerPlan.of(container(plan, "kaniko"), e -> secretValue(e, Map.of()));
    // the deadline is what is under test here: long enough to reach the RUN step, then killed
    PodmanKaniko.Outcome o = podman.run("deadline", kaniko, volumes, dir, Duration.ofSeconds(20));
    assertThat(o.timedOut()).as(o.log()).isTrue();
    assertThat(o.exitCode()).isEqualTo(137);
    assertThat(o.terminationFile()).isEmpty();
    assertThat(
            Proc.run(
                    Duration.ofMinutes(1),
                    "skopeo",
                    "inspect",
                    "--tls-verify=false",
                    "docker://" + image)
                .ok())
        .as("nothing was pushed")
        .isFalse();
  }

  // ------------------------------------------------------------------ harness

  static BuildSettings settings(String caPem) {
    BuildSettings s = BuildSettings.defaults().withKanikoImage(PodmanKaniko.localKanikoImage());
    return caPem == null ? s : s.withCaBundlePem(caPem);
  }

  static Secret regcred(String registry) {
    return DocumentedJobShape.pushSecret(
        "regcred", registry, Tools.REGISTRY_USER, Tools.REGISTRY_PASSWORD);
  }

  static BuildPlan plan(NodeAppImage r, String dockerfile, BuildSettings s, String pushSecret) {
    var files = r.getSpec().getSource().getInline().getFiles();
    return plan(r, dockerfile, s, pushSecret, new ResolvedSource.Inline(new TreeMap<>(files)));
  }

  /** As {@code leanode render} plans it (RenderCommand.render), with an optional Dockerfile. */
  static BuildPlan plan(
      NodeAppImage r, String dockerfile, BuildSettings s, String pushSecret, ResolvedSource src) {
    r.getMetadata().setNamespace("real-kaniko");
    r.getMetadata().setUid(UUID.randomUUID().toString());
    var options =
        new DockerfileOptions(
            s.caBundlePem().isPresent() ? NodeAppImageReconciler.CA_BUNDLE_PATH : null);
    String df =
        dockerfile != null
            ? dockerfile
            : new DockerfileGenerator().generate(r.getSpec().getApp(), options);
    return new KanikoBuildRunner().plan(new BuildRequest(r, df, null, src, pushSecret, s));
  }

  static Container container(BuildPlan plan, String name) {
    return plan.job().getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  record PodRun(Map<String, PodmanKaniko.Outcome> outcomes) {
    PodmanKaniko.Outcome require(String container) {
      PodmanKaniko.Outcome o = outcomes.get(container);
      assertThat(o).as("container %s ran (outcomes: %s)", container, outcomes).isNotNull();
      return o;
    }
  }

  /**
   * Plays the kubelet for the planned pod: lays its volumes out (ConfigMap and Secret volumes with
   * the kubelet's ..data links, emptyDir 0777), runs the init containers, then the containers one
   * after another, each through {@link PodmanKaniko}; stops at the first failing init container.
   */
  static PodRun runPod(BuildPlan plan, Map<String, Secret> secrets) throws IOException {
    PodSpec pod = plan.job().getSpec().getTemplate().getSpec();
    var psc = pod.getSecurityContext();
    if (psc != null
        && (psc.getRunAsUser() != null
            || psc.getRunAsGroup() != null
            || psc.getFsGroup() != null
            || psc.getSupplementalGroups() != null && !psc.getSupplementalGroups().isEmpty()
            || psc.getSeccompProfile() != null
                && !"RuntimeDefault".equals(psc.getSeccompProfile().getType()))) {
      // podman's default seccomp profile is the RuntimeDefault; anything else is not played here
      throw new AssertionError("pod securityContext not played by this runner: " + psc);
    }
    String uid = UUID.randomUUID().toString();
    Path dir = Files.createDirectories(work.resolve(plan.name() + "-" + uid.substring(0, 8)));
    Map<String, Path> volumes = layOut(plan, pod, dir, secrets);
    Map<String, PodmanKaniko.Outcome> outcomes = new LinkedHashMap<>();
    List<Container> order = new ArrayList<>(pod.getInitContainers());
    int inits = order.size();
    order.addAll(pod.getContainers());
    for (int i = 0; i < order.size(); i++) {
      Container c = order.get(i);
      PodmanKaniko.ContainerPlan cp =
          PodmanKaniko.ContainerPlan.of(c, e -> secretValue(e, secrets));
      PodmanKaniko.Outcome o = podman.run(uid, cp, volumes, dir, BUILD_TIMEOUT);
      LOG.infof(
          "%s/%s exit %d in %d s%s",
          plan.name(),
          c.getName(),
          o.exitCode(),
          o.took().toSeconds(),
          o.exitCode() == 0 ? "" : "\n" + o.log());
      outcomes.put(c.getName(), o);
      if (i < inits && o.exitCode() != 0) {
        break;
      }
    }
    return new PodRun(outcomes);
  }

  /** The pod's volumes on disk as the kubelet lays them out. */
  static Map<String, Path> layOut(
      BuildPlan plan, PodSpec pod, Path dir, Map<String, Secret> secrets) {
    Map<String, Path> volumes = new LinkedHashMap<>();
    Map<String, byte[]> cmData = new LinkedHashMap<>();
    plan.configMap().getData().forEach((k, v) -> cmData.put(k, v.getBytes(StandardCharsets.UTF_8)));
    try {
      for (Volume v : pod.getVolumes()) {
        Path host = dir.resolve("volumes").resolve(v.getName());
        if (v.getEmptyDir() != null) {
          Files.createDirectories(host);
          Files.setPosixFilePermissions(host, PosixFilePermissions.fromString("rwxrwxrwx"));
        } else if (v.getConfigMap() != null) {
          assertThat(v.getConfigMap().getName())
              .isEqualTo(plan.configMap().getMetadata().getName());
          KubeletVolumes.materialise(
              host, cmData, v.getConfigMap().getItems(), v.getConfigMap().getDefaultMode());
        } else if (v.getSecret() != null) {
          Secret s = secrets.get(v.getSecret().getSecretName());
          assertThat(s).as("secret %s", v.getSecret().getSecretName()).isNotNull();
          KubeletVolumes.materialise(
              host,
              KanikoStandIn.secretData(s),
              v.getSecret().getItems(),
              v.getSecret().getDefaultMode());
        } else {
          throw new AssertionError("volume type of " + v.getName() + " not laid out here");
        }
        volumes.put(v.getName(), host);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return volumes;
  }

  static String secretValue(EnvVar e, Map<String, Secret> secrets) {
    var ref = e.getValueFrom().getSecretKeyRef();
    if (ref == null) {
      throw new AssertionError("env " + e.getName() + ": only secretKeyRef is resolved here");
    }
    Secret s = secrets.get(ref.getName());
    byte[] v = s == null ? null : KanikoStandIn.secretData(s).get(ref.getKey());
    if (v == null) {
      throw new AssertionError("env " + e.getName() + ": missing secret key " + ref.getKey());
    }
    return new String(v, StandardCharsets.UTF_8);
  }
}

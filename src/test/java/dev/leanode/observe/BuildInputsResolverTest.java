package dev.leanode.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.GitSource;
import dev.leanode.api.v1alpha1.LocalObjectRef;
import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.api.v1alpha1.Source;
import dev.leanode.build.KanikoBuildRunner;
import dev.leanode.config.BuildSettings;
import dev.leanode.dockerfile.DockerfileGenerator;
import dev.leanode.source.ResolvedSource;
import dev.leanode.source.SourceUnavailableException;
import dev.leanode.status.Reason;
import dev.leanode.status.StatusAggregator;
import dev.leanode.validation.SpecValidator;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Spec + Secrets + source → inputs or the typed problem, with Secrets from a map. */
class BuildInputsResolverTest {
  static final String COMMIT = "3f786850e387550fdab836ed7e6dc881de23001b";
  static final String BASE_DIGEST = "sha256:" + "c".repeat(64);
  final Map<String, Secret> secrets = new HashMap<>();
  BaseImageResolver.Result base =
      new BaseImageResolver.Resolved(
          new NodeAppImageStatus.BaseImageStatus("node:22-alpine", BASE_DIGEST));
  BuildInputsResolver.GitResolver git =
      (g, c) ->
          new ResolvedSource.Git(
              g.getUrl(),
              "refs/heads/" + g.getRevision(),
              COMMIT,
              g.getSubPath(),
              g.getSecretRef() == null ? null : g.getSecretRef().getName());
  dev.leanode.dockerfile.AppFiles gitFiles =
      dev.leanode.dockerfile.AppFiles.ofInline(
          Map.of("package.json", "{\"main\": \"server.js\"}", "server.js", ""));
  NodeAppImage resource;

  @BeforeEach
  void setUp() throws IOException {
    resource = ImageMeasurerTest.expressApp();
    resource.getMetadata().setNamespace("team");
    resource.getMetadata().setUid("6f1c2a9e-3b7d-4c55-9a0e-2d1f8b7c6e54");
    secrets.put(
        "regcred",
        dockerConfigSecret("{\"auths\":{\"registry.example.com\":{\"auth\":\"Y2k6czNjcmV0\"}}}"));
  }

  static Secret dockerConfigSecret(String json) {
    return new SecretBuilder().withData(Map.of(".dockerconfigjson", b64(json))).build();
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  BuildInputsResolver.Resolution resolve() {
    return new BuildInputsResolver(
            BuildSettings.defaults(),
            new SpecValidator(),
            new DockerfileGenerator(),
            new KanikoBuildRunner(),
            (g, c) -> git.resolve(g, c),
            (g, c) -> java.util.Objects.requireNonNull(gitFiles, "no fetch expected"),
            (spec, previous, config, insecure) -> base)
        .resolve(resource, name -> Optional.ofNullable(secrets.get(name)));
  }

  void useGit(String secret) {
    var g = new GitSource();
    g.setUrl("https://git.example.com/acme/app.git");
    g.setRevision("main");
    if (secret != null) {
      g.setSecretRef(new LocalObjectRef(secret));
    }
    var source = new Source();
    source.setGit(g);
    resource.getSpec().setSource(source);
  }

  @Test
  void inlineSourceGivesThePlanAndTheDockerConfig() {
    var r = resolve();
    assertThat(r)
        .isInstanceOfSatisfying(
            BuildInputsResolver.Inputs.class,
            in -> {
              assertThat(in.plan().name()).startsWith("express-app-");
              assertThat(in.source()).isNull();
              assertThat(in.git()).isFalse();
              assertThat(in.dockerfileSha256()).matches("[0-9a-f]{64}");
              assertThat(in.dockerConfigJson().orElseThrow()).contains("registry.example.com");
            });
  }

  @Test
  void invalidSpecIsAProblemNotAnException() {
    resource.getSpec().getApp().setFiles(java.util.List.of("../etc/passwd"));
    assertThat(resolve())
        .isInstanceOfSatisfying(
            BuildInputsResolver.Problem.class,
            p -> {
              assertThat(p.reason()).isEqualTo(Reason.INVALID_SPEC);
              assertThat(p.message()).startsWith("spec.app.files[0]");
            });
  }

  @Test
  void missingAndMalformedPushSecrets() {
    secrets.clear();
    assertThat(resolve())
        .isEqualTo(
            new BuildInputsResolver.Problem(
                Reason.SECRET_NOT_FOUND,
                "spec.output.pushSecretRef: Secret team/regcred not found"));
    secrets.put("regcred", new SecretBuilder().withData(Map.of("password", b64("x"))).build());
    assertThat(((BuildInputsResolver.Problem) resolve()).message())
        .contains("has no .dockerconfigjson key");
    secrets.put("regcred", dockerConfigSecret("{\"auths\": [not json"));
    assertThat(((BuildInputsResolver.Problem) resolve()).message())
        .startsWith("spec.output.pushSecretRef: Secret regcred holds malformed .dockerconfigjson");
  }

  @Test
  void gitSourceRecordsTheCommitAndPolls() {
    useGit(null);
    assertThat(resolve())
        .isInstanceOfSatisfying(
            BuildInputsResolver.Inputs.class,
            in -> {
              assertThat(in.git()).isTrue();
              assertThat(in.source().getCommit()).isEqualTo(COMMIT);
              assertThat(in.source().getRevision()).isEqualTo("main");
            });
  }

  @Test
  void gitCommitsOwnPackageJsonDecidesTheCommandAndTheStatusShowsIt() {
    useGit(null);
    gitFiles =
        dev.leanode.dockerfile.AppFiles.ofInline(
            Map.of("package.json", "{\"scripts\":{\"start\":\"node ./bin/www\"}}", "bin/www", ""));
    var r = (BuildInputsResolver.Inputs) resolve();
    assertThat(r.start().command()).containsExactly("node", "./bin/www");
    String dockerfile = r.plan().configMap().getData().get("Dockerfile");
    assertThat(dockerfile).contains("CMD [\"node\", \"./bin/www\"]");
    var status = new StatusAggregator(null);
    r.record(status, "team/express-app", Instant.now(), true);
    assertThat(status.next().getDockerfile().getStartCommand())
        .containsExactly("node", "./bin/www");
    assertThat(status.next().getDockerfile().getStartCommandSource())
        .isEqualTo("package.json scripts.start: \"node ./bin/www\" runs node directly");
  }

  @Test
  void nothingToStartIsInvalidSpecNamingTheCommandAndNoFetchForASpecCommand() {
    useGit(null);
    gitFiles = dev.leanode.dockerfile.AppFiles.ofInline(Map.of("package.json", "{}"));
    assertThat(resolve())
        .isInstanceOfSatisfying(
            BuildInputsResolver.Problem.class,
            p -> {
              assertThat(p.reason()).isEqualTo(Reason.INVALID_SPEC);
              assertThat(p.message()).startsWith("spec.app.command: cannot tell how to start");
            });
    resource.getSpec().getApp().setCommand(List.of("node", "x.js"));
    // nativeBuild: auto reads the lockfile of the commit too; only never (or always) needs nothing
    resource.getSpec().getApp().setNativeBuild(dev.leanode.api.v1alpha1.NativeBuild.NEVER);
    gitFiles = null; // a fetch would fail the test
    var in = (BuildInputsResolver.Inputs) resolve();
    assertThat(in.start().source()).isEqualTo("spec.app.command");
  }

  @Test
  void gitSecretMissingOrWithoutCredentials() {
    useGit("git-auth");
    assertThat(resolve())
        .isEqualTo(
            new BuildInputsResolver.Problem(
                Reason.SECRET_NOT_FOUND,
                "spec.source.git.secretRef: Secret team/git-auth not found"));
    secrets.put("git-auth", new SecretBuilder().withData(Map.of("user", b64("me"))).build());
    assertThat(resolve())
        .isEqualTo(
            new BuildInputsResolver.Problem(
                Reason.SECRET_NOT_FOUND,
                "spec.source.git.secretRef: Secret git-auth must have keys username and password"
                    + " (or token)"));
  }

  @Test
  void unreachableRemoteIsSourceUnavailable() {
    useGit(null);
    git =
        (g, c) -> {
          throw new SourceUnavailableException("git ls-remote failed: connection refused");
        };
    assertThat(resolve())
        .isEqualTo(
            new BuildInputsResolver.Problem(
                Reason.SOURCE_UNAVAILABLE, "git ls-remote failed: connection refused"));
  }

  /** A missing Secret is polled 1 s, 2 s, 4 s … 30 s, counted in status.retry (no memory). */
  @Test
  void secretRetryBacksOffFromTheCountInTheStatus() {
    secrets.clear();
    NodeAppImageStatus status = null;
    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      var agg = new StatusAggregator(status);
      ((BuildInputsResolver.Problem) resolve()).record(agg);
      delays.add(agg.retryAfter().orElseThrow());
      status = agg.build(1, Instant.EPOCH);
    }
    assertThat(delays)
        .extracting(Duration::toSeconds)
        .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
    assertThat(status.getRetry().getAttempt()).isEqualTo(6);
  }

  @Test
  void anUnreachableRemoteIsAskedAgainInAMinuteAndInputsFromGitPoll() {
    useGit(null);
    var ok = new StatusAggregator(null);
    ((BuildInputsResolver.Inputs) resolve()).record(ok, "team/express-app", Instant.now(), true);
    assertThat(ok.retryAfter()).hasValueSatisfying(d -> assertThat(d).isPositive());
    assertThat(ok.retryAfter().orElseThrow()).isLessThanOrEqualTo(BuildInputsResolver.GIT_POLL);
    assertThat(ok.next().getSource().getCommit()).isEqualTo(COMMIT);

    git =
        (g, c) -> {
          throw new SourceUnavailableException("down");
        };
    var failing = new StatusAggregator(null);
    ((BuildInputsResolver.Problem) resolve()).record(failing);
    assertThat(failing.retryAfter()).contains(BuildInputsResolver.SOURCE_RETRY);
    assertThat(failing.reason()).isEqualTo(Reason.SOURCE_UNAVAILABLE);
  }

  @Test
  void everyFromIsPinnedToTheBaseDigestAndTheDigestJoinsTheInputHash() {
    var first = (BuildInputsResolver.Inputs) resolve();
    assertThat(first.plan().configMap().getData().get("Dockerfile"))
        .contains("FROM node:22-alpine@" + BASE_DIGEST + " AS production")
        .doesNotContainPattern("FROM node:22-alpine AS");
    assertThat(first.baseImage().getDigest()).isEqualTo(BASE_DIGEST);

    base =
        new BaseImageResolver.Resolved(
            new NodeAppImageStatus.BaseImageStatus("node:22-alpine", "sha256:" + "d".repeat(64)));
    var moved = (BuildInputsResolver.Inputs) resolve();
    assertThat(moved.plan().name()).isNotEqualTo(first.plan().name());
  }

  @Test
  void anUnresolvableBaseIsAProblemNamingTheFieldWithARetry() {
    base = new BaseImageResolver.Unavailable("spec.app.baseImage: cannot resolve base image x");
    var r = resolve();
    assertThat(r)
        .isEqualTo(
            new BuildInputsResolver.Problem(
                Reason.BASE_IMAGE_UNAVAILABLE, "spec.app.baseImage: cannot resolve base image x"));
    var status = new StatusAggregator(null);
    ((BuildInputsResolver.Problem) r).record(status);
    assertThat(status.retryAfter()).contains(BuildInputsResolver.BASE_IMAGE_RETRY);
  }

  @Test
  void aBaseImagePullSecretIsReadAndAMissingOneNamesItsField() {
    resource.getSpec().getBuild().setBaseImagePullSecretRef(new LocalObjectRef("basecred"));
    assertThat(resolve())
        .isEqualTo(
            new BuildInputsResolver.Problem(
                Reason.SECRET_NOT_FOUND,
                "spec.build.baseImagePullSecretRef: Secret team/basecred not found"));
    List<Optional<String>> seen = new ArrayList<>();
    secrets.put(
        "basecred", dockerConfigSecret("{\"auths\":{\"mirror.example.com\":{\"auth\":\"eDp5\"}}}"));
    var resolver =
        new BuildInputsResolver(
            BuildSettings.defaults(),
            new SpecValidator(),
            new DockerfileGenerator(),
            new KanikoBuildRunner(),
            (g, c) -> git.resolve(g, c),
            (g, c) -> gitFiles,
            (spec, previous, config, insecure) -> {
              seen.add(config);
              return base;
            });
    assertThat(resolver.resolve(resource, name -> Optional.ofNullable(secrets.get(name))))
        .isInstanceOf(BuildInputsResolver.Inputs.class);
    assertThat(seen)
        .singleElement()
        .satisfies(c -> assertThat(c.orElseThrow()).contains("mirror.example.com"));
  }
}

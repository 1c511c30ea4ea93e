package dev.leanode.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.config.BuildSettings;
import dev.leanode.source.ResolvedSource;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class InputHashTest {
  final KanikoBuildRunner runner = new KanikoBuildRunner();

  @Test
  void pinnedValueProvesStabilityAcrossRunsAndJvms() {
    assertThat(InputHash.of("a", 1, true, null, Map.of("k", "v"), List.of("x")))
        .isEqualTo(InputHash.of("a", 1, true, null, Map.of("k", "v"), List.of("x")))
        .isEqualTo("e66bc0b757897663bc0160688919e718440f9c6e82386df29eff3a7abcdfbac8");
  }

  @Test
  void boundariesAreUnambiguous() {
    assertThat(InputHash.of("ab", "c")).isNotEqualTo(InputHash.of("a", "bc"));
    assertThat(InputHash.of("a", "")).isNotEqualTo(InputHash.of("a", (Object) null));
    assertThat(InputHash.of("a")).isNotEqualTo(InputHash.of("a", ""));
    assertThat(InputHash.of(Map.of("a", "bc"))).isNotEqualTo(InputHash.of(Map.of("ab", "c")));
    assertThat(InputHash.of(List.of("a", "b"), "c"))
        .isNotEqualTo(InputHash.of(List.of("a"), "b", "c"));
    assertThat(InputHash.of("1")).isNotEqualTo(InputHash.of(1));
    assertThat(InputHash.of("true")).isNotEqualTo(InputHash.of(true));
  }

  @Test
  void mapOrderIsIrrelevant() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("a", "1");
    ab.put("b", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("b", "2");
    ba.put("a", "1");
    assertThat(InputHash.of(ab)).isEqualTo(InputHash.of(ba));
  }

  @Test
  void samePlanRequestSameHash() {
    assertThat(runner.plan(BuildFixtures.inlineRequest()).inputHash())
        .isEqualTo(runner.plan(BuildFixtures.inlineRequest()).inputHash());
    assertThat(runner.plan(BuildFixtures.gitRequest()).inputHash())
        .isEqualTo(runner.plan(BuildFixtures.gitRequest()).inputHash());
  }

  @Test
  void inlineFileOrderIsIrrelevant() {
    var req = BuildFixtures.inlineRequest();
    TreeMap<String, String> reversed = new TreeMap<>(java.util.Comparator.reverseOrder());
    reversed.putAll(BuildFixtures.expressFiles());
    var other =
        new BuildRequest(
            req.resource(),
            req.dockerfile(),
            req.singleStageDockerfile(),
            new ResolvedSource.Inline(reversed),
            req.pushSecretName(),
            req.settings());
    assertThat(runner.plan(other)).isEqualTo(runner.plan(req));
  }

  @Test
  void everyInputChangesTheHash() {
    String base = runner.plan(BuildFixtures.inlineRequest()).inputHash();
    List<Function<BuildRequest, BuildRequest>> changes =
        List.of(
            r ->
                with(
                    r,
                    r.dockerfile() + "\n",
                    r.singleStageDockerfile(),
                    r.source(),
                    r.pushSecretName(),
                    r.settings()),
            r -> with(r, r.dockerfile(), null, r.source(), r.pushSecretName(), r.settings()),
            r ->
                with(
                    r,
                    r.dockerfile(),
                    r.singleStageDockerfile() + "#",
                    r.source(),
                    r.pushSecretName(),
                    r.settings()),
            r -> {
              Map<String, String> files = new TreeMap<>(BuildFixtures.expressFiles());
              files.put("index.js", files.get("index.js") + "// changed");
              return with(
                  r,
                  r.dockerfile(),
                  r.singleStageDockerfile(),
                  new ResolvedSource.Inline(new TreeMap<>(files)),
                  r.pushSecretName(),
                  r.settings());
            },
            r -> {
              Map<String, String> files = new TreeMap<>(BuildFixtures.expressFiles());
              files.put("public/robots2.txt", files.remove("public/robots.txt"));
              return with(
                  r,
                  r.dockerfile(),
                  r.singleStageDockerfile(),
                  new ResolvedSource.Inline(new TreeMap<>(files)),
                  r.pushSecretName(),
                  r.settings());
            },
            r ->
                with(
                    r,
                    r.dockerfile(),
                    r.singleStageDockerfile(),
                    r.source(),
                    "other-secret",
                    r.settings()),
            r -> with(r, r.dockerfile(), r.singleStageDockerfile(), r.source(), null, r.settings()),
            r ->
                with(
                    r,
                    r.dockerfile(),
                    r.singleStageDockerfile(),
                    r.source(),
                    r.pushSecretName(),
                    r.settings().withCaBundlePem("pem")),
            r ->
                with(
                    r,
                    r.dockerfile(),
                    r.singleStageDockerfile(),
                    r.source(),
                    r.pushSecretName(),
                    r.settings().withKanikoImage("ghcr.io/osscontainertools/kaniko:v9")),
            mutate(
                r ->
                    r.resource()
                        .getSpec()
                        .getOutput()
                        .setImage("registry.example.com/team/hello-express:1.0.1")),
            mutate(r -> r.resource().getSpec().getOutput().setInsecure(true)),
            mutate(r -> r.resource().getSpec().getBuild().setCache(false)),
            mutate(r -> r.resource().getSpec().getBuild().setTimeout("21m")),
            mutate(
                r ->
                    r.resource()
                        .getSpec()
                        .getBuild()
                        .setResources(
                            new ResourceRequirementsBuilder()
                                .addToLimits("memory", new Quantity("1Gi"))
                                .build())));
    for (int i = 0; i < changes.size(); i++) {
      String changed = runner.plan(changes.get(i).apply(BuildFixtures.inlineRequest())).inputHash();
      assertThat(changed).as("change #%d", i).isNotEqualTo(base);
    }
  }

  @Test
  void gitCommitAndSubPathChangeTheHashButEquivalentDefaultsDoNot() {
    var req = BuildFixtures.gitRequest();
    String base = runner.plan(req).inputHash();
    var otherCommit =
        new ResolvedSource.Git(
            "https://github.com/acme/monorepo.git",
            "refs/heads/main",
            "0000000000000000000000000000000000000001",
            "apps/web",
            "git-creds");
    var otherSub =
        new ResolvedSource.Git(
            "https://github.com/acme/monorepo.git",
            "refs/heads/main",
            BuildFixtures.COMMIT,
            "apps/api",
            "git-creds");
    assertThat(
            runner
                .plan(
                    with(
                        req,
                        req.dockerfile(),
                        null,
                        otherCommit,
                        req.pushSecretName(),
                        req.settings()))
                .inputHash())
        .isNotEqualTo(base);
    assertThat(
            runner
                .plan(
                    with(
                        req,
                        req.dockerfile(),
                        null,
                        otherSub,
                        req.pushSecretName(),
                        req.settings()))
                .inputHash())
        .isNotEqualTo(base);
    // the operator's default timeout (20m) written explicitly is the same build input
    var explicit = BuildFixtures.gitRequest();
    explicit.resource().getSpec().getBuild().setTimeout("20m");
    assertThat(runner.plan(explicit).inputHash()).isEqualTo(base);
  }

  static Function<BuildRequest, BuildRequest> mutate(Consumer<BuildRequest> change) {
    return r -> {
      change.accept(r);
      return r;
    };
  }

  static BuildRequest with(
      BuildRequest r,
      String dockerfile,
      String single,
      ResolvedSource source,
      String push,
      BuildSettings settings) {
    return new BuildRequest(r.resource(), dockerfile, single, source, push, settings);
  }
}

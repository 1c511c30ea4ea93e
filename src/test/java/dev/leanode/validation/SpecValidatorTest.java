package dev.leanode.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.BuildSpec;
import dev.leanode.api.v1alpha1.EnvVar;
import dev.leanode.api.v1alpha1.GitSource;
import dev.leanode.api.v1alpha1.InlineSource;
import dev.leanode.api.v1alpha1.LocalObjectRef;
import dev.leanode.api.v1alpha1.NodeAppImageSpec;
import dev.leanode.api.v1alpha1.OutputSpec;
import dev.leanode.api.v1alpha1.Source;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpecValidatorTest {
  final SpecValidator validator = new SpecValidator();

  static NodeAppImageSpec gitSpec() {
    NodeAppImageSpec spec = new NodeAppImageSpec();
    Source source = new Source();
    GitSource git = new GitSource();
    git.setUrl("https://github.com/acme/express-app.git");
    git.setRevision("main");
    git.setSubPath("services/api");
    git.setSecretRef(new LocalObjectRef("git-auth"));
    source.setGit(git);
    spec.setSource(source);
    AppSpec app = new AppSpec();
    app.setBuildScript("build:prod");
    app.setFiles(new ArrayList<>(List.of("dist/", "public", "views/index.ejs")));
    app.setCommand(new ArrayList<>(List.of("node", "dist/server.js")));
    app.setEnv(new ArrayList<>(List.of(new EnvVar("LOG_LEVEL", "info \"quoted\" $x"))));
    spec.setApp(app);
    OutputSpec out = new OutputSpec();
    out.setImage("registry.example.com:5000/team/express-app:1.0.0");
    out.setPushSecretRef(new LocalObjectRef("regcred"));
    spec.setOutput(out);
    BuildSpec build = new BuildSpec();
    build.setTimeout("1h30m");
    ResourceRequirements res = new ResourceRequirements();
    res.setRequests(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("1Gi")));
    res.setLimits(Map.of("cpu", new Quantity("2"), "memory", new Quantity("4Gi")));
    build.setResources(res);
    spec.setBuild(build);
    return spec;
  }

  static NodeAppImageSpec inlineSpec() {
    NodeAppImageSpec spec = gitSpec();
    Source source = new Source();
    InlineSource inline = new InlineSource();
    Map<String, String> files = new LinkedHashMap<>();
    files.put("package.json", "{\"name\":\"x\"}");
    files.put("src/index.js", "console.log('hi')\n");
    inline.setFiles(files);
    source.setInline(inline);
    spec.setSource(source);
    return spec;
  }

  @Test
  void validSpecsHaveNoErrors() {
    assertThat(validator.validate(gitSpec())).isEmpty();
    assertThat(validator.validate(inlineSpec())).isEmpty();
    NodeAppImageSpec minimal = new NodeAppImageSpec();
    minimal.setSource(inlineSpec().getSource());
    OutputSpec out = new OutputSpec();
    out.setImage("app");
    minimal.setOutput(out);
    assertThat(validator.validate(minimal)).isEmpty();
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        bad("spec.source", s -> s.setSource(null)),
        bad("spec.source", s -> s.getSource().setInline(inlineSpec().getSource().getInline())),
        bad("spec.source", s -> s.getSource().setGit(null)),
        bad("spec.source.git.url", s -> s.getSource().getGit().setUrl("git@github.com:a/b.git")),
        bad("spec.source.git.url", s -> s.getSource().getGit().setUrl("ssh://github.com/a/b")),
        bad("spec.source.git.url", s -> s.getSource().getGit().setUrl("https://h/a b")),
        bad("spec.source.git.url", s -> s.getSource().getGit().setUrl("https://h/a#main")),
        bad("spec.source.git.url", s -> s.getSource().getGit().setUrl("-https://h/a")),
        bad("spec.source.git.url", s -> s.getSource().getGit().setUrl("https://u:p@h/a.git")),
        bad("spec.source.git.url", s -> s.getSource().getGit().setUrl("https://h/a\n")),
        bad("spec.source.git.url", s -> s.getSource().getGit().setUrl("https:///a")),
        bad("spec.source.git.url", s -> s.getSource().getGit().setUrl(null)),
        bad("spec.source.git.revision", s -> s.getSource().getGit().setRevision("a..b")),
        bad("spec.source.git.revision", s -> s.getSource().getGit().setRevision("-f")),
        bad("spec.source.git.revision", s -> s.getSource().getGit().setRevision("v1 2")),
        bad("spec.source.git.revision", s -> s.getSource().getGit().setRevision("a#b")),
        bad("spec.source.git.revision", s -> s.getSource().getGit().setRevision("x.lock")),
        bad("spec.source.git.revision", s -> s.getSource().getGit().setRevision("a/.b")),
        bad("spec.source.git.revision", s -> s.getSource().getGit().setRevision("@{1}")),
        bad("spec.source.git.revision", s -> s.getSource().getGit().setRevision("a\u0000")),
        bad("spec.source.git.subPath", s -> s.getSource().getGit().setSubPath("../x")),
        bad("spec.source.git.subPath", s -> s.getSource().getGit().setSubPath("/abs")),
        bad("spec.source.git.subPath", s -> s.getSource().getGit().setSubPath("-x")),
        bad("spec.source.git.subPath", s -> s.getSource().getGit().setSubPath("a/../../b")),
        bad(
            "spec.source.git.secretRef.name",
            s -> s.getSource().getGit().setSecretRef(new LocalObjectRef("Git_Auth"))),
        bad(
            "spec.source.inline.files",
            s -> {
              s.setSource(inlineSpec().getSource());
              s.getSource().getInline().getFiles().remove("package.json");
            }),
        badInline("../evil.js"),
        badInline("/etc/passwd"),
        badInline("a\\b.js"),
        badInline("..data/x"),
        badInline("src/..x"),
        badInline("a\nb"),
        badInline("a//b"),
        badInline("dir/"),
        bad(
            "spec.source.inline.files",
            s -> {
              s.setSource(inlineSpec().getSource());
              s.getSource().getInline().getFiles().put("big.bin", "x".repeat(1024 * 1024));
            }),
        bad("spec.app.nodeVersion", s -> s.getApp().setNodeVersion("lts")),
        bad("spec.app.nodeVersion", s -> s.getApp().setNodeVersion("22\nRUN x")),
        bad("spec.app.nodeVersion", s -> s.getApp().setNodeVersion("22.1.2.3")),
        bad("spec.app.baseImage", s -> s.getApp().setBaseImage("node:22 AS x")),
        bad("spec.app.baseImage", s -> s.getApp().setBaseImage("--insecure")),
        bad("spec.app.baseImage", s -> s.getApp().setBaseImage("Node:22")),
        bad("spec.app.baseImage", s -> s.getApp().setBaseImage("node:$TAG")),
        bad("spec.app.buildScript", s -> s.getApp().setBuildScript("build; rm -rf /")),
        bad("spec.app.buildScript", s -> s.getApp().setBuildScript("-build")),
        bad("spec.app.buildScript", s -> s.getApp().setBuildScript("bu'ild")),
        badFile("../x"),
        badFile("/abs"),
        badFile("a\\b"),
        badFile("*.js"),
        badFile("dist/[ab]"),
        badFile("-rf"),
        badFile("a b"),
        badFile("$HOME"),
        badFile("a//b"),
        badFile("./a"),
        badFile("node_modules/x"),
        badFile(""),
        bad("spec.app.files[3]", s -> s.getApp().getFiles().add("public/")),
        bad("spec.app.command[2]", s -> s.getApp().getCommand().add("a\nRUN x")),
        bad("spec.app.command[2]", s -> s.getApp().getCommand().add("a\u0000")),
        bad("spec.app.command[2]", s -> s.getApp().getCommand().add("a\u2028b")),
        bad("spec.app.command[2]", s -> s.getApp().getCommand().add("a\u0085b")),
        bad("spec.app.command[2]", s -> s.getApp().getCommand().add("\u202Eevil")),
        bad("spec.app.command[2]", s -> s.getApp().getCommand().add(null)),
        bad("spec.app.command[0]", s -> s.getApp().setCommand(List.of(" "))),
        bad("spec.app.port", s -> s.getApp().setPort(0)),
        bad("spec.app.port", s -> s.getApp().setPort(65536)),
        bad("spec.app.env[1].name", s -> s.getApp().getEnv().add(new EnvVar("1X", "v"))),
        bad("spec.app.env[1].name", s -> s.getApp().getEnv().add(new EnvVar("A-B", "v"))),
        bad("spec.app.env[1].name", s -> s.getApp().getEnv().add(new EnvVar("LOG_LEVEL", "v"))),
        bad("spec.app.env[1].name", s -> s.getApp().getEnv().add(new EnvVar("PORT", "80"))),
        bad("spec.app.env[1].value", s -> s.getApp().getEnv().add(new EnvVar("X", "a\rb"))),
        bad("spec.app.env[1].value", s -> s.getApp().getEnv().add(new EnvVar("X", "a\tb"))),
        bad("spec.output", s -> s.setOutput(null)),
        bad("spec.output.image", s -> s.getOutput().setImage("Registry.example.com/Team/app")),
        bad("spec.output.image", s -> s.getOutput().setImage("app@sha256:" + "a".repeat(64))),
        bad("spec.output.image", s -> s.getOutput().setImage("app:-tag")),
        bad("spec.output.image", s -> s.getOutput().setImage("app:" + "t".repeat(129))),
        bad("spec.output.image", s -> s.getOutput().setImage("--destination=x")),
        bad("spec.output.image", s -> s.getOutput().setImage("a pp")),
        bad("spec.output.image", s -> s.getOutput().setImage("")),
        bad(
            "spec.output.image",
            s -> {
              s.getOutput().setImage("app:" + "t".repeat(120));
              s.getBuild().setCompareSingleStage(true);
            }),
        bad(
            "spec.output.pushSecretRef.name",
            s -> s.getOutput().setPushSecretRef(new LocalObjectRef("-x"))),
        bad("spec.build.timeout", s -> s.getBuild().setTimeout("30s")),
        bad("spec.build.timeout", s -> s.getBuild().setTimeout("25h")),
        bad("spec.build.timeout", s -> s.getBuild().setTimeout("20 m")),
        bad("spec.build.timeout", s -> s.getBuild().setTimeout("1d")),
        bad(
            "spec.build.resources.requests.cpu",
            s -> s.getBuild().getResources().setRequests(Map.of("cpu", new Quantity("lots")))),
        bad(
            "spec.build.resources.limits.memory",
            s -> s.getBuild().getResources().setLimits(Map.of("memory", new Quantity("-1Gi")))),
        bad(
            "spec.build.resources.requests.memory",
            s -> s.getBuild().getResources().setRequests(Map.of("memory", new Quantity("8Gi")))),
        bad("spec.verify.path", s -> s.setVerify(verify("healthz", null, null))),
        bad("spec.verify.path", s -> s.setVerify(verify("/a b", null, null))),
        bad("spec.verify.path", s -> s.setVerify(verify("/\r\nHost: evil", null, null))),
        bad("spec.verify.path", s -> s.setVerify(verify("/" + "p".repeat(256), null, null))),
        bad("spec.verify.port", s -> s.setVerify(verify(null, 0, null))),
        bad("spec.verify.port", s -> s.setVerify(verify(null, 65536, null))),
        bad("spec.verify.timeout", s -> s.setVerify(verify(null, null, "2s"))),
        bad("spec.verify.timeout", s -> s.setVerify(verify(null, null, "11m"))),
        bad("spec.verify.timeout", s -> s.setVerify(verify(null, null, "1 m"))));
  }

  static dev.leanode.api.v1alpha1.VerifySpec verify(String path, Integer port, String timeout) {
    var v = new dev.leanode.api.v1alpha1.VerifySpec();
    v.setPath(path);
    v.setPort(port);
    v.setTimeout(timeout);
    return v;
  }

  @Test
  void acceptsVerifySettings() {
    NodeAppImageSpec spec = gitSpec();
    spec.setVerify(new dev.leanode.api.v1alpha1.VerifySpec());
    assertThat(validator.validate(spec)).isEmpty();
    spec.setVerify(verify("/healthz?full=1", 8080, "1m30s"));
    assertThat(validator.validate(spec)).isEmpty();
    spec.setVerify(verify("/", 1, "5s"));
    assertThat(validator.validate(spec)).isEmpty();
  }

  /** pruneKeep globs reach a shell command line single-quoted: nothing that could break out. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "a b",
        "it's",
        "a\"b",
        "$(id)",
        "`id`",
        "a;b",
        "a\nRUN id",
        "-rf",
        "/etc/passwd",
        "../x",
        "a/../b",
        "./a",
        "a//b",
        "{a,b}",
        "[ab]",
        "a\\b"
      })
  void rejectsPruneKeepGlobsThatCouldInject(String glob) {
    NodeAppImageSpec spec = gitSpec();
    spec.getApp().setPruneKeep(new ArrayList<>(List.of("ok/**", glob)));
    assertThat(validator.validate(spec))
        .extracting(FieldError::field)
        .containsExactly("spec.app.pruneKeep[1]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mime-db/db.json", "**/*.md", "@scope/pkg/data/*", "a?c/x.y+z", "**"})
  void acceptsPruneKeepGlobs(String glob) {
    NodeAppImageSpec spec = gitSpec();
    spec.getApp().setPruneKeep(new ArrayList<>(List.of(glob)));
    assertThat(validator.validate(spec)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "80m", "0", "-5Mi", "80 Mi", "80MiB", "1e40"})
  void rejectsSizeBudgetsNamingTheField(String budget) {
    NodeAppImageSpec spec = gitSpec();
    spec.getOutput().setSizeBudget(budget);
    assertThat(validator.validate(spec))
        .extracting(FieldError::field)
        .containsExactly("spec.output.sizeBudget");
  }

  static Arguments bad(String field, Consumer<NodeAppImageSpec> mutation) {
    return Arguments.of(field, mutation);
  }

  static Arguments badFile(String file) {
    return bad("spec.app.files[3]", s -> s.getApp().getFiles().add(file));
  }

  static Arguments badInline(String path) {
    String quoted = SpecValidator.quote(path);
    return bad(
        "spec.source.inline.files[" + quoted + "]",
        s -> {
          s.setSource(inlineSpec().getSource());
          s.getSource().getInline().getFiles().put(path, "x");
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsNamingTheField(String field, Consumer<NodeAppImageSpec> mutation) {
    NodeAppImageSpec spec = gitSpec();
    mutation.accept(spec);
    List<FieldError> errors = validator.validate(spec);
    assertThat(errors).extracting(FieldError::field).contains(field);
    assertThat(errors).allSatisfy(e -> assertThat(e.message()).isNotBlank());
  }

  @Test
  void messagesReadWell() {
    NodeAppImageSpec spec = gitSpec();
    spec.getApp().getFiles().set(2, "../etc");
    assertThat(validator.validate(spec))
        .extracting(FieldError::toString)
        .containsExactly("spec.app.files[2]: must be a relative path without '..'");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "node:22-alpine",
        "registry.internal/node:22-alpine",
        "localhost:5000/node",
        "a.b-c.d:443/x/y_z__w/v-1:tag_1.2-3",
        "node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "node:22@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
      })
  void acceptsImageReferences(String ref) {
    assertThat(ValueRules.imageReferenceProblem(ref, true)).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"main", "v1.2.3", "feature/x-y_z", "0123456789abcdef0123456789abcdef01234567"})
  void acceptsRevisions(String rev) {
    assertThat(ValueRules.gitRevisionProblem(rev)).isNull();
  }

  @Test
  void parsesTimeouts() {
    assertThat(SpecValidator.parseTimeout("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(SpecValidator.parseTimeout("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(SpecValidator.parseTimeout("24h")).isEqualTo(Duration.ofHours(24));
    assertThat(SpecValidator.parseTimeout("")).isNull();
    assertThat(SpecValidator.timeoutProblem("1m")).isNull();
    assertThat(SpecValidator.timeoutProblem("24h")).isNull();
    assertThat(SpecValidator.timeoutProblem("24h1s")).isNotNull();
  }
}

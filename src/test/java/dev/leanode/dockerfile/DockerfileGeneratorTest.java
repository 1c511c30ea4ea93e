package dev.leanode.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.EnvVar;
import dev.leanode.api.v1alpha1.PackageManager;
import dev.leanode.dockerfile.ParsedDockerfile.Instruction;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files and structural rules of the generated Dockerfiles.
 *
 * <p>Each case reads {@code src/test/resources/golden/dockerfile/<case>.yaml} (an AppSpec) and
 * compares the output with {@code <case>.Dockerfile} (and {@code .single-stage.Dockerfile}, {@code
 * .seed-multi-stage.Dockerfile} for the seed case). To regenerate on purpose, after a deliberate
 * change, and review the diff:
 *
 * <pre>
 * ./mvnw -B -q test -Dtest=DockerfileGeneratorTest -Dleanode.golden.update=true
 * </pre>
 */
class DockerfileGeneratorTest {
  static final Path GOLDEN_DIR = Path.of("src/test/resources/golden/dockerfile");
  static final boolean UPDATE = Boolean.getBoolean("leanode.golden.update");
  static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  static final List<String> CASES =
      List.of(
          "seed",
          "typescript-build",
          "typescript-build-files",
          "yarn",
          "pnpm",
          "explicit-files",
          "custom-command",
          "custom-base-image",
          "node-version",
          "env",
          "ca-bundle",
          "minimal",
          "minimal-alpine",
          "prune-off",
          "native-alpine",
          "native-debian-build");

  final DockerfileGenerator generator = new DockerfileGenerator();

  static AppSpec load(String name) {
    try (InputStream in =
        DockerfileGeneratorTest.class.getResourceAsStream("/golden/dockerfile/" + name + ".yaml")) {
      if (in == null) {
        throw new IllegalStateException("missing golden input " + name + ".yaml");
      }
      AppSpec spec = YAML.readValue(in, AppSpec.class);
      return spec == null ? new AppSpec() : spec;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static DockerfileOptions options(String name) {
    return name.startsWith("ca-bundle")
        ? DockerfileOptions.withCaBundle()
        : DockerfileOptions.none();
  }

  static Stream<String> cases() {
    return CASES.stream();
  }

  static Stream<Arguments> allOutputs() {
    DockerfileGenerator g = new DockerfileGenerator();
    return CASES.stream().map(c -> Arguments.of(c, g.generate(load(c), options(c))));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void matchesGoldenFile(String name) throws IOException {
    assertGolden(name + ".Dockerfile", generator.generate(load(name), options(name)));
  }

  @Test
  void seedComparisonVariantsMatchGoldenFiles() throws IOException {
    AppSpec seed = load("seed");
    assertGolden(
        "seed.single-stage.Dockerfile",
        generator.generateSingleStage(seed, DockerfileOptions.none()));
    assertGolden(
        "seed.seed-multi-stage.Dockerfile",
        generator.generateSeedMultiStage(seed, DockerfileOptions.none()));
    assertGolden(
        "native-alpine.single-stage.Dockerfile",
        generator.generateSingleStage(load("native-alpine"), DockerfileOptions.none()));
    assertGolden(
        "typescript-build.single-stage.Dockerfile",
        generator.generateSingleStage(load("typescript-build"), DockerfileOptions.withCaBundle()));
  }

  static void assertGolden(String file, String actual) throws IOException {
    Path path = GOLDEN_DIR.resolve(file);
    if (UPDATE) {
      Files.createDirectories(GOLDEN_DIR);
      Files.writeString(path, actual, StandardCharsets.UTF_8);
      return;
    }
    assertThat(path)
        .as("golden file %s missing; run with -Dleanode.golden.update=true", path)
        .exists();
    assertThat(actual)
        .as("%s differs; if intended, rerun with -Dleanode.golden.update=true", file)
        .isEqualTo(Files.readString(path, StandardCharsets.UTF_8));
  }

  // --- structural rules, on every golden case --------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("allOutputs")
  void finalStageRunsAsNodeInProductionWithExecFormCmd(String name, String dockerfile)
      throws IOException {
    List<Instruction> last = ParsedDockerfile.parse(dockerfile).finalStage();
    assertThat(last.get(0).args()).endsWith(" AS production");
    assertThat(last).extracting(Instruction::keyword).doesNotContain("RUN", "ARG", "ADD");
    assertThat(last)
        .filteredOn(i -> i.keyword().equals("USER"))
        .extracting(Instruction::args)
        .containsExactly(DockerfileGenerator.USER);
    assertThat(last)
        .filteredOn(i -> i.keyword().equals("ENV"))
        .extracting(Instruction::args)
        .contains("NODE_ENV=production");
    // USER is the last instruction; exactly one exec-form CMD before it
    assertThat(last.get(last.size() - 1).keyword()).isEqualTo("USER");
    assertThat(last).filteredOn(i -> i.keyword().equals("CMD")).hasSize(1);
    Instruction cmd =
        last.stream().filter(i -> i.keyword().equals("CMD")).findFirst().orElseThrow();
    List<?> parsed = new ObjectMapper().readValue(cmd.args(), List.class);
    assertThat(parsed).isNotEmpty().allMatch(String.class::isInstance);
    assertThat(last)
        .filteredOn(i -> i.keyword().equals("EXPOSE"))
        .extracting(Instruction::args)
        .hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allOutputs")
  void finalStageShipsOnlyProductionDependenciesAndNoCaches(String name, String dockerfile) {
    ParsedDockerfile parsed = ParsedDockerfile.parse(dockerfile);
    int deps = parsed.stageNamed("deps");
    assertThat(deps).isNotNegative();
    String install =
        parsed.stage(deps).stream()
            .filter(i -> i.keyword().equals("RUN"))
            .map(Instruction::args)
            .reduce("", String::concat);
    assertThat(install)
        .contains("npm ci --omit=dev")
        .contains("npm install --omit=dev")
        .contains("--production --frozen-lockfile")
        .contains("pnpm install --prod --frozen-lockfile")
        .contains("workspaces focus --all --production")
        .doesNotContainPattern("npm ci(;| ;| fi)")
        .doesNotContainPattern("pnpm install( --frozen-lockfile)?;")
        .contains("rm -rf /tmp/leanode-cache");
    // every cache location of the install stages points into the deleted folder
    for (Instruction env : parsed.stage(deps)) {
      if (env.keyword().equals("ENV")) {
        assertThat(env.args()).contains("npm_config_cache=/tmp/leanode-cache/");
        assertThat(env.args()).contains("COREPACK_HOME=/tmp/leanode-cache/");
        assertThat(env.args()).contains("YARN_CACHE_FOLDER=/tmp/leanode-cache/");
      }
    }
    for (Instruction i : parsed.finalStage()) {
      if (i.keyword().equals("COPY")) {
        assertThat(i.args()).startsWith("--from=");
        assertThat(i.args())
            .doesNotContain(".npm", ".cache", "leanode-cache", ".yarn", ".pnpm-store", "/root");
        if (i.args().startsWith("--from=deps ")) {
          assertThat(i.args()).isEqualTo("--from=deps /app/node_modules ./node_modules");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allOutputs")
  void appLayerCountIsTheNumberOfCopiesAfterNodeModules(String name, String dockerfile) {
    List<Instruction> last = ParsedDockerfile.parse(dockerfile).finalStage();
    int nodeModules = indexOf(last, "COPY", "--from=deps ");
    long after =
        last.subList(nodeModules + 1, last.size()).stream()
            .filter(i -> i.keyword().equals("COPY"))
            .count();
    assertThat(DockerfileGenerator.appLayerCount(load(name))).isEqualTo((int) after);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allOutputs")
  void dependencyLayersComeBeforeSourceLayers(String name, String dockerfile) {
    ParsedDockerfile parsed = ParsedDockerfile.parse(dockerfile);
    List<Instruction> deps = parsed.stage(parsed.stageNamed("deps"));
    assertThat(deps)
        .filteredOn(i -> i.keyword().equals("COPY"))
        .extracting(Instruction::args)
        .as("deps sees the manifests (and the prune script) only, never the sources")
        .containsAnyOf("--from=context /leanode/manifests/ ./")
        .isSubsetOf(
            "--from=context /leanode/manifests/ ./",
            "--from=prune /leanode/prune.cjs /leanode/prune.cjs");
    List<Instruction> last = parsed.finalStage();
    int nodeModules = indexOf(last, "COPY", "--from=deps ");
    int firstSource =
        Math.min(
            indexOf(last, "COPY", "--from=context "), indexOf(last, "COPY", "--from=builder "));
    assertThat(nodeModules).isNotNegative().isLessThan(firstSource);
    int builder = parsed.stageNamed("builder");
    if (builder >= 0) {
      List<Instruction> b = parsed.stage(builder);
      int manifests = indexOf(b, "COPY", "--from=context /leanode/manifests/");
      // a native-addon toolchain RUN may come before the manifests (cached across their changes)
      int install = manifests + 1;
      int sources = indexOf(b, "COPY", "--from=context /src/");
      assertThat(manifests).isNotNegative();
      assertThat(b.get(install).keyword()).isEqualTo("RUN");
      assertThat(install).isLessThan(sources);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allOutputs")
  void caArgsOnlyInStagesThatRunAPackageManager(String name, String dockerfile) {
    ParsedDockerfile parsed = ParsedDockerfile.parse(dockerfile);
    boolean ca = options(name).caBundlePath() != null;
    for (int s = 0; s < parsed.stageCount(); s++) {
      List<Instruction> stage = parsed.stage(s);
      String from = stage.get(0).args();
      boolean installs = from.endsWith(" AS deps") || from.endsWith(" AS builder");
      List<String> args =
          stage.stream().filter(i -> i.keyword().equals("ARG")).map(Instruction::args).toList();
      if (ca && installs) {
        assertThat(args)
            .contains(
                "NODE_EXTRA_CA_CERTS=/leanode/ca/ca.crt",
                "npm_config_cafile=/leanode/ca/ca.crt",
                "YARN_HTTPS_CA_FILE_PATH=/leanode/ca/ca.crt");
      } else {
        assertThat(args).as("stage %s", from).isEmpty();
      }
    }
    assertThat(parsed.finalStage().toString()).doesNotContain("ca.crt", "cafile");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allOutputs")
  void everyStageUsesTheSameBaseImage(String name, String dockerfile) {
    String base = DockerfileGenerator.baseImage(load(name));
    for (Instruction i : ParsedDockerfile.parse(dockerfile).instructions()) {
      if (i.keyword().equals("FROM") && i.args().equals("scratch AS production")) {
        assertThat(load(name).getRuntime())
            .as("only the minimal runtime starts from scratch")
            .isEqualTo(dev.leanode.api.v1alpha1.Runtime.MINIMAL);
      } else if (i.keyword().equals("FROM")) {
        assertThat(i.args()).startsWith(base + " AS ");
      }
    }
  }

  private static int indexOf(List<Instruction> stage, String keyword, String argsPrefix) {
    for (int i = 0; i < stage.size(); i++) {
      if (stage.get(i).keyword().equals(keyword) && stage.get(i).args().startsWith(argsPrefix)) {
        return i;
      }
    }
    return Integer.MAX_VALUE;
  }

  // --- single values -----------------------------------------------------------------------------

  @Test
  void baseImageFollowsNodeVersionUnlessOverridden() {
    AppSpec app = new AppSpec();
    assertThat(DockerfileGenerator.baseImage(app)).isEqualTo("node:22-alpine");
    app.setNodeVersion("20.18.1");
    assertThat(DockerfileGenerator.baseImage(app)).isEqualTo("node:20.18.1-alpine");
    app.setBaseImage("mirror.local/node:20");
    assertThat(DockerfileGenerator.baseImage(app)).isEqualTo("mirror.local/node:20");
    assertThat(DockerfileGenerator.baseImage(null)).isEqualTo("node:22-alpine");
  }

  @Test
  void userNodeOptionsAreAppendedToTheShim() {
    AppSpec app = new AppSpec();
    app.setEnv(List.of(new EnvVar("NODE_OPTIONS", "--max-old-space-size=256 --title=\"a b\"")));
    List<Instruction> env =
        ParsedDockerfile.parse(generator.generate(app, DockerfileOptions.none()))
            .finalStage()
            .stream()
            .filter(i -> i.keyword().equals("ENV") && i.args().startsWith("NODE_OPTIONS="))
            .toList();
    assertThat(env).hasSize(1);
    assertThat(ParsedDockerfile.unquoteEnvValue(env.get(0).args().substring(13)))
        .isEqualTo(
            "--require "
                + DockerfileGenerator.SHIM_PATH
                + " --max-old-space-size=256 --title=\"a b\"");
  }

  @Test
  void envValuesAndCommandRoundTripLiterally() throws IOException {
    String nasty = "a\"b\\c$HOME ${X} `id` $(id) 'q' \\\" end\\";
    AppSpec app = new AppSpec();
    app.setEnv(List.of(new EnvVar("NASTY", nasty)));
    app.setCommand(List.of("node", nasty, "ü✓\uD83D\uDE00"));
    List<Instruction> last =
        ParsedDockerfile.parse(generator.generate(app, DockerfileOptions.none())).finalStage();
    String env =
        last.stream()
            .filter(i -> i.args().startsWith("NASTY="))
            .findFirst()
            .orElseThrow()
            .args()
            .substring(6);
    assertThat(ParsedDockerfile.unquoteEnvValue(env)).isEqualTo(nasty);
    String cmd =
        last.stream().filter(i -> i.keyword().equals("CMD")).findFirst().orElseThrow().args();
    assertThat(cmd).isASCII();
    assertThat(new ObjectMapper().readValue(cmd, List.class))
        .containsExactly("node", nasty, "ü✓\uD83D\uDE00");
  }

  @Test
  void defaultCommandLetsNodeResolveMainOrIndex() {
    String df = generator.generate(new AppSpec(), DockerfileOptions.none());
    assertThat(df).contains("\nCMD [\"node\", \".\"]\n").endsWith("USER 1000:1000\n");
  }

  @Test
  void pinnedManagerSkipsLockfileDetection() {
    AppSpec app = new AppSpec();
    app.setPackageManager(PackageManager.NPM);
    String df = generator.generate(app, DockerfileOptions.none());
    assertThat(df).contains("pm=npm;").doesNotContain("pnpm-lock.yaml ]; then pm=pnpm");
    app.setPackageManager(PackageManager.YARN);
    assertThat(generator.generate(app, DockerfileOptions.none()))
        .contains("pm=yarn;")
        .contains("then pm=berry");
  }

  @Test
  void rejectsWhatTheValidatorRejectsNamingTheField() {
    AppSpec app = new AppSpec();
    app.setFiles(List.of("index.js", "lib", "../etc/passwd"));
    assertThatThrownBy(() -> generator.generate(app, DockerfileOptions.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.app.files[2]: must be a relative path without '..'");

    AppSpec env = new AppSpec();
    env.setEnv(List.of(new EnvVar("X", "a\nRUN evil")));
    assertThatThrownBy(() -> generator.generateSingleStage(env, DockerfileOptions.none()))
        .hasMessageContaining("spec.app.env[0].value");

    AppSpec cmd = new AppSpec();
    cmd.setCommand(List.of("node", "a\u0000b"));
    assertThatThrownBy(() -> generator.generateSeedMultiStage(cmd, DockerfileOptions.none()))
        .hasMessageContaining("spec.app.command[1]");

    AppSpec base = new AppSpec();
    base.setBaseImage("node:22 AS x\nRUN evil");
    assertThatThrownBy(() -> generator.generate(base, DockerfileOptions.none()))
        .hasMessageContaining("spec.app.baseImage");

    assertThatThrownBy(
            () -> generator.generate(new AppSpec(), new DockerfileOptions("ca.crt\nRUN x")))
        .hasMessageContaining("options.caBundlePath");
  }

  @Test
  void shimIsWrittenVerbatim() {
    String df = generator.generate(new AppSpec(), DockerfileOptions.none());
    for (String line : DockerfileGenerator.SHIM_LINES) {
      assertThat(df).contains("\"" + line + "\" \\\n");
    }
  }
}

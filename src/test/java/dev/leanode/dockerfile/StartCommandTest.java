package dev.leanode.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.dockerfile.ParsedDockerfile.Instruction;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The start-command decision on the package.json shapes real generators write (express-generator
 * 4.16, fastify-cli 8 generate and its TypeScript template, @nestjs/cli 12 new, a tsc app), and the
 * Dockerfiles they give (golden files {@code start-<case>.Dockerfile}; regenerate with {@code
 * -Dleanode.golden.update=true}).
 */
class StartCommandTest {
  static final String EXPRESS_GENERATOR =
      """
      {"name": "ex", "version": "0.0.0", "private": true,
       "scripts": {"start": "node ./bin/www"},
       "dependencies": {"cookie-parser": "~1.4.4", "debug": "~2.6.9", "express": "~4.16.1",
                        "morgan": "~1.9.1"}}
      """;
  static final String FASTIFY_CLI =
      """
      {"name": "fa", "version": "1.0.0", "main": "app.js", "directories": {"test": "test"},
       "scripts": {"test": "node --test test/**/*.test.js",
                   "start": "fastify start -l info app.js",
                   "dev": "fastify start -w -l info -P app.js"},
       "dependencies": {"fastify": "^5.0.0", "fastify-plugin": "^6.0.0",
                        "@fastify/autoload": "^6.0.0", "@fastify/sensible": "^6.0.0",
                        "fastify-cli": "^8.0.2"},
       "devDependencies": {}}
      """;
  static final String FASTIFY_CLI_TS =
      """
      {"name": "fa-ts", "main": "app.ts",
       "scripts": {"build:ts": "tsc", "start": "npm run build:ts && fastify start -l info dist/app.js",
                   "dev": "npm run build:ts && concurrently \\"npm:watch:ts\\" \\"npm:dev:start\\""},
       "dependencies": {"fastify": "^5.0.0", "fastify-cli": "^8.0.2"},
       "devDependencies": {"typescript": "~5.8.2"}}
      """;
  static final String NEST =
      """
      {"name": "ne", "version": "0.0.1", "private": true, "type": "module",
       "scripts": {"build": "nest build", "start": "nest start",
                   "start:dev": "nest start --watch", "start:prod": "node dist/main"},
       "dependencies": {"@nestjs/common": "^12.0.1", "@nestjs/core": "^12.0.1",
                        "@nestjs/platform-express": "^12.0.1", "reflect-metadata": "^0.2.2",
                        "rxjs": "^7.8.1"},
       "devDependencies": {"@nestjs/cli": "^12.0.0", "typescript": "^6.0.2"}}
      """;
  static final String TSC =
      """
      {"name": "ts-app", "main": "dist/index.js",
       "scripts": {"build": "tsc", "start": "node dist/index.js"},
       "devDependencies": {"typescript": "^5.6.0", "@types/node": "^22.0.0"}}
      """;
  static final String TSCONFIG = "{\"compilerOptions\": {\"outDir\": \"./dist\", // built\n}}";

  static final Map<String, Map<String, String>> APPS = new LinkedHashMap<>();

  static {
    APPS.put(
        "express-generator",
        Map.of(
            "package.json", EXPRESS_GENERATOR,
            "bin/www", "",
            "app.js", "",
            "routes/index.js", "",
            "public/index.html", ""));
    APPS.put(
        "fastify-cli",
        Map.of(
            "package.json",
            FASTIFY_CLI,
            "app.js",
            "",
            "routes/root.js",
            "",
            "plugins/sensible.js",
            "",
            "test/helper.js",
            ""));
    APPS.put(
        "fastify-cli-ts",
        Map.of("package.json", FASTIFY_CLI_TS, "src/app.ts", "", "tsconfig.json", TSCONFIG));
    APPS.put(
        "nest",
        Map.of(
            "package.json", NEST,
            "nest-cli.json", "{\"collection\": \"@nestjs/schematics\", \"sourceRoot\": \"src\"}",
            "tsconfig.json", TSCONFIG,
            "src/main.ts", "",
            "src/app.module.ts", ""));
    APPS.put("tsc", Map.of("package.json", TSC, "tsconfig.json", TSCONFIG, "src/index.ts", ""));
  }

  record Case(
      String app, List<String> command, String source, String bin, String build, String env) {}

  static Stream<Case> realShapes() {
    return Stream.of(
        new Case(
            "express-generator",
            List.of("node", "./bin/www"),
            "package.json scripts.start",
            null,
            null,
            ""),
        new Case(
            "fastify-cli",
            List.of("node", "node_modules/.leanode/bin/fastify", "start", "-l", "info", "app.js"),
            "package.json scripts.start",
            "fastify",
            null,
            "FASTIFY_ADDRESS=0.0.0.0"),
        new Case(
            "fastify-cli-ts",
            List.of(
                "node", "node_modules/.leanode/bin/fastify", "start", "-l", "info", "dist/app.js"),
            "package.json scripts.start",
            "fastify",
            "build:ts",
            "FASTIFY_ADDRESS=0.0.0.0"),
        new Case(
            "nest",
            List.of("node", "dist/main"),
            "package.json scripts.start:prod",
            null,
            "build",
            ""),
        new Case(
            "tsc",
            List.of("node", "dist/index.js"),
            "package.json scripts.start",
            null,
            "build",
            ""));
  }

  static StartCommand decide(Map<String, String> files) {
    return StartCommand.decide(new AppSpec(), AppFiles.ofInline(files));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("realShapes")
  void realGeneratorsShapes(Case c) {
    StartCommand s = decide(APPS.get(c.app()));
    assertThat(s.command()).isEqualTo(c.command());
    assertThat(s.source()).isEqualTo(c.source());
    assertThat(s.bin()).isEqualTo(c.bin());
    assertThat(s.buildScript()).isEqualTo(c.build());
    assertThat(
            String.join(
                ",",
                s.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()))
        .isEqualTo(c.env());
    assertThat(s.describe()).startsWith(c.source() + ": ").doesNotContain("\n");
  }

  static Stream<Arguments> goldenCases() {
    return APPS.keySet().stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void goldenDockerfiles(String app) throws IOException {
    StartCommand s = decide(APPS.get(app));
    String dockerfile =
        new DockerfileGenerator().generate(new AppSpec(), DockerfileOptions.withCaBundle(), s);
    DockerfileGeneratorTest.assertGolden("start-" + app + ".Dockerfile", dockerfile);
    ParsedDockerfile parsed = ParsedDockerfile.parse(dockerfile);
    List<Instruction> last = parsed.finalStage();
    Instruction cmd = last.stream().filter(i -> i.keyword().equals("CMD")).findFirst().get();
    assertThat(cmd.args()).isEqualTo(DockerfileWriter.jsonArray(s.command()));
    assertThat(last.get(last.size() - 1).args()).isEqualTo("1000:1000");
    String deps =
        parsed.stage(parsed.stageNamed("deps")).stream()
            .filter(i -> i.keyword().equals("RUN"))
            .map(Instruction::args)
            .reduce("", String::concat);
    assertThat(deps.contains("node_modules/.leanode/bin")).isEqualTo(s.bin() != null);
    assertThat(parsed.stageNamed("builder") >= 0).isEqualTo(s.buildScript() != null);
    if (s.buildScript() != null) {
      assertThat(dockerfile).contains(" run '" + s.buildScript() + "'");
    }
    // the single-stage comparison runs the same program through npm's own .bin link
    String single =
        new DockerfileGenerator().generateSingleStage(new AppSpec(), DockerfileOptions.none(), s);
    assertThat(single).doesNotContain(".leanode/bin");
    if (s.bin() != null) {
      assertThat(single).contains("\"node_modules/.bin/" + s.bin() + "\"");
      assertThat(single).contains("ENV FASTIFY_ADDRESS=\"0.0.0.0\"");
    }
  }

  /** The apps the other real-build tests build keep a command whose file is there (or built). */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "express-heavy-dev",
        "monorepo/services/api",
        "pnpm-app",
        "seed-express",
        "static-public",
        "typescript-dist",
        "yarn-app"
      })
  void fixtureAppsStillStart(String app) {
    java.nio.file.Path dir = java.nio.file.Path.of("src/test/resources/apps", app);
    StartCommand s = StartCommand.decide(new AppSpec(), AppFiles.ofDirectory(dir));
    assertThat(s.command().get(0)).isEqualTo("node");
    String file = AppDirInspector.normalize(s.command().get(1));
    assertThat(s.buildScript() != null || java.nio.file.Files.exists(dir.resolve(file)))
        .as("%s: %s", app, s.describe())
        .isTrue();
  }

  @Test
  void orderOfTheRules() {
    // start (node) wins over main; start:prod over a dev runner start; main over index.js
    assertThat(
            decide(
                    Map.of(
                        "package.json",
                        "{\"main\":\"lib/a.js\",\"scripts\":{\"start\":\"node src/index.js\"}}",
                        "src/index.js",
                        "",
                        "lib/a.js",
                        ""))
                .command())
        .containsExactly("node", "src/index.js");
    assertThat(
            decide(
                    Map.of(
                        "package.json",
                        "{\"scripts\":{\"start\":\"nodemon x.js\",\"start:prod\":\"node x.js\"}}",
                        "x.js",
                        ""))
                .source())
        .isEqualTo("package.json scripts.start:prod");
    assertThat(
            decide(Map.of("package.json", "{\"main\":\"app.js\"}", "app.js", "", "index.js", "")))
        .extracting(StartCommand::command, StartCommand::source)
        .containsExactly(List.of("node", "app.js"), "package.json main");
    assertThat(decide(Map.of("package.json", "{}", "server.js", "", "index.js", "")).command())
        .containsExactly("node", "server.js");
    assertThat(decide(Map.of("package.json", "{}", "index.js", "")).command())
        .containsExactly("node", "index.js");
    assertThat(decide(Map.of("index.js", "")).source()).isEqualTo("index.js");
  }

  @Test
  void nodeFlagsValuesArgumentsAndEnvPrefixes() {
    StartCommand s =
        decide(
            Map.of(
                "package.json",
                "{\"scripts\":{\"start\":\"NODE_ENV=production node -r dotenv/config"
                    + " --enable-source-maps server.js --port 3000\"}}",
                "server.js",
                ""));
    assertThat(s.command())
        .containsExactly(
            "node", "-r", "dotenv/config", "--enable-source-maps", "server.js", "--port", "3000");
    assertThat(s.env()).containsEntry("NODE_ENV", "production");
  }

  @Test
  void theSpecCommandWinsAndNeedsNoFiles() {
    AppSpec app = new AppSpec();
    app.setCommand(List.of("node", "custom.js"));
    StartCommand s = StartCommand.decide(app, AppFiles.ofInline(Map.of()));
    assertThat(s.command()).containsExactly("node", "custom.js");
    assertThat(s.source()).isEqualTo("spec.app.command");
  }

  @Test
  void aSpecBuildScriptIsNotRunTwice() {
    AppSpec app = new AppSpec();
    app.setBuildScript("compile");
    assertThat(StartCommand.decide(app, AppFiles.ofInline(APPS.get("tsc"))).buildScript()).isNull();
  }

  @Test
  void nothingToRunSaysWhatToSet() {
    assertThatThrownBy(() -> decide(Map.of("package.json", "{\"name\":\"x\"}", "lib/x.js", "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("spec.app.command: cannot tell how to start the app")
        .hasMessageContaining("set spec.app.command");
    assertThatThrownBy(
            () ->
                decide(
                    Map.of(
                        "package.json",
                        "{\"scripts\":{\"start\":\"npm run serve\"}}",
                        "lib/x.js",
                        "")))
        .hasMessageContaining("scripts.start \"npm run serve\" needs a shell or npm");
    assertThatThrownBy(
            () -> decide(Map.of("package.json", "{\"scripts\":{\"start\":\"node dist/a.js\"}}")))
        .hasMessageStartingWith("spec.app.buildScript: scripts.start runs dist/a.js, which is not")
        .hasMessageContaining("set spec.app.buildScript");
    assertThatThrownBy(
            () ->
                decide(
                    Map.of(
                        "package.json",
                        "{\"dependencies\":{\"next\":\"16\"},\"scripts\":{\"build\":\"next"
                            + " build\",\"start\":\"next start\"}}")))
        .hasMessageContaining("Next.js")
        .hasMessageContaining("set spec.app.command");
    assertThatThrownBy(() -> decide(Map.of("package.json", "[1, 2]", "index.js", "")))
        .hasMessageStartingWith("spec.app.command: package.json is not a JSON object");
  }

  /** Whatever a start script holds, it reaches the Dockerfile only as CMD elements or a comment. */
  @Test
  void hostileStartScriptsAddNoInstruction() {
    List<String> keywords = keywords(decide(APPS.get("express-generator")));
    for (String hostile :
        List.of(
            "node index.js\\nRUN rm -rf /",
            "node index.js\\r\\nUSER root",
            "fastify start\\nRUN id",
            "node index.js \\u2028 CMD [\\\"sh\\\"]",
            "node $(id).js",
            "node `id`.js; USER root",
            "x\\\" ] \\nRUN id")) {
      Map<String, String> files = new LinkedHashMap<>(APPS.get("express-generator"));
      files.put(
          "package.json",
          "{\"dependencies\":{\"x\":\"1\"},\"scripts\":{\"start\":\"" + hostile + "\"}}");
      files.put("index.js", "");
      StartCommand s = decide(files);
      String dockerfile =
          new DockerfileGenerator().generate(new AppSpec(), DockerfileOptions.none(), s);
      assertThat(keywords(s)).as("%s → %s", hostile, s.command()).isEqualTo(keywords);
      assertThat(dockerfile.lines())
          .noneMatch(l -> l.startsWith("USER root") || l.startsWith("RUN id"))
          .noneMatch(l -> l.startsWith("CMD") && !l.startsWith("CMD [\"node\""));
    }
  }

  private static List<String> keywords(StartCommand s) {
    return ParsedDockerfile.parse(
            new DockerfileGenerator().generate(new AppSpec(), DockerfileOptions.none(), s))
        .finalStage()
        .stream()
        .map(Instruction::keyword)
        .filter(k -> !k.equals("ENV"))
        .toList();
  }
}

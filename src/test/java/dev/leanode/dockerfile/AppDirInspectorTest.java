package dev.leanode.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.PackageManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AppDirInspectorTest {
  @TempDir Path dir;
  final AppDirInspector inspector = new AppDirInspector();

  private void write(String path, String content) throws IOException {
    Path p = dir.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  @Test
  void seedAppGetsDefaults() throws IOException {
    write("package.json", "{\"name\":\"express-app\",\"dependencies\":{\"express\":\"^4.21.0\"}}");
    write("index.js", "require('express')");
    AppSpec app = inspector.inspect(dir);
    assertThat(app.getPackageManager()).isEqualTo(PackageManager.AUTO);
    assertThat(app.getNodeVersion()).isEqualTo("22");
    assertThat(app.getBuildScript()).isNull();
    assertThat(app.getFiles()).isEmpty();
    assertThat(app.getCommand()).isEmpty();
    assertThat(new DockerfileGenerator().generate(app, DockerfileOptions.none()))
        .contains("CMD [\"node\", \".\"]");
  }

  @Test
  void packageManagerFromLockfilesThenField() throws IOException {
    write("package.json", "{\"packageManager\":\"pnpm@9.12.0\"}");
    assertThat(inspector.inspect(dir).getPackageManager()).isEqualTo(PackageManager.PNPM);
    write("package-lock.json", "{}");
    assertThat(inspector.inspect(dir).getPackageManager()).isEqualTo(PackageManager.NPM);
    write("yarn.lock", "");
    assertThat(inspector.inspect(dir).getPackageManager()).isEqualTo(PackageManager.YARN);
    write("pnpm-lock.yaml", "");
    assertThat(inspector.inspect(dir).getPackageManager()).isEqualTo(PackageManager.PNPM);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        ">=20;22",
        "^22.1;22",
        "~20.10.0;20",
        "20.x;20",
        ">=18 <21;20",
        ">= 18 < 21;20",
        "14.x || 16.x;16",
        "^18 || ^20;20",
        ">=25;25",
        "18.0.0 - 20.5.0;20",
        "<22;20",
        "<22.1;22",
        "*;22",
        "node;",
      })
  void nodeVersionFromEngines(String range, String expected) throws IOException {
    write("package.json", "{\"engines\":{\"node\":\"" + range + "\"}}");
    assertThat(inspector.inspect(dir).getNodeVersion())
        .isEqualTo(expected == null ? AppSpec.DEFAULT_NODE_VERSION : expected);
  }

  @Test
  void nvmrcAndNodeVersionFilesWinOverEngines() throws IOException {
    write("package.json", "{\"engines\":{\"node\":\">=18\"}}");
    write(".node-version", "20.11.1\n");
    assertThat(inspector.inspect(dir).getNodeVersion()).isEqualTo("20.11.1");
    write(".nvmrc", "v18\n");
    assertThat(inspector.inspect(dir).getNodeVersion()).isEqualTo("18");
    write(".nvmrc", "lts/iron\n");
    assertThat(inspector.inspect(dir).getNodeVersion()).isEqualTo("20");
    write(".nvmrc", "lts/*\n");
    assertThat(inspector.inspect(dir).getNodeVersion()).isEqualTo("20.11.1");
  }

  @Test
  void typescriptBuildShipsOutDirAndRuntimeFolders() throws IOException {
    write(
        "package.json",
        "{\"main\":\"dist/server.js\",\"scripts\":{\"build\":\"tsc\",\"start\":\"node"
            + " dist/server.js\"}}");
    write(
        "tsconfig.json",
        "{\n  // comments are allowed in tsconfig\n  \"compilerOptions\": {\"outDir\": \"./dist/\","
            + " },\n}");
    write("public/index.html", "<p>hi</p>");
    write("src/server.ts", "");
    AppSpec app = inspector.inspect(dir);
    assertThat(app.getBuildScript()).isEqualTo("build");
    assertThat(app.getFiles()).containsExactly("dist", "public");
    assertThat(app.getCommand()).as("main is run by the default 'node .'").isEmpty();
  }

  @Test
  void buildWhoseEntryIsOutsideTheOutputKeepsTheWholeApp() throws IOException {
    write("package.json", "{\"main\":\"server.js\",\"scripts\":{\"build\":\"webpack\"}}");
    write("tsconfig.json", "{\"compilerOptions\":{\"outDir\":\"dist\"}}");
    AppSpec app = inspector.inspect(dir);
    assertThat(app.getBuildScript()).isEqualTo("build");
    assertThat(app.getFiles()).isEmpty();
  }

  @Test
  void buildWithoutTsconfigUsesMainsOutputFolder() throws IOException {
    write(
        "package.json",
        "{\"main\":\"build/index.js\",\"scripts\":{\"build\":\"babel src -d build\"}}");
    assertThat(inspector.inspect(dir).getFiles()).containsExactly("build");
  }

  @Test
  void startScriptBecomesCommandWithoutMain() throws IOException {
    write(
        "package.json", "{\"scripts\":{\"start\":\"node --enable-source-maps ./server/app.js\"}}");
    write("server/app.js", "");
    assertThat(decide().command())
        .containsExactly("node", "--enable-source-maps", "./server/app.js");
    write("package.json", "{\"scripts\":{\"start\":\"nodemon app.js\"}}");
    assertThatThrownBy(this::decide).hasMessageContaining("nodemon, a development runner");
    write("package.json", "{\"scripts\":{\"start\":\"node app.js && rm -rf /\"}}");
    assertThatThrownBy(this::decide).hasMessageContaining("needs a shell");
    write("package.json", "{\"scripts\":{\"start\":\"node ../x.js\"}}");
    assertThatThrownBy(this::decide)
        .hasMessageStartingWith("spec.app.command: ")
        .hasMessageContaining("outside the app folder");
  }

  /** What `leanode dockerfile DIR` runs: the inspected spec, decided on the same folder. */
  StartCommand decide() {
    return StartCommand.decide(inspector.inspect(dir), AppFiles.ofDirectory(dir));
  }

  @Test
  void missingPackageJsonIsAnError() {
    assertThatThrownBy(() -> inspector.inspect(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no package.json");
  }

  @Test
  void whatItDetectsAlwaysGenerates() throws IOException {
    write(
        "package.json",
        "{\"packageManager\":\"yarn@4.5.0\",\"engines\":{\"node\":\"^20\"},"
            + "\"scripts\":{\"build\":\"tsc\",\"start\":\"node lib/main.js\"}}");
    write("tsconfig.json", "{\"compilerOptions\":{\"outDir\":\"lib\"}}");
    AppSpec app = inspector.inspect(dir);
    assertThat(app.getPackageManager()).isEqualTo(PackageManager.YARN);
    assertThat(app.getNodeVersion()).isEqualTo("20");
    assertThat(app.getFiles()).containsExactly("lib");
    assertThat(decide().command()).containsExactly("node", "lib/main.js");
    assertThat(new DockerfileGenerator().generate(app, DockerfileOptions.none()))
        .contains("FROM node:20-alpine AS production")
        .contains("COPY --from=builder /app/lib ./lib");
  }
}

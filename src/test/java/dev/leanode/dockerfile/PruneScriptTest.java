package dev.leanode.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * prune.cjs, the script the deps stage runs for {@code spec.app.prune: safe}, run with the
 * machine's node over a node_modules tree laid out as npm and pnpm lay them out. The real builds
 * (SlimImagesIT) prove that pruned apps still answer; this pins down what is removed and kept.
 */
class PruneScriptTest {
  static final Path SCRIPT = ShellcheckTest.RESOURCES.resolve("prune.cjs");

  @TempDir Path dir;

  Path nm;

  void file(String rel, String content) throws IOException {
    Path p = nm.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
  }

  String run(String... keep) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("node", SCRIPT.toString(), nm.toString()));
    cmd.addAll(List.of(keep));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  List<String> left() throws IOException {
    try (Stream<Path> s = Files.walk(nm)) {
      return s.filter(p -> !Files.isDirectory(p) || Files.isSymbolicLink(p))
          .map(p -> nm.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  void tree() throws IOException {
    nm = dir.resolve("node_modules");
    file(
        "lib-a/package.json",
        "{\"name\":\"lib-a\",\"main\":\"dist/index\",\"bin\":{\"a\":\"docs/cli.js\"}}");
    file("lib-a/dist/index.js", "module.exports = 1;");
    file("lib-a/dist/index.js.map", "{}");
    file("lib-a/dist/index.d.ts", "export {};");
    file("lib-a/dist/util.ts", "export const x = 1;");
    file("lib-a/dist/util.js", "exports.x = 1;");
    file("lib-a/dist/only.ts", "export const y = 1;");
    file("lib-a/README.md", "# a");
    file("lib-a/CHANGELOG.md", "1.0");
    file("lib-a/History.md", "1.0");
    file("lib-a/LICENSE", "MIT");
    file("lib-a/LICENSE.md", "MIT");
    file("lib-a/NOTICE.txt", "n");
    file("lib-a/.npmignore", "x");
    file("lib-a/history.js", "module.exports = [];");
    file("lib-a/test/index.test.js", "x");
    file("lib-a/test/LICENSE", "kept even in test/");
    file("lib-a/examples/demo.js", "x");
    file("lib-a/docs/cli.js", "#!/usr/bin/env node");
    file("lib-a/docs/guide.html", "x");
    file("lib-a/src/test/helper.js", "not at the package root: kept");
    file("lib-a/build/Release/addon.node", "ELF");
    file("@scope/b/package.json", "{\"name\":\"@scope/b\"}");
    file("@scope/b/index.js", "x");
    file("@scope/b/readme.markdown", "x");
    file("@scope/b/data/table.md", "read at run time");
    file("@scope/b/node_modules/c/package.json", "{\"name\":\"c\"}");
    file("@scope/b/node_modules/c/schema.d.mts", "x");
    file("@scope/b/node_modules/c/docs/keep.json", "kept by glob");
    file(".pnpm/d@1.0.0/node_modules/d/package.json", "{\"name\":\"d\"}");
    file(".pnpm/d@1.0.0/node_modules/d/tests/t.js", "x");
    file(".pnpm/d@1.0.0/node_modules/d/assets/x.md", "kept by glob via the inner node_modules");
    Files.createDirectories(nm.resolve(".bin"));
    Files.createSymbolicLink(nm.resolve(".bin/a"), Path.of("../lib-a/docs/cli.js"));
    Files.createSymbolicLink(nm.resolve("d"), Path.of(".pnpm/d@1.0.0/node_modules/d"));
  }

  @Test
  void removesWhatNoRunningAppLoadsAndKeepsTheRest() throws Exception {
    tree();
    String out = run("@scope/b/data/*.md", "c/docs/**", "d/assets/*");
    assertThat(out).contains("leanode prune: removed 13 files");
    assertThat(left())
        .containsExactly(
            ".bin/a",
            ".pnpm/d@1.0.0/node_modules/d/assets/x.md",
            ".pnpm/d@1.0.0/node_modules/d/package.json",
            "@scope/b/data/table.md",
            "@scope/b/index.js",
            "@scope/b/node_modules/c/docs/keep.json",
            "@scope/b/node_modules/c/package.json",
            "@scope/b/package.json",
            "d",
            "lib-a/LICENSE",
            "lib-a/LICENSE.md",
            "lib-a/NOTICE.txt",
            "lib-a/build/Release/addon.node",
            "lib-a/dist/index.js",
            "lib-a/dist/only.ts",
            "lib-a/dist/util.js",
            "lib-a/docs/cli.js",
            "lib-a/history.js",
            "lib-a/package.json",
            "lib-a/src/test/helper.js",
            "lib-a/test/LICENSE");
  }

  @Test
  void withoutTheKeepListTheDocsGo() throws Exception {
    tree();
    run();
    assertThat(left())
        .doesNotContain(
            "@scope/b/data/table.md",
            "@scope/b/node_modules/c/docs/keep.json",
            ".pnpm/d@1.0.0/node_modules/d/assets/x.md")
        .contains("lib-a/docs/cli.js", "lib-a/test/LICENSE");
  }

  @Test
  void noNodeModulesIsNotAnError() throws Exception {
    nm = dir.resolve("node_modules");
    assertThat(run()).contains("nothing to prune");
  }
}

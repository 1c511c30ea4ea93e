package dev.leanode.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leanode.dockerfile.AppFiles;
import dev.leanode.dockerfile.StartCommand;
import dev.leanode.e2e.GitHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator reads a commit's files over git's smart HTTP ({@code git http-backend}, as real
 * servers do): exactly the commit asked for, under subPath, with the text of package.json.
 */
class GitAppFilesTest {
  static Path root;
  static GitHttpServer server;
  static List<String> shas;
  final GitAppFiles reader = new GitAppFiles(10);

  @BeforeAll
  static void repo() throws Exception {
    root = Files.createTempDirectory("leanode-gitfiles-");
    Path app = Files.createTempDirectory("leanode-gitfiles-app-");
    Files.createDirectories(app.resolve("services/api/bin"));
    Files.writeString(app.resolve("README.md"), "monorepo");
    Files.writeString(
        app.resolve("services/api/package.json"), "{\"scripts\":{\"start\":\"node ./bin/www\"}}");
    Files.writeString(app.resolve("services/api/bin/www"), "require('http')");
    server = new GitHttpServer(root);
    shas =
        server.createRepo(
            "mono.git",
            app,
            "services/api/package.json",
            "{\"scripts\":{\"start\":\"node ./bin/www --feature\"}}");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  ResolvedSource.Git at(String ref, String commit, String subPath) {
    return new ResolvedSource.Git(server.url("mono.git"), ref, commit, subPath, null);
  }

  @Test
  void readsTheCommitAskedForUnderSubPath() throws Exception {
    AppFiles main =
        reader.read(at("refs/heads/main", shas.get(0), "services/api"), Optional.empty());
    assertThat(main.paths()).containsExactlyInAnyOrder("package.json", "bin/www");
    assertThat(StartCommand.decide(null, main).command()).containsExactly("node", "./bin/www");

    // the feature commit by SHA alone (no ref): its own package.json, not the branch tip's
    AppFiles feature = reader.read(at(null, shas.get(1), "services/api"), Optional.empty());
    assertThat(StartCommand.decide(null, feature).command())
        .containsExactly("node", "./bin/www", "--feature");

    AppFiles whole = reader.read(at("refs/heads/main", shas.get(0), null), Optional.empty());
    assertThat(whole.paths()).contains("README.md", "services/api/package.json");
    assertThat(whole.text("package.json")).isEmpty();
  }

  @Test
  void unknownCommitsAndFoldersAreSourceProblems() {
    assertThatThrownBy(
            () ->
                reader.read(
                    at(null, "0123456789abcdef0123456789abcdef01234567", null), Optional.empty()))
        .isInstanceOf(SourceUnavailableException.class)
        .hasMessageContaining("cannot read package.json of commit 0123456789abcdef");
    assertThatThrownBy(
            () -> reader.read(at("refs/heads/main", shas.get(0), "services/web"), Optional.empty()))
        .isInstanceOf(SourceUnavailableException.class)
        .hasMessageContaining("spec.source.git.subPath: no folder services/web");
  }
}

package dev.leanode.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * shellcheck over every shell resource of the generator and over every RUN body of the golden
 * Dockerfiles (what a build really runs, placeholders filled). shellcheck must be installed: this
 * test fails rather than skips without it.
 */
class ShellcheckTest {
  static final Path RESOURCES = Path.of("src/main/resources/dev/leanode/dockerfile");
  static final String INSTALL = "apt-get install -y shellcheck";

  /**
   * SC2035 (a "-x.md" file read as an rm option) is disabled, with its reason, next to the one line
   * it concerns in prune-ignored.sh; a generated RUN cannot carry that directive.
   */
  static final List<String> GOLDEN_EXCLUDES = List.of("-e", "SC2035");

  @BeforeAll
  static void shellcheckIsInstalled() {
    try {
      Process p = new ProcessBuilder("shellcheck", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (p.waitFor() != 0) {
        fail("shellcheck --version failed; install it: " + INSTALL);
      }
    } catch (IOException e) {
      fail("shellcheck is not installed (Debian package shellcheck): " + INSTALL, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(e);
    }
  }

  static Stream<Path> shellResources() throws IOException {
    try (Stream<Path> files = Files.list(RESOURCES)) {
      List<Path> scripts = files.filter(f -> f.toString().endsWith(".sh")).sorted().toList();
      assertThat(scripts).as("shell resources under " + RESOURCES).isNotEmpty();
      return scripts.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("shellResources")
  void shellResourcePassesShellcheck(Path script) throws Exception {
    assertThat(Files.readString(script)).as("needs a #!/bin/sh line").startsWith("#!/bin/sh\n");
    Result r = shellcheck(List.of(script.toString()), null);
    assertThat(r.exit).as(script + ":\n" + r.output).isZero();
  }

  static Stream<Arguments> goldenRunBodies() throws IOException {
    List<Arguments> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(DockerfileGeneratorTest.GOLDEN_DIR)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".Dockerfile")).sorted().toList()) {
        List<String> bodies = runBodies(Files.readString(f));
        for (int i = 0; i < bodies.size(); i++) {
          out.add(Arguments.of(f.getFileName() + " RUN #" + (i + 1), bodies.get(i)));
        }
      }
    }
    assertThat(out).as("RUN instructions in the golden Dockerfiles").hasSizeGreaterThan(20);
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenRunBodies")
  void goldenRunBodyPassesShellcheck(String where, String body) throws Exception {
    List<String> args = new ArrayList<>(GOLDEN_EXCLUDES);
    args.add("-");
    Result r = shellcheck(args, body);
    assertThat(r.exit).as(where + ":\n" + body + "\n" + r.output).isZero();
  }

  /** The check can fail: an unquoted, unassigned variable and a missing fi are reported. */
  @Test
  void shellcheckReportsABrokenScript() throws Exception {
    Result r = shellcheck(List.of("-"), "set -eu; \\\n    if [ -f $x ]; then rm -rf $x; \\\n");
    assertThat(r.exit).isNotZero();
    assertThat(r.output).contains("SC1");
  }

  @Test
  void runBodiesAreWhatShellWouldRun() {
    String df = "FROM x\nRUN set -eu; \\\n    a; \\\n    b\nRUN c\nCMD [\"d\"]\n";
    assertThat(runBodies(df)).containsExactly("set -eu; \\\n    a; \\\n    b\n", "c\n");
  }

  /**
   * The text after {@code RUN } up to the end of the instruction. Backslash-newline continues a
   * line for sh as it does for the Dockerfile parser, so the body is a shell script as it stands.
   */
  static List<String> runBodies(String dockerfile) {
    List<String> bodies = new ArrayList<>();
    StringBuilder current = null;
    for (String line : dockerfile.split("\n", -1)) {
      if (current == null && line.startsWith("RUN ")) {
        current = new StringBuilder();
        line = line.substring(4);
      }
      if (current != null) {
        current.append(line).append('\n');
        if (!line.endsWith("\\")) {
          bodies.add(current.toString());
          current = null;
        }
      }
    }
    return bodies;
  }

  record Result(int exit, String output) {}

  static Result shellcheck(List<String> args, String stdin) throws Exception {
    List<String> command = new ArrayList<>(List.of("shellcheck", "--shell=sh", "--format=gcc"));
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), output);
  }
}

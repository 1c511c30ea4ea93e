package dev.leanode.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The writer's quoting and its refusals; ShellScript's template rules. */
class DockerfileWriterTest {
  @Test
  void writesEachInstructionInItsForm() {
    Map<String, String> words = new LinkedHashMap<>();
    words.put("A", "1");
    words.put("B", "/tmp/x");
    String df =
        new DockerfileWriter()
            .comment("hello")
            .from("node:22-alpine", "deps")
            .arg("CA", "/leanode/ca/ca.crt")
            .envWords(words)
            .env("Q", "a \"b\" $c \\d")
            .label("org.opencontainers.image.title", "x $y")
            .workdir("/app")
            .copy("context", "node", List.of("/src/a", "/src/b"), "./")
            .run(ShellScript.of("set -eu;", "  a;", "b;"))
            .user("node")
            .expose(3000)
            .cmd(List.of("node", "ü \"x\""))
            .text();
    assertThat(df)
        .isEqualTo(
            """
            # hello
            FROM node:22-alpine AS deps
            ARG CA=/leanode/ca/ca.crt
            ENV A=1 \\
                B=/tmp/x
            ENV Q="a \\"b\\" \\$c \\\\d"
            LABEL org.opencontainers.image.title="x \\$y"
            WORKDIR /app
            COPY --from=context --chown=node /src/a /src/b ./
            RUN set -eu; \\
                  a; \\
                b
            USER node
            EXPOSE 3000
            CMD ["node", "\\u00fc \\"x\\""]
            """);
  }

  @Test
  void refusesValuesThatWouldEndOrAddAnInstruction() {
    DockerfileWriter w = new DockerfileWriter();
    assertThatThrownBy(() -> w.env("X", "a\nRUN evil")).hasMessageContaining("ENV value");
    assertThatThrownBy(() -> w.label("k", "a\rb")).hasMessageContaining("LABEL");
    assertThatThrownBy(() -> w.comment("a\nRUN evil")).hasMessageContaining("comment");
    assertThatThrownBy(() -> w.from("node:22 AS x")).hasMessageContaining("FROM image");
    assertThatThrownBy(() -> w.from("node", "Bad Stage")).hasMessageContaining("stage");
    assertThatThrownBy(() -> w.arg("A", "x y")).hasMessageContaining("ARG value");
    assertThatThrownBy(() -> w.envWords(Map.of("A", "$HOME"))).hasMessageContaining("ENV value");
    assertThatThrownBy(() -> w.env("A=B", "x")).hasMessageContaining("ENV name");
    assertThatThrownBy(() -> w.copy("--from=x", "./")).hasMessageContaining("'-'");
    assertThatThrownBy(() -> w.copy("a b", "./")).hasMessageContaining("COPY source");
    assertThatThrownBy(() -> w.copy("$HOME", "./")).hasMessageContaining("COPY source");
    assertThatThrownBy(() -> w.workdir("app")).hasMessageContaining("WORKDIR");
    assertThatThrownBy(() -> w.user("node\nRUN x")).hasMessageContaining("USER");
    assertThatThrownBy(() -> w.expose(0)).hasMessageContaining("EXPOSE");
    assertThatThrownBy(() -> w.run("a\nRUN evil")).hasMessageContaining("printable");
    assertThatThrownBy(() -> w.run("a \\")).hasMessageContaining("continue");
    assertThat(w.text()).isEmpty();
  }

  @Test
  void templatesFillEveryPlaceholderAndNoOther() {
    assertThatThrownBy(() -> ShellScript.resource("run-build-script.sh"))
        .hasMessageContaining("no value for @SCRIPT@");
    assertThatThrownBy(
            () -> ShellScript.resource("run-build-script.sh", Map.of("SCRIPT", "'b'", "X", "y")))
        .hasMessageContaining("unused");
    assertThat(ShellScript.resource("run-build-script.sh", Map.of("SCRIPT", "'b'")).runLines())
        .anyMatch(l -> l.equals("  *) npm run 'b' ;;"))
        .noneMatch(l -> l.contains("#") || l.contains("@"))
        .last()
        .asString()
        .doesNotEndWith(";");
  }

  @Test
  void templateLinesMustJoinToTheNextOne() {
    // continued, "a" and "b" would become one command "a b"
    assertThatThrownBy(() -> ShellScript.requireJoinable("t.sh", List.of("a", "b")))
        .hasMessageContaining("t.sh: line 1 cannot be joined");
    ShellScript.requireJoinable(
        "t.sh", List.of("for f in x; do", "  if a; then b; fi;", "done;", "case x in", "esac"));
    assertThatThrownBy(() -> ShellScript.resource("missing.sh")).hasMessageContaining("missing");
  }
}

package dev.leanode.dockerfile;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Writes Dockerfile text one typed instruction at a time and owns its quoting, so no value can add
 * an instruction: exec-form {@code CMD} is a JSON array (non-ASCII as {@code \\u} escapes), {@code
 * ENV}/{@code LABEL} values are double-quoted with {@code \ " $} escaped, and everything written
 * bare (images, stage names, paths, ARG values, users) must match a strict pattern or the writer
 * throws. Values reach it validated ({@code SpecValidator}); these checks are defence in depth.
 * Multi-line {@code RUN} and {@code ENV} use line continuations, never heredocs (the maintained
 * Kaniko fork mishandles quoted heredoc delimiters, osscontainertools/kaniko#1025).
 */
final class DockerfileWriter {
  private static final String CONTINUATION = " \\\n    ";
  private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._:/@+-]*");
  private static final Pattern STAGE = Pattern.compile("[a-z][a-z0-9_.-]*");
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");
  private static final Pattern WORD = Pattern.compile("[A-Za-z0-9._/:@+,=-]+");
  private static final Pattern PATH = Pattern.compile("[A-Za-z0-9._@+/*?\\[\\]-]+");
  private static final Pattern ABSOLUTE_PATH = Pattern.compile("/[A-Za-z0-9._@+/-]*");
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:-]*");

  private final StringBuilder text = new StringBuilder();

  /** {@code # text}; one line, printable. */
  DockerfileWriter comment(String line) {
    return line("# " + printable("comment", line));
  }

  DockerfileWriter blank() {
    return line("");
  }

  /** {@code FROM image}. */
  DockerfileWriter from(String image) {
    return line("FROM " + check("FROM image", image, IMAGE));
  }

  /** {@code FROM image AS stage}. */
  DockerfileWriter from(String image, String stage) {
    return line(
        "FROM " + check("FROM image", image, IMAGE) + " AS " + check("stage", stage, STAGE));
  }

  /** {@code ARG name=value} with a bare-word value. */
  DockerfileWriter arg(String name, String value) {
    return line("ARG " + check("ARG name", name, NAME) + "=" + check("ARG value", value, WORD));
  }

  /** {@code ENV name="value"}: any printable value, read back literally. */
  DockerfileWriter env(String name, String value) {
    return line(
        "ENV " + check("ENV name", name, NAME) + "=" + quote(printable("ENV value", value)));
  }

  /**
   * {@code ENV name=word} for each entry, one per continued line: for fixed settings whose values
   * are plain words (so they stay readable unquoted).
   */
  DockerfileWriter envWords(Map<String, String> words) {
    if (words.isEmpty()) {
      throw new IllegalArgumentException("ENV needs at least one variable");
    }
    return line(
        "ENV "
            + words.entrySet().stream()
                .map(
                    e ->
                        check("ENV name", e.getKey(), NAME)
                            + "="
                            + check("ENV value", e.getValue(), WORD))
                .collect(Collectors.joining(CONTINUATION)));
  }

  /** {@code LABEL key="value"}. */
  DockerfileWriter label(String key, String value) {
    return line(
        "LABEL " + check("LABEL key", key, LABEL_KEY) + "=" + quote(printable("LABEL", value)));
  }

  /** {@code WORKDIR /absolute/path}. */
  DockerfileWriter workdir(String path) {
    return line("WORKDIR " + check("WORKDIR", path, ABSOLUTE_PATH));
  }

  /** {@code COPY source dest}. */
  DockerfileWriter copy(String source, String dest) {
    return copy(null, null, List.of(source), dest);
  }

  /** {@code COPY sources... dest}. */
  DockerfileWriter copy(List<String> sources, String dest) {
    return copy(null, null, sources, dest);
  }

  /** {@code COPY --from=stage source dest}. */
  DockerfileWriter copyFrom(String stage, String source, String dest) {
    return copy(stage, null, List.of(source), dest);
  }

  /** {@code COPY [--from=stage] [--chown=owner] sources... dest}; null stage/owner = none. */
  DockerfileWriter copy(String stage, String chown, List<String> sources, String dest) {
    StringBuilder b = new StringBuilder("COPY");
    if (stage != null) {
      b.append(" --from=").append(check("COPY --from", stage, STAGE));
    }
    if (chown != null) {
      b.append(" --chown=").append(check("COPY --chown", chown, USER));
    }
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("COPY needs a source");
    }
    for (String s : sources) {
      b.append(' ').append(path("COPY source", s));
    }
    return line(b.append(' ').append(path("COPY destination", dest)).toString());
  }

  /** {@code RUN} of a one-line shell command. */
  DockerfileWriter run(String command) {
    return run(ShellScript.of(command));
  }

  /** {@code RUN} of a script, its lines joined by line continuations. */
  DockerfileWriter run(ShellScript script) {
    return line("RUN " + String.join(CONTINUATION, script.runLines()));
  }

  /** {@code USER name[:group]} or numeric ids. */
  DockerfileWriter user(String user) {
    return line("USER " + check("USER", user, USER));
  }

  /** {@code EXPOSE port}. */
  DockerfileWriter expose(int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("EXPOSE port out of range: " + port);
    }
    return line("EXPOSE " + port);
  }

  /** Exec-form {@code CMD ["a", "b"]}. */
  DockerfileWriter cmd(List<String> command) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("CMD needs at least one element");
    }
    return line("CMD " + jsonArray(command));
  }

  /** The Dockerfile written so far. */
  String text() {
    return text.toString();
  }

  @Override
  public String toString() {
    return text();
  }

  private DockerfileWriter line(String line) {
    text.append(line).append('\n');
    return this;
  }

  private static String check(String what, String value, Pattern pattern) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new IllegalArgumentException(what + ": not allowed in a Dockerfile: " + value);
    }
    return value;
  }

  private static String path(String what, String value) {
    if (value != null && value.startsWith("-")) {
      throw new IllegalArgumentException(what + ": must not start with '-': " + value);
    }
    return check(what, value, PATH);
  }

  /** Control characters (a newline above all) would end the instruction. */
  private static String printable(String what, String value) {
    if (value == null
        || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
        || value.contains("\u2028")
        || value.contains("\u2029")) {
      throw new IllegalArgumentException(what + ": must not contain control characters");
    }
    return value;
  }

  /** A JSON string, what exec form parses; everything outside printable ASCII as \\u escapes. */
  static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  static String jsonArray(List<String> items) {
    return items.stream()
        .map(DockerfileWriter::jsonString)
        .collect(Collectors.joining(", ", "[", "]"));
  }

  /**
   * A double-quoted ENV/LABEL value. Inside double quotes the Dockerfile word parser treats {@code
   * \"}, {@code \$} and {@code \\} as escapes and substitutes {@code $VAR}; escaping exactly those
   * keeps the value literal.
   */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\' || c == '$') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.append('"').toString();
  }
}

package dev.leanode.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small Dockerfile reader for tests, following the BuildKit parser where it matters for
 * injection: physical lines are joined on a trailing {@code \} (optionally followed by blanks),
 * comment lines ({@code #} first) are dropped even inside a continuation, and an instruction is its
 * first word plus the rest.
 */
record ParsedDockerfile(List<Instruction> instructions) {

  /** One instruction; {@code stage} counts FROMs from 0. */
  record Instruction(String keyword, String args, int stage) {}

  static ParsedDockerfile parse(String text) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = null;
    int stage = -1;
    // Only \n ends a line in the Dockerfile parser (it also strips a \r before it).
    for (String raw : text.split("\n", -1)) {
      String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      String trimmed = line.stripLeading();
      if (trimmed.startsWith("#")) {
        continue;
      }
      if (current == null && trimmed.isBlank()) {
        continue;
      }
      String body = line.stripTrailing();
      boolean continues = body.endsWith("\\");
      if (continues) {
        body = body.substring(0, body.length() - 1);
      }
      if (current == null) {
        current = new StringBuilder(body.stripLeading());
      } else {
        current.append(body);
      }
      if (!continues) {
        String full = current.toString().strip();
        current = null;
        int space = indexOfBlank(full);
        String keyword = (space < 0 ? full : full.substring(0, space)).toUpperCase(Locale.ROOT);
        String args = space < 0 ? "" : full.substring(space).strip();
        if (keyword.equals("FROM")) {
          stage++;
        }
        out.add(new Instruction(keyword, args, stage));
      }
    }
    if (current != null) {
      throw new IllegalStateException("dangling line continuation at end of file");
    }
    return new ParsedDockerfile(out);
  }

  private static int indexOfBlank(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
        return i;
      }
    }
    return -1;
  }

  List<String> keywords() {
    return instructions.stream().map(Instruction::keyword).toList();
  }

  int stageCount() {
    return instructions.isEmpty() ? 0 : instructions.get(instructions.size() - 1).stage() + 1;
  }

  List<Instruction> stage(int index) {
    return instructions.stream().filter(i -> i.stage() == index).toList();
  }

  List<Instruction> finalStage() {
    return stage(stageCount() - 1);
  }

  /** Stage index by its {@code AS name}, or -1. */
  int stageNamed(String name) {
    for (Instruction i : instructions) {
      if (i.keyword().equals("FROM")
          && i.args().toLowerCase(Locale.ROOT).endsWith(" as " + name.toLowerCase(Locale.ROOT))) {
        return i.stage();
      }
    }
    return -1;
  }

  /**
   * Undoes the double-quoted ENV value quoting the way BuildKit's word lexer does: inside double
   * quotes {@code \"}, {@code \$} and {@code \\} are escapes, any other backslash stays. Fails on
   * an unescaped {@code $} (it would be substituted) or on text after the closing quote.
   */
  static String unquoteEnvValue(String quoted) {
    if (quoted.length() < 2
        || quoted.charAt(0) != '"'
        || quoted.charAt(quoted.length() - 1) != '"') {
      throw new IllegalArgumentException("not a double-quoted value: " + quoted);
    }
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < quoted.length() - 1; i++) {
      char c = quoted.charAt(i);
      if (c == '\\' && i + 1 < quoted.length() - 1) {
        char n = quoted.charAt(i + 1);
        if (n == '"' || n == '$' || n == '\\') {
          b.append(n);
          i++;
          continue;
        }
        b.append(c);
        continue;
      }
      if (c == '\\') {
        throw new IllegalArgumentException("backslash escapes the closing quote: " + quoted);
      }
      if (c == '"') {
        throw new IllegalArgumentException("unescaped quote inside value: " + quoted);
      }
      if (c == '$') {
        throw new IllegalArgumentException("unescaped $ would be substituted: " + quoted);
      }
      b.append(c);
    }
    return b.toString();
  }
}

package dev.leanode.dockerfile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shell text for one {@code RUN}, as lines that {@link DockerfileWriter#run} joins with line
 * continuations. Most of it comes from the {@code .sh} resources next to this class: real shell
 * files (shellcheck reads them, see ShellcheckTest) whose every line but the last ends where a
 * space means the same as a newline ({@code ;}, {@code ;;}, {@code do}, {@code then}, {@code in}
 * ...), so the joined RUN runs what the file says. Comment lines and blank lines are dropped: in a
 * continued RUN a {@code #} would swallow the rest of the command. {@code @NAME@} placeholders are
 * filled from a map; a missing or unused value is an error, so a template and its caller cannot
 * drift apart silently.
 */
final class ShellScript {
  private static final Pattern PLACEHOLDER = Pattern.compile("@([A-Z][A-Z_]*)@");

  /** Words after which a newline and a space are the same to the shell. */
  private static final Pattern JOINABLE_END =
      Pattern.compile(".*(;|;;|\\bdo|\\bthen|\\belse|\\bin|\\{|\\||&&)$");

  private final List<String> lines;

  private ShellScript(List<String> lines) {
    for (String line : lines) {
      if (line.isBlank() || line.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException("RUN line must be non-blank printable text: " + line);
      }
      if (line.endsWith("\\")) {
        throw new IllegalArgumentException("RUN line must not continue itself: " + line);
      }
    }
    this.lines = List.copyOf(lines);
  }

  /** Lines written in Java (one-liners, or the words of one continued command). */
  static ShellScript of(String... lines) {
    return new ShellScript(List.of(lines));
  }

  /** A resource without placeholders. */
  static ShellScript resource(String name) {
    return resource(name, Map.of());
  }

  /** A resource next to this class with its {@code @NAME@} placeholders filled from vars. */
  static ShellScript resource(String name, Map<String, String> vars) {
    List<String> lines = new ArrayList<>();
    Set<String> used = new TreeSet<>();
    for (String raw : resourceLines(name)) {
      String trimmed = raw.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      Matcher m = PLACEHOLDER.matcher(raw);
      StringBuilder line = new StringBuilder();
      while (m.find()) {
        String value = vars.get(m.group(1));
        if (value == null) {
          throw new IllegalArgumentException(name + ": no value for @" + m.group(1) + "@");
        }
        used.add(m.group(1));
        m.appendReplacement(line, Matcher.quoteReplacement(value));
      }
      m.appendTail(line);
      lines.add(line.toString().stripTrailing());
    }
    if (!used.equals(new TreeSet<>(vars.keySet()))) {
      throw new IllegalArgumentException(name + ": unused values " + vars.keySet() + " vs " + used);
    }
    requireJoinable(name, lines);
    return new ShellScript(lines);
  }

  /** Every line but the last ends where the shell reads a space as it reads a newline. */
  static void requireJoinable(String name, List<String> lines) {
    for (int i = 0; i < lines.size() - 1; i++) {
      if (!JOINABLE_END.matcher(lines.get(i)).matches()) {
        throw new IllegalStateException(
            name + ": line " + (i + 1) + " cannot be joined to the next one: " + lines.get(i));
      }
    }
  }

  /**
   * A command writing the resource {@code name} (JavaScript) to {@code dest}: {@code printf
   * '%s\\n'} with each line single-quoted, so the shell reads it literally. Comment-only ({@code
   * //}) and blank lines are left out; a line holding a single quote or a control character is an
   * error (the resource is ours, so this is a check on the file, not on user input).
   */
  static ShellScript printfFile(String name, String dest) {
    if (!dest.matches("(/[A-Za-z0-9._-]+)+")) {
      throw new IllegalArgumentException("printfFile: unsafe destination " + dest);
    }
    List<String> lines = new ArrayList<>();
    lines.add("printf '%s\\n'");
    for (String raw : resourceLines(name)) {
      String trimmed = raw.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("//")) {
        continue;
      }
      if (raw.indexOf('\'') >= 0 || raw.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalStateException(name + ": line not printf-safe (single quote): " + raw);
      }
      lines.add("  '" + raw.stripTrailing() + "'");
    }
    lines.add("> " + dest + ";");
    return new ShellScript(lines);
  }

  /** The raw lines of a resource next to this class (shell, JavaScript). */
  static List<String> resourceLines(String name) {
    try (InputStream in = ShellScript.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource dev/leanode/dockerfile/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** This script, then next. */
  ShellScript then(ShellScript next) {
    List<String> all = new ArrayList<>(lines);
    all.addAll(next.lines);
    return new ShellScript(all);
  }

  /** The only line of a one-line script (to fill a placeholder with it). */
  String singleLine() {
    if (lines.size() != 1) {
      throw new IllegalStateException("not a one-line script: " + lines);
    }
    return lines.get(0);
  }

  /** The lines as RUN writes them: the last command's {@code ;} is left out. */
  List<String> runLines() {
    List<String> out = new ArrayList<>(lines);
    String last = out.get(out.size() - 1);
    if (last.endsWith(";") && !last.endsWith(";;")) {
      out.set(out.size() - 1, last.substring(0, last.length() - 1));
    }
    return out;
  }
}

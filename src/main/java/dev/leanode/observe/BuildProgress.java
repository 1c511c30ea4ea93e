package dev.leanode.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a running build is, read from the Kaniko container's log and the Dockerfile it builds:
 * {@code stage 3/4 (deps), step 5/7: RUN npm ci}, or {@code pushing <image>}. Pure: log text and
 * Dockerfile in, words out.
 *
 * <p>The log format is Kaniko's own (checked against the osscontainertools fork's v1.28.3 source):
 * logrus lines {@code INFO[0004] <message>}, by default colored ({@code --log-format=color}: the
 * level wrapped in ANSI escapes, the message padded), also with {@code --log-timestamp}'s full time
 * in the brackets. Per stage the executor logs {@code Building stage '<base>' [idx: '<i>',
 * base-idx: '<j>']} (pkg/executor/build.go), then each command's {@code String()} as it starts
 * ({@code RUN npm ci}, {@code WORKDIR /app}), and {@code Pushing image to <destination>}
 * (pkg/executor/push.go) at the end. The number of steps of a stage comes from the Dockerfile: its
 * instructions after the stage's {@code FROM}.
 */
public final class BuildProgress {
  private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;]*m");
  private static final Pattern LOGRUS =
      Pattern.compile("^(?:INFO|WARN|ERRO|DEBU|TRAC)\\[[^\\]]*\\]\\s(.*?)\\s*$");
  private static final Pattern STAGE =
      Pattern.compile("^Building stage '(.*)' \\[idx: '(\\d+)', base-idx: '(-?\\d+)'\\]$");
  private static final String PUSHING = "Pushing image to ";
  private static final Set<String> INSTRUCTIONS =
      Set.of(
          "ADD",
          "ARG",
          "CMD",
          "COPY",
          "ENTRYPOINT",
          "ENV",
          "EXPOSE",
          "HEALTHCHECK",
          "LABEL",
          "MAINTAINER",
          "ONBUILD",
          "RUN",
          "SHELL",
          "STOPSIGNAL",
          "USER",
          "VOLUME",
          "WORKDIR");

  /** Long RUN lines are cut here: a condition message is read in a terminal column. */
  static final int MAX_COMMAND = 72;

  private BuildProgress() {}

  /** One stage of the Dockerfile: its name ({@code AS x}, else its base) and its step count. */
  record Stage(String name, int steps) {}

  /**
   * The Building condition's message for a running build: the verdict's words and, when the log
   * tells, where the build is ({@code Build Job x is running: stage 2/4 (deps), step 3/5: RUN npm
   * ci}). When the log says nothing now (not readable, the container just ended) the previous
   * progress of the same build stands, so the message never falls back between two reads.
   */
  public static String message(
      String running, String dockerfile, String kanikoLog, String previous) {
    return describe(dockerfile, kanikoLog)
        .map(p -> running + ": " + p)
        .orElse(previous != null && previous.startsWith(running + ": ") ? previous : running);
  }

  /** Where the build is; empty when the log says nothing about stages yet. */
  public static Optional<String> describe(String dockerfile, String kanikoLog) {
    List<Stage> stages = stages(dockerfile == null ? "" : dockerfile);
    int stage = -1;
    int step = 0;
    String command = null;
    String pushing = null;
    for (String raw : (kanikoLog == null ? "" : kanikoLog).split("\n")) {
      Matcher m = LOGRUS.matcher(ANSI.matcher(raw).replaceAll(""));
      if (!m.matches()) {
        continue;
      }
      String msg = m.group(1);
      Matcher s = STAGE.matcher(msg);
      if (s.matches()) {
        stage = Integer.parseInt(s.group(2));
        step = 0;
        command = null;
      } else if (msg.startsWith(PUSHING)) {
        pushing = msg.substring(PUSHING.length()).strip();
      } else if (stage >= 0 && INSTRUCTIONS.contains(firstWord(msg))) {
        step++;
        command = msg;
      }
    }
    if (pushing != null) {
      return Optional.of("pushing " + pushing);
    }
    if (stage < 0) {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder("stage ").append(stage + 1);
    if (stage < stages.size()) {
      Stage st = stages.get(stage);
      out.append('/').append(stages.size()).append(" (").append(st.name()).append(')');
      if (command != null) {
        out.append(", step ").append(Math.min(step, st.steps())).append('/').append(st.steps());
      }
    } else if (command != null) {
      out.append(", step ").append(step);
    }
    if (command != null) {
      out.append(": ").append(shorten(command));
    }
    return Optional.of(out.toString());
  }

  /** The Dockerfile's stages, in order, with the number of instructions after each FROM. */
  static List<Stage> stages(String dockerfile) {
    List<Stage> stages = new ArrayList<>();
    String name = null;
    int steps = 0;
    for (String instruction : instructions(dockerfile)) {
      String word = firstWord(instruction).toUpperCase(Locale.ROOT);
      if (word.equals("FROM")) {
        if (name != null) {
          stages.add(new Stage(name, steps));
        }
        String[] parts = instruction.trim().split("\\s+");
        name =
            parts.length >= 4 && parts[parts.length - 2].equalsIgnoreCase("AS")
                ? parts[parts.length - 1]
                // an unnamed stage is called by its base, without the digest it is pinned to
                : parts.length > 1
                    ? parts[parts.length - 1].replaceFirst("@sha256:[0-9a-f]+$", "")
                    : "";
        steps = 0;
      } else if (name != null) {
        steps++;
      }
    }
    if (name != null) {
      stages.add(new Stage(name, steps));
    }
    return stages;
  }

  /** Logical lines: continuations joined, comments and blank lines dropped (as BuildKit does). */
  private static List<String> instructions(String dockerfile) {
    List<String> out = new ArrayList<>();
    StringBuilder current = null;
    for (String line : dockerfile.split("\n")) {
      String t = line.strip();
      if (t.startsWith("#") || (t.isEmpty() && current == null)) {
        continue;
      }
      if (current == null) {
        current = new StringBuilder();
      }
      boolean continues = t.endsWith("\\");
      current.append(continues ? t.substring(0, t.length() - 1) : t).append(' ');
      if (!continues) {
        out.add(current.toString().strip());
        current = null;
      }
    }
    if (current != null) {
      out.add(current.toString().strip());
    }
    return out;
  }

  private static String firstWord(String s) {
    int i = s.indexOf(' ');
    return i < 0 ? s : s.substring(0, i);
  }

  private static String shorten(String command) {
    String oneLine = command.replaceAll("\\s+", " ");
    return oneLine.length() <= MAX_COMMAND ? oneLine : oneLine.substring(0, MAX_COMMAND - 1) + "…";
  }
}

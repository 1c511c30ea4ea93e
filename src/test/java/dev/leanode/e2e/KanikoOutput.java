package dev.leanode.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stand-in's Kaniko container log, written the way the real executor writes its own (so that
 * what reads a build log — {@code leanode logs}, the operator's progress — is tested on Kaniko's
 * format, not buildah's). Kaniko v1.28.3 logs through logrus with its default {@code
 * --log-format=color}: {@code ESC[36mINFOESC[0m[0004] <message padded to 44> }, the number being
 * seconds since start; per stage {@code Building stage '<base>' [idx: '<i>', base-idx: '<j>']}
 * (pkg/executor/build.go), then each command's {@code String()} ({@code RUN npm ci}, {@code WORKDIR
 * /app}), {@code Pushing image to <dest>} and {@code Pushed <repo>@<digest>}
 * (pkg/executor/push.go); a RUN step's own output and the final error ({@code error building image:
 * …}, cmd/executor/cmd/root.go) are plain lines. buildah's {@code STEP i/n: …} lines are translated
 * into those; its bookkeeping lines (COMMIT, {@code -->}, blob copies) are dropped.
 */
final class KanikoOutput {
  private static final Pattern STEP = Pattern.compile("STEP \\d+/\\d+: (\\S+)\\s*(.*)");

  /** buildah's stage prefix of a multi-stage build: {@code [2/4] STEP 1/8: …}. */
  private static final Pattern STAGE_PREFIX = Pattern.compile("^\\[\\d+/\\d+\\] ");

  private static final Pattern FROM =
      Pattern.compile("(?i)(?:--platform=\\S+\\s+)?(\\S+)(?:\\s+AS\\s+(\\S+))?\\s*");
  private static final List<String> BUILDAH_BOOKKEEPING =
      List.of(
          "COMMIT",
          "--> ",
          "Successfully tagged ",
          "Getting image source signatures",
          "Copying blob ",
          "Copying config ",
          "Writing manifest ",
          "Storing signatures");

  /** The image ID buildah prints when a build ends. */
  private static final Pattern IMAGE_ID = Pattern.compile("[0-9a-f]{64}");

  private final ContainerLogs.Log out;
  private final Instant start = Instant.now();
  private final StringBuilder text = new StringBuilder();
  private final List<String> stageNames = new ArrayList<>();

  KanikoOutput(ContainerLogs.Log out) {
    this.out = out;
  }

  /** Plain output (one or more lines), as a tool or Kaniko's error message writes it. */
  KanikoOutput append(String chunk) {
    chunk.lines().forEach(this::line);
    return this;
  }

  /** One logrus INFO line in Kaniko's default (color) format. */
  void info(String message) {
    long secs = Duration.between(start, Instant.now()).toSeconds();
    line(String.format(Locale.ROOT, "\u001b[36mINFO\u001b[0m[%04d] %-44s ", secs, message));
  }

  /** One line of {@code buildah bud}'s output, as Kaniko would have logged that moment. */
  void buildahLine(String raw) {
    String line = STAGE_PREFIX.matcher(raw).replaceFirst("");
    Matcher step = STEP.matcher(line);
    if (step.matches()) {
      String instruction = step.group(1).toUpperCase(Locale.ROOT);
      String rest = step.group(2);
      if (instruction.equals("FROM")) {
        Matcher f = FROM.matcher(rest);
        String base = f.matches() ? f.group(1) : rest;
        int baseIdx = stageNames.indexOf(base.toLowerCase(Locale.ROOT));
        if (baseIdx < 0) {
          info("Retrieving image manifest " + base);
        }
        int idx = stageNames.size();
        stageNames.add(
            f.matches() && f.group(2) != null ? f.group(2).toLowerCase(Locale.ROOT) : "");
        info("Building stage '" + base + "' [idx: '" + idx + "', base-idx: '" + baseIdx + "']");
      } else {
        info(instruction + (rest.isEmpty() ? "" : " " + rest));
      }
      return;
    }
    if (BUILDAH_BOOKKEEPING.stream().noneMatch(line::startsWith)
        && !IMAGE_ID.matcher(line).matches()) {
      line(raw);
    }
  }

  void finish() {
    out.finish();
  }

  private synchronized void line(String l) {
    text.append(l).append('\n');
    out.append(l);
  }

  @Override
  public synchronized String toString() {
    return text.toString();
  }
}

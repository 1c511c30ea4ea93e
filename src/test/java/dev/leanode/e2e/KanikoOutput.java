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

  /**
   * buildah's last words when a RUN fails: {@code Error: building at STEP "<the whole RUN>": exit
   * status 1}. Kaniko never echoes the command there (its final error is {@code error building
   * image: error building stage: failed to execute command: waiting for process to exit: exit
   * status 1}); the echo of a long RUN (our inlined scripts are 2 KB and more) would fill the
   * kubelet's 2 KB log tail and push the step's own error lines out of the termination message.
   */
  private static final Pattern BUILDAH_FAILED_STEP =
      Pattern.compile("Error: building at STEP \".*\": (.*)", Pattern.DOTALL);

  /** buildah's chroot runner reports a RUN's exit once more; Kaniko does not. */
  private static final Pattern BUILDAH_SUBPROCESS = Pattern.compile("subprocess exited with .*");

  /**
   * buildah's {@code --> 1a2b3c4d5e6} after each step ({@code --layers}): the image it committed,
   * or, right after {@code --> Using cache <id>}, the short form of the cached one.
   */
  private static final Pattern COMMITTED = Pattern.compile("--> ([0-9a-f]{11,64})");

  private static final Pattern CACHE_HIT = Pattern.compile("--> Using cache ([0-9a-f]{64})");

  /** The image ID buildah prints when a build ends. */
  private static final Pattern IMAGE_ID = Pattern.compile("[0-9a-f]{64}");

  private final ContainerLogs.Log out;
  private final Instant start = Instant.now();
  private final StringBuilder text = new StringBuilder();
  private final List<String> stageNames = new ArrayList<>();
  private String failedStep;
  private final List<String> committed = new ArrayList<>();
  private String lastCacheHit = "";

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
    Matcher hit = CACHE_HIT.matcher(line);
    Matcher commit = COMMITTED.matcher(line);
    synchronized (this) {
      if (hit.matches()) {
        lastCacheHit = hit.group(1);
      } else if (commit.matches() && !lastCacheHit.startsWith(commit.group(1))) {
        committed.add(commit.group(1));
      }
    }
    Matcher failed = BUILDAH_FAILED_STEP.matcher(line);
    if (failed.matches()) {
      failedStep = failed.group(1);
      return;
    }
    if (BUILDAH_BOOKKEEPING.stream().noneMatch(line::startsWith)
        && !IMAGE_ID.matcher(line).matches()
        && !BUILDAH_SUBPROCESS.matcher(line).matches()) {
      line(raw);
    }
  }

  /**
   * Kaniko's final error for a failed build step ({@code error building image: error building
   * stage: failed to execute command: <cause>}, cmd/executor/cmd/root.go, pkg/executor/build.go),
   * or empty when buildah did not report one.
   */
  synchronized java.util.Optional<String> stepFailure() {
    return java.util.Optional.ofNullable(failedStep)
        .map(
            cause ->
                "error building image: error building stage: failed to execute command: "
                    + (cause.startsWith("exit status") ? "waiting for process to exit: " : "")
                    + cause);
  }

  /** The images buildah committed in this build, in order ({@code --layers}: one a step). */
  synchronized List<String> committedImages() {
    return List.copyOf(committed);
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

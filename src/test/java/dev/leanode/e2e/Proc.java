package dev.leanode.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs an external tool (buildah, skopeo, podman, git, unshare) with a hard timeout and keeps its
 * combined output, so a failing or hanging tool becomes a test failure that says what happened
 * instead of a stuck build.
 */
public final class Proc {

  /** What a finished process left behind. */
  public record Result(List<String> command, int exitCode, String output, Duration took) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** The result, or an exception carrying the command and the tail of its output. */
    public Result check() {
      if (!ok()) {
        throw new ProcException(
            "command failed (exit "
                + exitCode
                + "): "
                + String.join(" ", command)
                + "\n"
                + tail(40));
      }
      return this;
    }

    /** Last {@code lines} lines of the output. */
    public String tail(int lines) {
      String[] all = output.split("\n");
      return String.join(
          "\n", Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }
  }

  /** A tool that failed or timed out. */
  public static final class ProcException extends RuntimeException {
    public ProcException(String message) {
      super(message);
    }
  }

  private Proc() {}

  public static Result run(Duration timeout, String... command) {
    return run(timeout, null, Map.of(), null, List.of(command));
  }

  public static Result run(Duration timeout, List<String> command) {
    return run(timeout, null, Map.of(), null, command);
  }

  /**
   * Runs {@code command} in {@code dir} with extra {@code env}; {@code stdin} (may be null) is
   * written to its standard input. Output (stdout + stderr) goes through a temp file so a chatty
   * tool can never block on a full pipe.
   */
  public static Result run(
      Duration timeout, Path dir, Map<String, String> env, byte[] stdin, List<String> command) {
    return run(timeout, dir, env, stdin, command, null);
  }

  /**
   * As {@link #run(Duration, Path, Map, byte[], List)}, and each line of output (without its
   * newline) also goes to {@code lines} as the tool writes it (a container's log that someone may
   * follow). A reader thread drains the pipe, so the tool never blocks on it.
   */
  public static Result run(
      Duration timeout,
      Path dir,
      Map<String, String> env,
      byte[] stdin,
      List<String> command,
      Consumer<String> lines) {
    if (lines != null) {
      return streamed(timeout, dir, env, stdin, command, lines);
    }
    long start = System.nanoTime();
    Path out = null;
    try {
      out = Files.createTempFile("leanode-proc-", ".log");
      ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
      if (dir != null) {
        pb.directory(dir.toFile());
      }
      pb.environment().putAll(env);
      pb.redirectErrorStream(true);
      pb.redirectOutput(out.toFile());
      if (stdin == null) {
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      }
      Process p = pb.start();
      if (stdin != null) {
        try (var os = p.getOutputStream()) {
          os.write(stdin);
        }
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        String text = Files.readString(out, StandardCharsets.UTF_8);
        throw new ProcException(
            "command timed out after "
                + timeout
                + ": "
                + String.join(" ", command)
                + "\n"
                + new Result(command, -1, text, Duration.ZERO).tail(40));
      }
      String text = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
      return new Result(
          List.copyOf(command), p.exitValue(), text, Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProcException("interrupted: " + String.join(" ", command));
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // a leftover temp log is harmless
        }
      }
    }
  }

  private static Result streamed(
      Duration timeout,
      Path dir,
      Map<String, String> env,
      byte[] stdin,
      List<String> command,
      Consumer<String> lines) {
    long start = System.nanoTime();
    StringBuilder text = new StringBuilder();
    try {
      ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
      if (dir != null) {
        pb.directory(dir.toFile());
      }
      pb.environment().putAll(env);
      pb.redirectErrorStream(true);
      if (stdin == null) {
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      }
      Process p = pb.start();
      Thread reader =
          new Thread(
              () -> {
                try (var in =
                    new java.io.BufferedReader(
                        new java.io.InputStreamReader(
                            p.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    synchronized (text) {
                      text.append(line).append('\n');
                    }
                    lines.accept(line);
                  }
                } catch (IOException ignored) {
                  // the process was killed: what it wrote so far is kept
                }
              },
              "proc-output");
      reader.setDaemon(true);
      reader.start();
      if (stdin != null) {
        try (var os = p.getOutputStream()) {
          os.write(stdin);
        }
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        reader.join(10_000);
        String out;
        synchronized (text) {
          out = text.toString();
        }
        throw new ProcException(
            "command timed out after "
                + timeout
                + ": "
                + String.join(" ", command)
                + "\n"
                + new Result(command, -1, out, Duration.ZERO).tail(40));
      }
      reader.join(30_000);
      String out;
      synchronized (text) {
        out = text.toString();
      }
      return new Result(
          List.copyOf(command), p.exitValue(), out, Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProcException("interrupted: " + String.join(" ", command));
    }
  }
}

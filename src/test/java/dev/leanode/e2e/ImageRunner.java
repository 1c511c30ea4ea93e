package dev.leanode.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Runs a pushed image with podman (runc, host network) and fetches paths from it over HTTP. */
public final class ImageRunner {
  private ImageRunner() {}

  /** Bodies of {@code paths} (GET) from the running image, in order. */
  public static List<String> get(String image, String creds, List<String> paths) {
    int port = freePort();
    String name = "leanode-e2e-" + port;
    pull(image, creds);
    List<String> run =
        new ArrayList<>(
            Tools.podman(
                "run",
                "-d",
                "--rm",
                "--name",
                name,
                "--network",
                "host",
                "--ulimit",
                "nofile=1024:1024",
                "--ulimit",
                "nproc=1024:1024",
                "-e",
                "PORT=" + port));
    run.add(image);
    Proc.run(Duration.ofMinutes(3), run).check();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      Instant until = Instant.now().plusSeconds(60);
      List<String> bodies = new ArrayList<>();
      for (String path : paths) {
        while (true) {
          try {
            HttpResponse<String> r =
                http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            bodies.add(r.statusCode() + " " + r.body());
            break;
          } catch (IOException e) {
            if (Instant.now().isAfter(until)) {
              String logs = Proc.run(Duration.ofSeconds(30), Tools.podman("logs", name)).output();
              throw new AssertionError(
                  "image " + image + " did not answer on " + port + ": " + logs);
            }
            Thread.sleep(300);
          }
        }
      }
      return bodies;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      Proc.run(Duration.ofMinutes(1), Tools.podman("rm", "-f", "-t", "2", name));
    }
  }

  /** Output of a one-off command in the image (entrypoint overridden). */
  public static String exec(String image, String creds, String shellCommand) {
    pull(image, creds);
    List<String> run =
        new ArrayList<>(
            Tools.podman(
                "run",
                "--rm",
                "--network",
                "host",
                "--ulimit",
                "nofile=1024:1024",
                "--ulimit",
                "nproc=1024:1024",
                "--entrypoint",
                "/bin/sh"));
    run.add(image);
    run.add("-c");
    run.add(shellCommand);
    return Proc.run(Duration.ofMinutes(3), run).check().output();
  }

  /**
   * Exit code and output of {@code program args...} as the image's entrypoint (no shell needed: for
   * the minimal runtime, which has none).
   */
  public static Proc.Result run(String image, String creds, String program, String... args) {
    pull(image, creds);
    List<String> run =
        new ArrayList<>(
            Tools.podman(
                "run",
                "--rm",
                "--network",
                "host",
                "--ulimit",
                "nofile=1024:1024",
                "--ulimit",
                "nproc=1024:1024",
                "--entrypoint",
                program));
    run.add(image);
    run.addAll(List.of(args));
    return Proc.run(Duration.ofMinutes(3), run);
  }

  /**
   * Images {@link #pull} brought into the shared podman store (not those already there, such as the
   * local base images or a locally built operator image). vfs keeps a full copy of every layer:
   * left behind, a whole IT run's images took gigabytes of a disk that CI machines do not always
   * have; {@link #forgetPulled} (after every test class, {@link ForgetPulledImages}) removes them.
   */
  private static final Set<String> PULLED = ConcurrentHashMap.newKeySet();

  /** podman run has no --creds on this podman; pull first (a local copy, the registry is local). */
  static void pull(String image, String creds) {
    boolean present = Proc.run(Duration.ofSeconds(30), Tools.podman("image", "exists", image)).ok();
    List<String> pull = new ArrayList<>(Tools.podman("pull", "-q", "--tls-verify=false"));
    if (creds != null) {
      pull.add("--creds");
      pull.add(creds);
    }
    pull.add(image);
    Proc.run(Duration.ofMinutes(3), pull).check();
    if (!present) {
      PULLED.add(image);
    }
  }

  /**
   * Removes {@code image} from the podman store if {@link #pull} brought it there; podman refuses
   * while a container still uses it, and it is tried again by the next {@link #forgetPulled}.
   */
  static void forget(String image) {
    if (PULLED.contains(image)
        && Proc.run(Duration.ofMinutes(1), Tools.podman("rmi", image)).ok()) {
      PULLED.remove(image);
    }
  }

  /** Removes every image {@link #pull} brought into the podman store. */
  public static void forgetPulled() {
    List.copyOf(PULLED).forEach(ImageRunner::forget);
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

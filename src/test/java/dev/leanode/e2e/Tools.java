package dev.leanode.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real-build tier's machine prerequisites and the exact flags each tool needs here (see
 * shared/design/testing.md): buildah on vfs with chroot isolation, podman with runc, two local
 * registries, and the local stand-in for {@code node:22-alpine}. A missing piece fails the test
 * with the command that installs it; the tier never skips silently.
 */
public final class Tools {
  public static final String SETUP =
      "bash hack/install-tools.sh && bash hack/registry.sh start && bash hack/base-image.sh";
  public static final String REGISTRY = env("LEANODE_TEST_REGISTRY", "127.0.0.1:5000");
  public static final String AUTH_REGISTRY = env("LEANODE_TEST_AUTH_REGISTRY", "127.0.0.1:5001");
  public static final String REGISTRY_USER = env("LEANODE_TEST_REGISTRY_USER", "leanode");
  public static final String REGISTRY_PASSWORD =
      env("LEANODE_TEST_REGISTRY_PASSWORD", "leanode-test");
  public static final String BASE_IMAGE = "docker.io/library/node:22-alpine";
  public static final String STORAGE_DRIVER = env("LEANODE_STORAGE_DRIVER", "vfs");

  private static volatile boolean checked;

  private Tools() {}

  private static String env(String name, String dflt) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? dflt : v;
  }

  /** buildah with the storage driver every tool here shares. */
  public static List<String> buildah(String... args) {
    List<String> cmd = new ArrayList<>(List.of("buildah", "--storage-driver", STORAGE_DRIVER));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** podman as it works on these machines: runc (crun fails), cgroupfs, file events, vfs. */
  public static List<String> podman(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "podman",
                "--storage-driver",
                STORAGE_DRIVER,
                "--runtime",
                "runc",
                "--cgroup-manager",
                "cgroupfs",
                "--events-backend",
                "file"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * Fails (never skips) when a tool, a registry or the base image is missing, naming the setup
   * command. Checked once per JVM.
   */
  public static synchronized void requireRealBuildTools() {
    if (checked) {
      return;
    }
    List<String> missing = new ArrayList<>();
    for (String tool :
        List.of("buildah", "skopeo", "podman", "runc", "git", "unshare", "busybox", "chroot")) {
      if (!Proc.run(Duration.ofSeconds(10), "sh", "-c", "command -v " + tool).ok()) {
        missing.add("tool " + tool);
      }
    }
    if (registryStatus(REGISTRY) != 200) {
      missing.add("registry " + REGISTRY + " (no auth)");
    }
    if (registryStatus(AUTH_REGISTRY) != 401) {
      missing.add("registry " + AUTH_REGISTRY + " (htpasswd)");
    }
    if (missing.isEmpty()
        && !Proc.run(Duration.ofSeconds(60), buildah("inspect", "--type", "image", BASE_IMAGE))
            .ok()) {
      missing.add("base image " + BASE_IMAGE + " in buildah " + STORAGE_DRIVER + " storage");
    }
    if (!missing.isEmpty()) {
      throw new AssertionError(
          "real-build tests need " + String.join(", ", missing) + ". Run: " + SETUP);
    }
    checked = true;
  }

  static int registryStatus(String hostPort) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      return http.send(
              HttpRequest.newBuilder(URI.create("http://" + hostPort + "/v2/"))
                  .timeout(Duration.ofSeconds(3))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}

package dev.leanode.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * runtime-libs.sh (the minimal runtime's library reading) on canned ldd output of the three base
 * kinds: real Alpine (musl, where ldd is the musl loader and libc is the loader itself), Debian
 * (glibc), and bases it cannot take apart. The real builds here run only the glibc path (the local
 * node:22-alpine stand-in is the official glibc node on busybox), so musl is proven here and by the
 * minimal-alpine golden file. The script runs as the build runs it, under /bin/sh, with a fake ldd
 * and node first on PATH; only its output folder (/leanode/runtime) is moved into a temp dir.
 */
class RuntimeLibsScriptTest {
  static final String ALPINE_LDD =
      """
      \t/lib/ld-musl-x86_64.so.1 (0x7f2b0c6a5000)
      \tlibstdc++.so.6 => /usr/lib/libstdc++.so.6 (0x7f2b0c200000)
      \tlibgcc_s.so.1 => /usr/lib/libgcc_s.so.1 (0x7f2b0c681000)
      \tlibc.musl-x86_64.so.1 => /lib/ld-musl-x86_64.so.1 (0x7f2b0c6a5000)
      """;

  static final String DEBIAN_LDD =
      """
      \tlinux-vdso.so.1 (0x00007ffd6b5f2000)
      \tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f0c1e0a0000)
      \tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f0c1de00000)
      \tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f0c1dd21000)
      \tlibgcc_s.so.1 => /lib/x86_64-linux-gnu/libgcc_s.so.1 (0x00007f0c1e07f000)
      \tlibpthread.so.0 => /lib/x86_64-linux-gnu/libpthread.so.0 (0x00007f0c1e07a000)
      \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0c1db40000)
      \t/lib64/ld-linux-x86-64.so.2 (0x00007f0c1e0b8000)
      """;

  @TempDir Path dir;

  record Result(int exit, String output, List<String> libs) {}

  Result run(String lddOutput, boolean withNode) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path out = dir.resolve("runtime");
    if (withNode) {
      executable(bin.resolve("node"), "#!/bin/sh\nexit 0\n");
    }
    if (lddOutput != null) {
      executable(bin.resolve("ldd"), "#!/bin/sh\ncat <<'EOF'\n" + lddOutput + "EOF\n");
    }
    String script =
        Files.readString(ShellcheckTest.RESOURCES.resolve("runtime-libs.sh"))
            .replace("/leanode/runtime", out.toString());
    Path copy = dir.resolve("runtime-libs.sh");
    Files.writeString(copy, script);
    // only the fake tools and the basic utilities the script uses (no host node, no host ldd)
    Path tools = Files.createDirectories(dir.resolve("tools"));
    for (String t : List.of("mkdir", "readlink", "grep", "sed", "sort", "cat")) {
      executable(tools.resolve(t), "#!/bin/sh\nexec " + which(t) + " \"$@\"\n");
    }
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-eu", copy.toString());
    pb.environment().put("PATH", bin + ":" + tools);
    Process p = pb.redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    Path libs = out.resolve("libs");
    return new Result(
        p.exitValue(), output, Files.exists(libs) ? Files.readAllLines(libs) : List.of());
  }

  static String which(String tool) {
    for (String d : List.of("/usr/bin", "/bin")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return d + "/" + tool;
      }
    }
    throw new IllegalStateException(tool + " not found in /usr/bin or /bin");
  }

  static void executable(Path p, String content) throws IOException {
    Files.writeString(p, content);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void alpineMuslLoaderAndLibrariesFromLdd() throws Exception {
    Result r = run(ALPINE_LDD, true);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.libs())
        .containsExactly(
            "/lib/ld-musl-x86_64.so.1", "/usr/lib/libgcc_s.so.1", "/usr/lib/libstdc++.so.6");
  }

  @Test
  void debianGlibcLibrariesAndLoaderFromLddWithoutTheVdso() throws Exception {
    Result r = run(DEBIAN_LDD, true);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.libs())
        .containsExactly(
            "/lib/x86_64-linux-gnu/libc.so.6",
            "/lib/x86_64-linux-gnu/libdl.so.2",
            "/lib/x86_64-linux-gnu/libgcc_s.so.1",
            "/lib/x86_64-linux-gnu/libm.so.6",
            "/lib/x86_64-linux-gnu/libpthread.so.0",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib64/ld-linux-x86-64.so.2");
  }

  @Test
  void aBaseWithoutNodeFailsSayingSo() throws Exception {
    Result r = run(DEBIAN_LDD, false);
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("the base image has no node on PATH");
  }

  @Test
  void aLibraryTheLoaderCannotFindFailsTheBuild() throws Exception {
    Result r = run(DEBIAN_LDD.replace("=> /lib/x86_64-linux-gnu/libm.so.6", "=> not found"), true);
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("the loader cannot find a library").contains("libm.so.6");
  }

  @Test
  void aStaticOrUnreadableBinaryWithoutLoaderFailsTheBuild() throws Exception {
    Result r = run("\tnot a dynamic executable\n", true);
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("found no dynamic loader");
  }
}

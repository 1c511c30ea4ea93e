package dev.leanode.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.NativeBuild;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeAddonsTest {
  static final String PACKAGE = "{\"name\": \"a\", \"dependencies\": {\"sqlite3\": \"5.1.7\"}}";

  static final String LOCK_PROD =
      """
      {"name": "a", "lockfileVersion": 3, "packages": {
        "": {"name": "a", "dependencies": {"sqlite3": "5.1.7"}},
        "node_modules/sqlite3": {"version": "5.1.7", "hasInstallScript": true},
        "node_modules/express": {"version": "4.21.2"},
        "node_modules/esbuild": {"version": "0.25.0", "hasInstallScript": true, "dev": true}
      }}
      """;

  static final String LOCK_DEV_ONLY =
      """
      {"name": "a", "lockfileVersion": 3, "packages": {
        "": {"name": "a"},
        "node_modules/a/node_modules/esbuild": {"version": "0.25.0", "hasInstallScript": true, "dev": true}
      }}
      """;

  static NativeAddons decide(AppSpec app, Map<String, String> files) {
    return NativeAddons.decide(app, AppFiles.ofInline(files));
  }

  @Test
  void npmLockfileProductionInstallScriptGivesBothStagesTheToolchain() {
    NativeAddons n =
        decide(new AppSpec(), Map.of("package.json", PACKAGE, "package-lock.json", LOCK_PROD));
    assertThat(n.deps()).isTrue();
    assertThat(n.builder()).isTrue();
    assertThat(n.why())
        .isEqualTo(
            "package-lock.json: sqlite3 runs an install script (hasInstallScript; nativeBuild: auto)");
  }

  @Test
  void devOnlyInstallScriptGivesOnlyTheBuilderTheToolchain() {
    NativeAddons n =
        decide(new AppSpec(), Map.of("package.json", PACKAGE, "package-lock.json", LOCK_DEV_ONLY));
    assertThat(n.deps()).isFalse();
    assertThat(n.builder()).isTrue();
    assertThat(n.why()).contains("esbuild (devDependencies only)");
  }

  @Test
  void noInstallScriptNoLockfileOrYarnMeansNoToolchain() {
    String plain =
        "{\"lockfileVersion\": 3, \"packages\": {\"\": {}, \"node_modules/x\": {\"version\": \"1.0.0\"}}}";
    assertThat(decide(new AppSpec(), Map.of("package-lock.json", plain)))
        .extracting(NativeAddons::deps, NativeAddons::builder)
        .containsExactly(false, false);
    assertThat(decide(new AppSpec(), Map.of("package.json", PACKAGE))).isEqualTo(NativeAddons.NONE);
    assertThat(decide(new AppSpec(), Map.of("yarn.lock", "sqlite3@5.1.7:\n  version \"5.1.7\"\n")))
        .isEqualTo(NativeAddons.NONE);
  }

  @Test
  void pnpmRequiresBuild() {
    String lock =
        "lockfileVersion: '6.0'\npackages:\n  /sqlite3@5.1.7:\n    requiresBuild: true\n    dev: false\n";
    assertThat(decide(new AppSpec(), Map.of("pnpm-lock.yaml", lock)).deps()).isTrue();
  }

  @Test
  void theSpecWinsOverTheLockfile() {
    AppSpec never = new AppSpec();
    never.setNativeBuild(NativeBuild.NEVER);
    assertThat(decide(never, Map.of("package-lock.json", LOCK_PROD)).deps()).isFalse();
    AppSpec always = new AppSpec();
    always.setNativeBuild(NativeBuild.ALWAYS);
    assertThat(decide(always, Map.of()))
        .extracting(NativeAddons::deps, NativeAddons::builder, NativeAddons::why)
        .containsExactly(true, true, "spec.app.nativeBuild: always");
  }

  @Test
  void aHostilePackageNameNeverReachesTheDockerfile() {
    String lock =
        "{\"lockfileVersion\": 3, \"packages\": {\"node_modules/x\\nRUN evil\": {\"hasInstallScript\": true}}}";
    NativeAddons n = decide(new AppSpec(), Map.of("package-lock.json", lock));
    assertThat(n.deps()).isTrue();
    assertThat(n.why()).doesNotContain("evil").doesNotContain("\n");
    AppSpec app = new AppSpec();
    assertThat(
            new DockerfileGenerator()
                .generate(app, DockerfileOptions.none(), StartCommand.fromSpec(app), n))
        .contains("apt-get install -y --no-install-recommends python3 make g++")
        .doesNotContain("RUN evil");
  }

  @Test
  void appFilesKeepOnlyTheDigestOfALockfile() {
    AppFiles f = AppFiles.ofInline(Map.of("package-lock.json", LOCK_PROD));
    assertThat(f.text("package-lock.json").orElseThrow())
        .doesNotContain("express")
        .contains("prod sqlite3")
        .contains("dev esbuild");
    // a digest read again is the same digest (AppFiles may be rebuilt from another's texts)
    assertThat(new AppFiles(f.paths(), f.texts())).isEqualTo(f);
  }
}

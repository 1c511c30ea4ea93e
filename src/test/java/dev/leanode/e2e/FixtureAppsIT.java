package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.NodeAppImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fixture apps of our own for what the frameworks' generators do not give
 * (src/test/resources/apps): a production dependency compiled by node-gyp. Each is served from a
 * git repository over smart HTTP and built through the operator's git-source path with a bare spec,
 * run as uid 1000 in a network namespace of the test's own and asked over HTTP from the host.
 * {@code -Drealapps.compare=true} also builds the seed's single-stage variant (see
 * GeneratedAppsIT).
 */
class FixtureAppsIT extends OnRealCluster {
  static final String DEBIAN = "docker.io/library/node:22-bookworm-slim";
  static Path root;
  static GitHttpServer git;
  static final Map<String, String> report = new LinkedHashMap<>();

  @BeforeAll
  static void serve() throws Exception {
    Tools.requireRealBuildTools();
    if (!Proc.run(Duration.ofSeconds(60), Tools.buildah("inspect", "--type", "image", DEBIAN))
        .ok()) {
      throw new AssertionError(
          "the native-addon test needs the Debian base "
              + DEBIAN
              + ". Run: bash hack/base-image-debian.sh (hack/setup.sh runs it)");
    }
    root = Files.createTempDirectory("leanode-fixtures-git-");
    git = new GitHttpServer(root);
  }

  @AfterAll
  static void stop() {
    if (git == null) {
      return;
    }
    git.close();
    KanikoStandIn.deleteTree(root);
    report.forEach((app, line) -> System.out.println("[FixtureAppsIT] " + app + ": " + line));
  }

  /**
   * sqlite3 runs {@code prebuild-install || node-gyp rebuild}; its prebuilt download cannot reach
   * GitHub here, so it compiles: the lockfile's hasInstallScript gives the deps stage python3, make
   * and g++ (apt-get on the Debian base), the image gets only the built node_modules.
   */
  @Test
  void nativeAddonCompiledOnDebian() throws Exception {
    long t0 = System.nanoTime();
    Path app = Path.of("src/test/resources/apps/native-sqlite");
    NodeAppImage r = build("native-sqlite", app, Map.of("baseImage", "node:22-bookworm-slim"));
    String dockerfile = dockerfile(r);
    assertThat(dockerfile)
        .contains(
            "# Native addons: package-lock.json: sqlite3 runs an install script (hasInstallScript;"
                + " nativeBuild: auto).")
        .contains("apt-get install -y --no-install-recommends python3 make g++");
    try (NetnsImageRunner run = new NetnsImageRunner()) {
      String c = run.start(GeneratedAppsIT.image(r), GeneratedAppsIT.creds(r), List.of());
      assertThat(run.get(c, 3000, "/")).matches("200 hello from sqlite 3\\.[0-9.]+");
      GeneratedAppsIT.assertProductionNonRoot(run, c);
      // built from source, not a prebuilt download: node-gyp's output is there
      assertThat(
              run.exec(
                  c,
                  "node",
                  "-p",
                  "require('fs').existsSync('node_modules/sqlite3/build/Release/node_sqlite3.node')"))
          .contains("true");
      assertNoToolchain(run, c);
    }
    done("native-sqlite", r, t0);
  }

  @Test
  void npmWorkspaceMember() throws Exception {
    workspace("npm", "npm ci --omit=dev --workspace=", true);
  }

  @Test
  void pnpmWorkspaceMember() throws Exception {
    workspace("pnpm", "corepack pnpm install --prod --frozen-lockfile --filter '@ws/api'...", true);
  }

  /**
   * yarn 1 has no focus: the production dependencies of every workspace are installed and every
   * workspace is linked, so all of them ship (never a devDependency).
   */
  @Test
  void yarnWorkspaceMember() throws Exception {
    workspace("yarn", "install --production --frozen-lockfile", false);
  }

  /**
   * A monorepo (lockfile at the root, the app in services/api depending on the sibling workspace
   * package packages/greeting, which depends on ms; packages/unused depends on lodash) built with
   * subPath services/api: the image answers with the sibling's text, without the app's
   * devDependency (typescript) and, where the package manager can focus, without the unused
   * workspace's dependencies.
   */
  void workspace(String pm, String install, boolean focused) throws Exception {
    long t0 = System.nanoTime();
    String name = "workspace-" + pm;
    NodeAppImage r =
        build(name, Path.of("src/test/resources/apps/" + name), Map.of(), "services/api");
    assertThat(dockerfile(r))
        .contains("# Workspace member services/api: its production dependencies only;")
        .contains(install)
        .contains("WORKDIR /app/services/api");
    try (NetnsImageRunner run = new NetnsImageRunner()) {
      String c = run.start(GeneratedAppsIT.image(r), GeneratedAppsIT.creds(r), List.of());
      assertThat(run.get(c, 3000, "/"))
          .isEqualTo("200 hello workspace from a sibling workspace package (ms: 2m)");
      GeneratedAppsIT.assertProductionNonRoot(run, c);
      String shipped =
          run.exec(
              c,
              "node",
              "-p",
              "const r=(m)=>{try{require.resolve(m);return m}catch(e){return '-'}};"
                  + "[r('typescript'),r('lodash'),r('@ws/unused'),"
                  + "require('fs').existsSync('/app/packages/unused')].join(',')");
      assertThat(shipped.trim()).isEqualTo(focused ? "-,-,-,false" : "-,lodash,@ws/unused,true");
    }
    done(name, r, t0);
  }

  /** No compiler, assembler, make, python, C/C++ headers or apt package lists in the image. */
  static void assertNoToolchain(NetnsImageRunner run, String c) {
    String found =
        run.exec(
            c,
            "node",
            "-p",
            "['/usr/bin/gcc','/usr/bin/g++','/usr/bin/cc','/usr/bin/c++','/usr/bin/as','/usr/bin/make',"
                + "'/usr/bin/python3','/usr/include/stdio.h','/usr/include/c++','/usr/lib/gcc',"
                + "'/usr/libexec/gcc'].filter(p=>require('fs').existsSync(p)).join(',')+'|'+"
                + "require('fs').readdirSync('/var/lib/apt/lists').filter(f=>f!=='partial'&&f!=='lock').length");
    assertThat(found.trim()).as("toolchain files in the shipped image").isEqualTo("|0");
  }

  /** The fixture as a git repository, built by the operator from branch main. */
  NodeAppImage build(String name, Path app, Map<String, Object> appSpec) throws Exception {
    return build(name, app, appSpec, null);
  }

  /** The same, the app in subPath of the repository. */
  NodeAppImage build(String name, Path app, Map<String, Object> appSpec, String subPath)
      throws Exception {
    git.createRepo(
        name + ".git", app, "package.json", Files.readString(app.resolve("package.json")) + "\n");
    String image = Tools.REGISTRY + "/e2e/fixture-" + name + ":1";
    Map<String, Object> spec = new LinkedHashMap<>();
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("url", git.url(name + ".git"));
    source.put("revision", "main");
    if (subPath != null) {
      source.put("subPath", subPath);
    }
    spec.put("source", Map.of("git", source));
    if (!appSpec.isEmpty()) {
      spec.put("app", appSpec);
    }
    spec.put("output", Map.of("image", image, "insecure", true));
    spec.put("build", Map.of("timeout", "20m", "compareSingleStage", GeneratedAppsIT.COMPARE));
    client.resource(OperatorE2E.resource("fixture-" + name, spec)).create();
    // sqlite3 compiles its amalgamation (~8 MB of C): minutes on 2 cores shared with other builds
    return OperatorE2E.awaitCondition(
        client, "fixture-" + name, "Ready", "True", Duration.ofMinutes(25));
  }

  /** The generated Dockerfile the build ran, from its ConfigMap. */
  String dockerfile(NodeAppImage r) {
    var cm = client.configMaps().withName(r.getStatus().getDockerfile().getConfigMap()).get();
    return cm.getData().get("Dockerfile");
  }

  void done(String app, NodeAppImage r, long t0) {
    String line = GeneratedAppsIT.reportLine(r, t0);
    report.put(app, line);
    System.out.println("[FixtureAppsIT] " + app + ": " + line);
  }
}

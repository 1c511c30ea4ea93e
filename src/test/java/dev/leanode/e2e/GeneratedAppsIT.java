package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.NodeAppImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real apps nobody here wrote, made at test time by the frameworks' own generators from the npm
 * registry (never committed), each served from a git repository over smart HTTP and built through
 * the operator's git-source path with no command, build script or files in the spec: Leanode must
 * find how to start each one. Every image runs as uid 1000 with NODE_ENV=production in a network
 * namespace of the test's own and is asked over HTTP from the host, so only an app listening on the
 * pod's address answers. Each app is built once.
 *
 * <p>{@code -Drealapps.compare=true} (not under {@code leanode.}: Quarkus refuses unknown
 * properties of its config mapping's prefix) also builds the seed's single-stage variant of each
 * app and prints both sizes (off by default: it doubles the build time).
 */
class GeneratedAppsIT extends OnRealCluster {
  static final String EXPRESS_GENERATOR = "express-generator@4.16.1";
  static final String FASTIFY_CLI = "fastify-cli@8.0.2";
  static final String NEST_CLI = "@nestjs/cli@12.0.8";
  static final boolean COMPARE = Boolean.getBoolean("realapps.compare");

  static Path root;
  static Path apps;
  static GitHttpServer git;
  static final Map<String, String> report = new LinkedHashMap<>();

  @BeforeAll
  static void serve() throws Exception {
    root = Files.createTempDirectory("leanode-genapps-git-");
    apps = Files.createTempDirectory("leanode-genapps-");
    git = new GitHttpServer(root);
  }

  @AfterAll
  static void stop() {
    if (git == null) {
      return; // @BeforeAll did not run
    }
    git.close();
    KanikoStandIn.deleteTree(root);
    KanikoStandIn.deleteTree(apps);
    report.forEach((app, line) -> System.out.println("[GeneratedAppsIT] " + app + ": " + line));
  }

  @Test
  void expressGenerator() throws Exception {
    long t0 = System.nanoTime();
    Path app = generate("express", List.of("npx", "-y", EXPRESS_GENERATOR, "--no-view", "express"));
    NodeAppImage r = build("express", app);
    assertThat(r.getStatus().getDockerfile().getStartCommand())
        .containsExactly("node", "./bin/www");
    assertThat(r.getStatus().getDockerfile().getStartCommandSource())
        .startsWith("package.json scripts.start: \"node ./bin/www\"");
    try (NetnsImageRunner run = new NetnsImageRunner()) {
      String c = run.start(image(r), creds(r), List.of());
      assertThat(run.get(c, 3000, "/")).startsWith("200 ").contains("<h1>Express</h1>");
      assertThat(run.get(c, 3000, "/users")).isEqualTo("200 respond with a resource");
      assertProductionNonRoot(run, c);
    }
    done("express", r, t0);
  }

  @Test
  void fastifyCliGenerate() throws Exception {
    long t0 = System.nanoTime();
    Path app = generate("fastify", List.of("npx", "-y", FASTIFY_CLI, "generate", "fastify"));
    NodeAppImage r = build("fastify", app);
    assertThat(r.getStatus().getDockerfile().getStartCommand())
        .containsExactly(
            "node", "node_modules/.leanode/bin/fastify", "start", "-l", "info", "app.js");
    assertThat(r.getStatus().getDockerfile().getStartCommandSource())
        .contains("runs the fastify command of a production dependency")
        .contains("FASTIFY_ADDRESS");
    try (NetnsImageRunner run = new NetnsImageRunner()) {
      String c = run.start(image(r), creds(r), List.of());
      assertThat(run.get(c, 3000, "/")).isEqualTo("200 {\"root\":true}");
      assertThat(run.get(c, 3000, "/example")).isEqualTo("200 this is an example");
      assertProductionNonRoot(run, c);
      // what the image's FASTIFY_ADDRESS prevents: fastify-cli's default, loopback only, is not
      // reachable where a pod is reached (this runner would tell)
      String loopback =
          run.start(
              image(r), creds(r), List.of("-e", "FASTIFY_ADDRESS=127.0.0.1", "-e", "PORT=3001"));
      run.awaitLog(loopback, "Server listening at http://127.0.0.1:3001");
      assertThat(run.refused(3001)).isTrue();
    }
    done("fastify", r, t0);
  }

  @Test
  void nestCliNew() throws Exception {
    long t0 = System.nanoTime();
    Path app =
        generate(
            "nest",
            List.of(
                "npx",
                "-y",
                NEST_CLI,
                "new",
                "nest",
                "--skip-git",
                "--skip-install",
                "--package-manager",
                "npm"));
    NodeAppImage r = build("nest", app);
    assertThat(r.getStatus().getDockerfile().getStartCommand())
        .containsExactly("node", "dist/main");
    assertThat(r.getStatus().getDockerfile().getStartCommandSource())
        .startsWith("package.json scripts.start:prod: \"node dist/main\"")
        .contains("scripts.build runs first");
    try (NetnsImageRunner run = new NetnsImageRunner()) {
      String c = run.start(image(r), creds(r), List.of());
      assertThat(run.get(c, 3000, "/")).isEqualTo("200 Hello World!");
      assertProductionNonRoot(run, c);
      // the build ran in the builder stage; its compiler did not ship
      assertThat(run.exec(c, "node", "-p", "require('fs').existsSync('dist/main.js')"))
          .contains("true");
      assertThat(run.exec(c, "node", "-p", "require('fs').existsSync('node_modules/typescript')"))
          .contains("false");
    }
    done("nest", r, t0);
  }

  @Test
  void plainTypeScriptWithTsc() throws Exception {
    long t0 = System.nanoTime();
    Path app = apps.resolve("tsc");
    Files.createDirectories(app.resolve("src"));
    Files.writeString(
        app.resolve("package.json"),
        """
        {"name": "tsc-app", "version": "1.0.0", "main": "dist/index.js",
         "scripts": {"build": "tsc", "start": "node dist/index.js"},
         "devDependencies": {"typescript": "5.9.3", "@types/node": "22.19.1"}}
        """);
    Files.writeString(
        app.resolve("tsconfig.json"),
        """
        {"compilerOptions": {"target": "ES2022", "module": "commonjs", "strict": true,
          "outDir": "dist", "rootDir": "src", "types": ["node"]}}
        """);
    Files.writeString(
        app.resolve("src/index.ts"),
        """
        import { createServer } from "node:http";
        const port: number = Number(process.env.PORT ?? 3000);
        createServer((_req, res) => res.end(`hello from tsc as ${process.getuid?.()}`)).listen(port);
        """);
    NodeAppImage r = build("tsc", app);
    assertThat(r.getStatus().getDockerfile().getStartCommand())
        .containsExactly("node", "dist/index.js");
    assertThat(r.getStatus().getDockerfile().getStartCommandSource())
        .contains("scripts.build runs first (it writes dist/index.js)");
    try (NetnsImageRunner run = new NetnsImageRunner()) {
      String c = run.start(image(r), creds(r), List.of());
      assertThat(run.get(c, 3000, "/")).isEqualTo("200 hello from tsc as 1000");
      assertProductionNonRoot(run, c);
    }
    done("tsc", r, t0);
  }

  // ---------------------------------------------------------------------------------------------

  /** Runs a generator in a fresh folder; returns the app folder it made. */
  static Path generate(String name, List<String> command) {
    List<String> cmd =
        new ArrayList<>(List.of("sh", "-c", "cd \"$0\" && exec \"$@\"", apps.toString()));
    cmd.addAll(command);
    Proc.run(Duration.ofMinutes(5), cmd).check();
    Path app = apps.resolve(name);
    assertThat(app.resolve("package.json")).as("%s made no package.json", command).exists();
    return app;
  }

  /** The app as a git repository, built by the operator from branch main with a bare spec. */
  NodeAppImage build(String name, Path app) throws Exception {
    // main is built; the helper's feature commit only appends a newline to package.json
    git.createRepo(
        name + ".git", app, "package.json", Files.readString(app.resolve("package.json")) + "\n");
    String image = Tools.REGISTRY + "/e2e/generated-" + name + ":1";
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("source", Map.of("git", Map.of("url", git.url(name + ".git"), "revision", "main")));
    spec.put("output", Map.of("image", image, "insecure", true));
    if (COMPARE) {
      spec.put("build", Map.of("compareSingleStage", true));
    }
    client.resource(OperatorE2E.resource("generated-" + name, spec)).create();
    return OperatorE2E.awaitCondition(client, "generated-" + name, "Ready", "True");
  }

  static String image(NodeAppImage r) {
    var out = r.getStatus().getOutput();
    return out.getImage().replaceAll(":[^:/]+$", "") + "@" + out.getDigest();
  }

  static String creds(NodeAppImage r) {
    return Registry.creds(r.getStatus().getOutput().getImage());
  }

  /** PID 1 runs as uid/gid 1000 with NODE_ENV=production (what a runAsNonRoot pod gets). */
  static void assertProductionNonRoot(NetnsImageRunner run, String container) {
    String status =
        run.exec(
            container,
            "node",
            "-p",
            "const fs=require('fs');fs.readFileSync('/proc/1/status','utf8').split('\\n')"
                + ".filter(l=>/^(Uid|Gid):/.test(l)).join(' ')+' '+fs.readFileSync("
                + "'/proc/1/environ','utf8').split('\\0').filter(e=>e.startsWith('NODE_ENV='))");
    assertThat(status)
        .containsPattern("Uid:\\s+1000\\s+1000")
        .containsPattern("Gid:\\s+1000\\s+1000")
        .contains("NODE_ENV=production");
  }

  void done(String app, NodeAppImage r, long t0) {
    String line = reportLine(r, t0);
    report.put(app, line);
    System.out.println("[GeneratedAppsIT] " + app + ": " + line);
  }

  /** What was chosen for a real app, the image size (and single-stage's), and the build time. */
  static String reportLine(NodeAppImage r, long t0) {
    var out = r.getStatus().getOutput();
    return String.format(
        "%s -> %s; image %d bytes (%s)%s; %.0f s",
        r.getStatus().getDockerfile().getStartCommand(),
        r.getStatus().getDockerfile().getStartCommandSource(),
        out.getSizeBytes(),
        out.getSize(),
        r.getStatus().getComparison() == null
            ? ""
            : ", single-stage "
                + r.getStatus().getComparison().getSingleStageSizeBytes()
                + " bytes",
        (System.nanoTime() - t0) / 1e9);
  }
}

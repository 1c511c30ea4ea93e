package dev.leanode.dockerfile;

import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.PackageManager;
import dev.leanode.validation.SpecValidator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns an {@link AppSpec} into Dockerfile text. Pure: no I/O, no Kubernetes; the same spec always
 * gives the same text (the build input hash relies on it). docs/dockerfile.md explains every stage
 * and line; this class only decides which instructions a spec needs. {@link DockerfileWriter} owns
 * the quoting, the shell lives in the {@code .sh} resources next to this class ({@link
 * ShellScript}), the signal shim in {@code signals.cjs}.
 *
 * <p>Every spec value is validated ({@link SpecValidator#validateApp}) before any text is written;
 * on a violation the generator throws {@link IllegalArgumentException} naming the field.
 */
public final class DockerfileGenerator {
  /** Where the final image keeps the signal shim. */
  public static final String SHIM_PATH = "/usr/local/lib/leanode/signals.cjs";

  /** The app's folder in the final image. */
  public static final String APP_DIR = "/app";

  /** Where the shim stage writes the shim. */
  private static final String SHIM_STAGE_PATH = "/leanode/signals.cjs";

  /**
   * The signal shim, one line per element. The shim stage writes it with printf inside double
   * quotes, so no line may contain {@code " $ ` \} (checked when the class loads).
   */
  static final List<String> SHIM_LINES = ShellScript.resourceLines("signals.cjs");

  static {
    for (String line : SHIM_LINES) {
      if (line.matches(".*[\"$`\\\\].*")) {
        throw new IllegalStateException("signals.cjs line not printf-safe: " + line);
      }
    }
  }

  /** Package-manager caches and settings of the install stages (everything under /tmp/...). */
  private static final Map<String, String> INSTALL_ENV = new LinkedHashMap<>();

  static {
    INSTALL_ENV.put("npm_config_cache", "/tmp/leanode-cache/npm");
    INSTALL_ENV.put("npm_config_update_notifier", "false");
    INSTALL_ENV.put("npm_config_fund", "false");
    INSTALL_ENV.put("npm_config_audit", "false");
    INSTALL_ENV.put("YARN_CACHE_FOLDER", "/tmp/leanode-cache/yarn");
    INSTALL_ENV.put("YARN_GLOBAL_FOLDER", "/tmp/leanode-cache/yarn-berry");
    INSTALL_ENV.put("YARN_NODE_LINKER", "node-modules");
    INSTALL_ENV.put("YARN_ENABLE_TELEMETRY", "0");
    INSTALL_ENV.put("XDG_CACHE_HOME", "/tmp/leanode-cache/xdg-cache");
    INSTALL_ENV.put("XDG_DATA_HOME", "/tmp/leanode-cache/xdg-data");
    INSTALL_ENV.put("COREPACK_HOME", "/tmp/leanode-cache/corepack");
    INSTALL_ENV.put("COREPACK_ENABLE_DOWNLOAD_PROMPT", "0");
    INSTALL_ENV.put("COREPACK_ENABLE_AUTO_PIN", "0");
    INSTALL_ENV.put("COREPACK_ENABLE_STRICT", "0");
  }

  /** The two uses of install.sh: production dependencies only (deps), or all (builder). */
  private enum Install {
    PRODUCTION(" --prod", " --production", " --omit=dev", "install-berry-production.sh"),
    ALL("", "", "", "install-berry-all.sh");

    final Map<String, String> vars;

    Install(String pnpm, String yarn, String npm, String berry) {
      this.vars =
          Map.of(
              "PNPM_FLAGS", pnpm,
              "YARN_FLAGS", yarn,
              "NPM_FLAGS", npm,
              "BERRY_INSTALL", ShellScript.resource(berry).singleLine());
    }
  }

  private static final ShellScript SET_EU = ShellScript.of("set -eu;");

  private final SpecValidator validator = new SpecValidator();

  /** The base image of every stage: the spec's override, or {@code node:<nodeVersion>-alpine}. */
  public static String baseImage(AppSpec app) {
    if (app != null && app.getBaseImage() != null && !app.getBaseImage().isBlank()) {
      return app.getBaseImage();
    }
    return "node:" + nodeVersion(app) + "-alpine";
  }

  private static String nodeVersion(AppSpec app) {
    return app == null || app.getNodeVersion() == null || app.getNodeVersion().isEmpty()
        ? AppSpec.DEFAULT_NODE_VERSION
        : app.getNodeVersion();
  }

  /** The image's user: the base image's {@code node} user by its ids (runAsNonRoot needs them). */
  public static final String USER = "1000:1000";

  /**
   * Leanode's lean multi-stage Dockerfile, with the spec's command or {@code node .} ({@link
   * StartCommand#fromSpec}); the operator and the CLI pass a decided one instead.
   */
  public String generate(AppSpec app, DockerfileOptions options) {
    return generate(app, options, StartCommand.fromSpec(app));
  }

  /**
   * Leanode's lean multi-stage Dockerfile, starting the app as {@code start} decided; native addons
   * from the spec alone ({@link NativeAddons#fromSpec}).
   */
  public String generate(AppSpec app, DockerfileOptions options, StartCommand start) {
    return generate(app, options, start, NativeAddons.fromSpec(app));
  }

  /**
   * Leanode's lean multi-stage Dockerfile, starting the app as {@code start} decided, the install
   * stages with a compiler toolchain where {@code natives} says.
   */
  public String generate(
      AppSpec app, DockerfileOptions options, StartCommand start, NativeAddons natives) {
    return generate(app, options, start, natives, null);
  }

  /**
   * Leanode's lean multi-stage Dockerfile; {@code workspace} not null: the build context is the
   * workspace root and only that member's production dependencies (and the sibling packages it
   * links) are installed and shipped, under /app in the root's layout.
   */
  public String generate(
      AppSpec app,
      DockerfileOptions options,
      StartCommand start,
      NativeAddons natives,
      Workspace workspace) {
    ResolvedApp a = ResolvedApp.of(validator, app, options, start);
    Slimming slim = Slimming.of(app);
    if (workspace != null) {
      checkWorkspace(a, start);
    }
    boolean pruneContext = a.files().isEmpty() && !a.hasBuild() && workspace == null;
    DockerfileWriter d =
        new DockerfileWriter()
            .comment("Generated by Leanode: lean multi-stage image of a Node.js app.")
            .comment("Only the last stage (production) is shipped; see docs/dockerfile.md.");

    d.blank()
        .comment("Signal shim: lets node as PID 1 stop promptly on SIGTERM/SIGINT.")
        .from(a.base(), "shim")
        .run(shimScript());
    if (slim.pruned()) {
      pruneStage(d, a);
    }
    if (slim.minimal()) {
      runtimeStage(d, a);
    }

    ShellScript context = SET_EU.then(ShellScript.resource("collect-manifests.sh"));
    if (workspace != null) {
      context = context.then(ShellScript.resource("collect-workspace-manifests.sh"));
    }
    context =
        context
            .then(detection(a.packageManager()))
            .then(ShellScript.resource("record-package-manager.sh"));
    if (pruneContext) {
      context = context.then(ShellScript.resource("prune-ignored.sh"));
    }
    d.blank()
        .comment("The build context: install manifests set apart, package manager decided,")
        .comment(
            "node_modules dropped"
                + (pruneContext ? ", ignore list pruned" : "")
                + ", files root-owned and read-only for others.")
        .from(a.base(), "context")
        .workdir("/src")
        .copy(".", ".")
        .run(context.then(ShellScript.of("chmod -R a+rX,go-w /src")));

    ShellScript deps =
        workspace == null
            ? install(Install.PRODUCTION, natives.deps(), a.npmrcPath())
            : installWorkspace(workspace, natives.deps(), a.npmrcPath());
    if (start.bin() != null) {
      deps =
          deps.then(
              ShellScript.resource(
                  "link-bin.sh", Map.of("BIN", shellSingleQuote(checkBin(start.bin())))));
    }
    installStage(
        d,
        a,
        "deps",
        workspace == null
            ? "Production dependencies only; cached until the manifests change."
            : "Workspace member "
                + workspace.appPath()
                + ": its production dependencies only; "
                + workspace.why()
                + ".",
        natives.deps() ? natives : null);
    if (slim.pruned()) {
      d.copyFrom("prune", PRUNE_SCRIPT, PRUNE_SCRIPT);
      deps = deps.then(pruneCall(slim.keep()));
    }
    d.run(
        deps.then(
            workspace == null
                ? ShellScript.resource("deps-finish.sh")
                : ShellScript.resource(
                    "workspace-finish.sh",
                    Map.of("APP_PATH", shellSingleQuote(workspace.appPath())))));
    if (workspace != null) {
      return workspaceImage(d, a, start, workspace, slim);
    }

    if (a.hasBuild()) {
      ShellScript build =
          forgetNpmrc(SET_EU, a.npmrcPath())
              .then(
                  ShellScript.resource(
                      "run-build-script.sh", Map.of("SCRIPT", shellSingleQuote(a.buildScript()))));
      if (a.files().isEmpty()) {
        build = build.then(ShellScript.resource("prune-ignored.sh"));
      }
      installStage(
              d,
              a,
              "builder",
              "All dependencies, then the sources, then the build script.",
              natives.builder() ? natives : null)
          .run(install(Install.ALL, natives.builder(), a.npmrcPath()))
          .copyFrom("context", "/src/", "./")
          .run(build.then(ShellScript.of("chmod -R a+rX,go-w " + APP_DIR)));
    }

    productionHead(d, a, start, APP_DIR, slim)
        .copyFrom("deps", APP_DIR + "/node_modules", "./node_modules");
    String from = a.hasBuild() ? "builder" : "context";
    String root = a.hasBuild() ? APP_DIR : "/src";
    if (a.files().isEmpty()) {
      d.copyFrom(from, root + "/", "./");
    } else {
      if (!a.files().contains("package.json")) {
        d.copyFrom(from, root + "/package.json", "./package.json");
      }
      for (String f : a.files()) {
        d.copyFrom(from, root + "/" + f, "./" + f);
      }
    }
    return d.user(USER).text();
  }

  /**
   * How many layers the final stage adds after the production node_modules (one per runtime-files
   * COPY): how status.output.layers tells the app from the dependencies in a pushed manifest. Kept
   * next to {@link #generate}, and checked against every golden Dockerfile.
   */
  public static int appLayerCount(AppSpec app) {
    List<String> files = app == null || app.getFiles() == null ? List.of() : app.getFiles();
    if (files.isEmpty()) {
      return 1;
    }
    boolean hasPackageJson =
        files.stream()
            .map(dev.leanode.validation.ValueRules::stripTrailingSlash)
            .anyMatch("package.json"::equals);
    return files.size() + (hasPackageJson ? 0 : 1);
  }

  /**
   * The shipped stage up to its first COPY of the app. Metadata first: it does not depend on the
   * app's files, so after a source-only change the builder re-commits only the COPY layers and
   * USER. USER stays last so that no builder can give the node user ownership of what COPY creates.
   * With spec.app.runtime: minimal it starts FROM scratch with the runtime stage's root file
   * system.
   */
  private static DockerfileWriter productionHead(
      DockerfileWriter d, ResolvedApp a, StartCommand start, String workdir, Slimming slim) {
    String nodeOptions = "--require " + SHIM_PATH;
    if (!a.env().getOrDefault("NODE_OPTIONS", "").isEmpty()) {
      nodeOptions = nodeOptions + " " + a.env().get("NODE_OPTIONS");
    }
    d.blank()
        .comment("The shipped image: production dependencies, runtime files, non-root.")
        .comment("Start command from " + start.source() + ": " + start.why());
    if (slim.minimal()) {
      d.from("scratch", "production")
          .copyFrom("runtime", RUNTIME_ROOTFS + "/", "/")
          .envWords(Map.of("PATH", "/usr/local/bin"));
    } else {
      d.from(a.base(), "production");
    }
    d.workdir(workdir)
        .envWords(Map.of("NODE_ENV", "production"))
        .envWords(Map.of("PORT", Integer.toString(a.port())))
        .env("NODE_OPTIONS", nodeOptions);
    a.env()
        .forEach(
            (name, value) -> {
              if (!name.equals("NODE_OPTIONS")) {
                d.env(name, value);
              }
            });
    return d.expose(a.port()).cmd(a.command()).copyFrom("shim", SHIM_STAGE_PATH, SHIM_PATH);
  }

  /**
   * The seed tutorial's single-stage Dockerfile, changed only where the comparison would otherwise
   * be unfair or the image would not be the same app (see {@link TutorialDockerfiles}).
   */
  public String generateSingleStage(AppSpec app, DockerfileOptions options) {
    return generateSingleStage(app, options, StartCommand.fromSpec(app));
  }

  /** The single-stage comparison, starting the app as {@code start} decided. */
  public String generateSingleStage(AppSpec app, DockerfileOptions options, StartCommand start) {
    return generateSingleStage(app, options, start, NativeAddons.fromSpec(app));
  }

  /** The single-stage comparison with the toolchain its install needs (it ships it, as written). */
  public String generateSingleStage(
      AppSpec app, DockerfileOptions options, StartCommand start, NativeAddons natives) {
    return generateSingleStage(app, options, start, natives, null);
  }

  /** The same; a workspace member's copies the whole repository and starts in its folder. */
  public String generateSingleStage(
      AppSpec app,
      DockerfileOptions options,
      StartCommand start,
      NativeAddons natives,
      Workspace workspace) {
    return TutorialDockerfiles.singleStage(
        ResolvedApp.of(validator, app, options, start), natives, workspace);
  }

  /** The seed tutorial's multi-stage Dockerfile as written, for benchmarks. */
  public String generateSeedMultiStage(AppSpec app, DockerfileOptions options) {
    return TutorialDockerfiles.seedMultiStage(ResolvedApp.of(validator, app, options), app);
  }

  // ---------------------------------------------------------------------------------------------

  /** Where the prune stage writes prune.cjs, and the deps stage reads it. */
  static final String PRUNE_SCRIPT = "/leanode/prune.cjs";

  /** Where the runtime stage assembles the minimal runtime's root file system. */
  private static final String RUNTIME_ROOTFS = "/leanode/minimal";

  /** spec.app.prune: safe: a stage that only writes prune.cjs (kept out of the deps RUN). */
  private static void pruneStage(DockerfileWriter d, ResolvedApp a) {
    d.blank()
        .comment("The prune step's script (spec.app.prune: safe), run in deps after the install.")
        .from(a.base(), "prune")
        .run(
            ShellScript.of("mkdir -p /leanode &&")
                .then(ShellScript.printfFile("prune.cjs", PRUNE_SCRIPT)));
  }

  /** The deps RUN's prune step; each keep glob one single-quoted word (validated, no quotes). */
  private static ShellScript pruneCall(List<String> keep) {
    StringBuilder words = new StringBuilder();
    for (String glob : keep) {
      if (dev.leanode.validation.ValueRules.pruneKeepProblem(glob) != null) {
        throw new IllegalArgumentException("spec.app.pruneKeep: not allowed: " + glob);
      }
      words.append(words.length() == 0 ? "" : " ").append(shellSingleQuote(glob));
    }
    return ShellScript.resource("prune-node-modules.sh", Map.of("KEEP", words.toString()));
  }

  /**
   * spec.app.runtime: minimal: a stage that takes the base apart into {@link #RUNTIME_ROOTFS}
   * (node, the libraries ldd reads from it, the loader, CA certificates, tzdata, passwd/group).
   */
  private static void runtimeStage(DockerfileWriter d, ResolvedApp a) {
    d.blank()
        .comment(
            "The minimal runtime (spec.app.runtime: minimal): node and what it links, no shell.")
        .from(a.base(), "runtime")
        .run(
            SET_EU
                .then(ShellScript.resource("runtime-libs.sh"))
                .then(ShellScript.resource("runtime-rootfs.sh")));
  }

  /** What a workspace member build does not do (yet): say which field to change. */
  private static void checkWorkspace(ResolvedApp a, StartCommand start) {
    if (a.hasBuild()) {
      throw new IllegalArgumentException(
          "spec.app.buildScript: a build script of a workspace member is not supported yet"
              + " (build it in the repository and commit the output, or set spec.app.command to a"
              + " file in the source)");
    }
    if (!a.files().isEmpty()) {
      throw new IllegalArgumentException(
          "spec.app.files: not supported for a workspace member (the member's folder and the"
              + " workspace packages it links are shipped)");
    }
    if (start.bin() != null) {
      throw new IllegalArgumentException(
          "spec.app.command: the start script runs a dependency's command, which a workspace"
              + " member build cannot link yet; set spec.app.command, e.g. [\"node\","
              + " \"node_modules/"
              + start.bin()
              + "/...\"]");
    }
  }

  private static ShellScript installWorkspace(Workspace w, boolean nativeAddons, String npmrc) {
    ShellScript s = useNpmrc(SET_EU, npmrc);
    s = nativeAddons ? s.then(ShellScript.resource("native-nodedir.sh")) : s;
    return s.then(
        ShellScript.resource(
            "install-workspace.sh",
            Map.of(
                "APP_PATH", shellSingleQuote(w.appPath()),
                "APP_NAME", shellSingleQuote(w.packageName()))));
  }

  /**
   * The rest of a workspace member's Dockerfile: the {@code workspace} stage copies the member's
   * folder and the linked workspace packages out of the context; the shipped stage keeps the root's
   * layout under /app and starts in the member's folder.
   */
  private String workspaceImage(
      DockerfileWriter d, ResolvedApp a, StartCommand start, Workspace w, Slimming slim) {
    d.blank()
        .comment("The workspace folders the image needs: the member's and the packages it links.")
        .from(a.base(), "workspace")
        .copyFrom("context", "/src/", "/src/")
        .copyFrom("deps", "/leanode/workspace-packages", "/leanode/workspace-packages")
        .run(SET_EU.then(ShellScript.resource("assemble-workspace.sh")));
    productionHead(d, a, start, APP_DIR + "/" + w.appPath(), slim)
        .copyFrom("deps", "/leanode/node_modules-tree/", APP_DIR + "/")
        .copyFrom("workspace", "/leanode/image/", APP_DIR + "/");
    return d.user(USER).text();
  }

  /** The shim stage's RUN: printf writes signals.cjs, one double-quoted argument per line. */
  private static ShellScript shimScript() {
    List<String> lines = new ArrayList<>();
    lines.add("mkdir -p /leanode && printf '%s\\n'");
    SHIM_LINES.forEach(line -> lines.add("  \"" + line + "\""));
    lines.add("> " + SHIM_STAGE_PATH);
    return ShellScript.of(lines.toArray(String[]::new));
  }

  /** How the context stage sets {@code $pm}: detected (auto) or pinned; yarn tells Berry apart. */
  private static ShellScript detection(PackageManager pm) {
    ShellScript s =
        pm == PackageManager.AUTO
            ? ShellScript.resource("detect-package-manager.sh")
            : ShellScript.of("pm=" + pm.name().toLowerCase(Locale.ROOT) + ";");
    return pm == PackageManager.AUTO || pm == PackageManager.YARN
        ? s.then(ShellScript.resource("detect-yarn-berry.sh"))
        : s;
  }

  private static ShellScript install(Install mode, boolean nativeAddons, String npmrcPath) {
    ShellScript s = useNpmrc(SET_EU, npmrcPath);
    s = nativeAddons ? s.then(ShellScript.resource("native-nodedir.sh")) : s;
    return s.then(ShellScript.resource("install.sh", mode.vars));
  }

  /** {@code s}, then: the install reads spec.build.npmrcSecretRef's copy (when there is one). */
  static ShellScript useNpmrc(ShellScript s, String npmrcPath) {
    return npmrcPath == null
        ? s
        : s.then(ShellScript.resource("npmrc-use.sh", Map.of("NPMRC", npmrcPath)));
  }

  /** {@code s}, then: the npmrc copy deleted before the app's own build code runs. */
  static ShellScript forgetNpmrc(ShellScript s, String npmrcPath) {
    return npmrcPath == null
        ? s
        : s.then(ShellScript.resource("npmrc-forget.sh", Map.of("NPMRC", npmrcPath)));
  }

  /** The RUN that gives an install stage python3, make and g++ (apk or apt-get). */
  static ShellScript nativeToolchain() {
    return SET_EU.then(ShellScript.resource("native-toolchain.sh"));
  }

  /**
   * FROM … AS stage, CA ARGs, the install ENV, the toolchain when {@code natives} is not null,
   * WORKDIR and the manifests: deps and builder.
   */
  private static DockerfileWriter installStage(
      DockerfileWriter d, ResolvedApp a, String stage, String comment, NativeAddons natives) {
    d.blank().comment(comment);
    if (natives != null) {
      d.comment("Native addons: " + natives.why() + ".");
    }
    d.from(a.base(), stage);
    caArgs(d, a.caBundlePath()).envWords(INSTALL_ENV);
    if (natives != null) {
      d.run(nativeToolchain());
    }
    return d.workdir(APP_DIR).copyFrom("context", "/leanode/manifests/", "./");
  }

  /** ARGs, not ENV: they reach this stage's RUN steps only, never an image's config. */
  static DockerfileWriter caArgs(DockerfileWriter d, String caBundlePath) {
    if (caBundlePath != null) {
      d.arg("NODE_EXTRA_CA_CERTS", caBundlePath)
          .arg("npm_config_cafile", caBundlePath)
          .arg("YARN_HTTPS_CA_FILE_PATH", caBundlePath);
    }
    return d;
  }

  private static final java.util.regex.Pattern BIN =
      java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private static String checkBin(String bin) {
    if (!BIN.matcher(bin).matches()) {
      throw new IllegalArgumentException("start command: not a plain command name: " + bin);
    }
    return bin;
  }

  /** POSIX shell single quotes; the validator already limits script names to safe characters. */
  static String shellSingleQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}

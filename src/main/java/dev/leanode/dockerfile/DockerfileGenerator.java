package dev.leanode.dockerfile;

import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.EnvVar;
import dev.leanode.api.v1alpha1.PackageManager;
import dev.leanode.validation.FieldError;
import dev.leanode.validation.SpecValidator;
import dev.leanode.validation.ValueRules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns an {@link AppSpec} into Dockerfile text. Pure: no I/O, no Kubernetes; the same spec always
 * gives the same text (the build input hash relies on it).
 *
 * <h2>The lean image ({@link #generate})</h2>
 *
 * <p>Stages, of which only {@code production} is shipped:
 *
 * <ol>
 *   <li>{@code shim} writes the signal shim {@value #SHIM_PATH} (see below).
 *   <li>{@code context} copies the build context, decides the package manager (see below), keeps
 *       the install manifests apart ({@code /leanode/manifests}: package.json, lockfiles, .npmrc,
 *       .yarnrc(.yml), pnpm-workspace.yaml, .pnpmfile.cjs, .yarn/releases|plugins|patches,
 *       patches/), removes every {@code node_modules}, and (without buildScript and files) prunes
 *       the ignore list. Files end root-owned and not writable by group/others ({@code chmod -R
 *       a+rX,go-w}), so the {@code node} user can read but not change them.
 *   <li>{@code deps} installs production dependencies only, from the manifests alone ({@code npm ci
 *       --omit=dev}, {@code yarn install --production --frozen-lockfile}, {@code pnpm install
 *       --prod --frozen-lockfile}, Yarn Berry {@code yarn workspaces focus --all --production}).
 *       Its cache key is the manifests' content, so a source-only change reuses it. Package manager
 *       caches live under {@code /tmp/leanode-cache} and are deleted in the same RUN.
 *   <li>{@code builder} (only with a buildScript) installs all dependencies, copies the sources and
 *       runs the script; afterwards it drops its node_modules (dev dependencies) and, without
 *       files, prunes the ignore list.
 *   <li>{@code production}: first the metadata that does not depend on the app's files ({@code
 *       NODE_ENV=production}, {@code PORT}, the shim in {@code NODE_OPTIONS}, the spec's env,
 *       {@code EXPOSE}, the exec-form CMD), so a source-only rebuild re-commits only what follows;
 *       then node_modules from {@code deps}, package.json and the runtime files; {@code USER node}
 *       last. No RUN, no package manager step, no CA ARG.
 * </ol>
 *
 * <h2>Runtime files</h2>
 *
 * <p>With {@code files}: exactly those paths (plus package.json) from the app directory, or from
 * the builder's tree when there is a buildScript. Without {@code files}: the whole app directory
 * (after the build, if any) minus the ignore list: at the top level every dot entry (.git, .env*,
 * .npmrc, .github, .dockerignore …), {@code test tests __tests__ __mocks__ coverage docs}, {@code
 * *.md}, {@code Dockerfile*}, {@code docker-compose*.yml|yaml}, {@code compose.yml|yaml} and the
 * lockfiles; anywhere: {@code node_modules}, {@code __tests__}, {@code __mocks__}. With a
 * buildScript the build's sources stay (e.g. src/ next to dist/): Leanode cannot know which files
 * the running app reads, so the safe default keeps them; list {@code files: [dist, ...]} for the
 * leanest image.
 *
 * <h2>Package manager</h2>
 *
 * <p>{@code auto} is decided inside the build, in the context stage: pnpm-lock.yaml → pnpm;
 * yarn.lock → yarn; package-lock.json or npm-shrinkwrap.json → npm; no lockfile → the package.json
 * {@code packageManager} field's name (npm, yarn, pnpm), else npm. Yarn is Berry (run through
 * corepack) when .yarnrc.yml exists or {@code packageManager} says yarn@2+, else Classic (the
 * image's {@code yarn}, or corepack's). pnpm always runs through corepack. A pinned manager skips
 * the lockfile detection (Yarn still tells Classic from Berry). With a lockfile the
 * frozen/immutable flags are used. Root lifecycle scripts (preinstall, install, postinstall,
 * prepare …) are removed from the manifest before installing: only the manifests are present there,
 * so they could not work; dependencies' own install scripts still run.
 *
 * <h2>Default command and signals</h2>
 *
 * <p>{@code CMD ["node", "."]}: Node resolves the directory through package.json {@code main} (with
 * or without extension, CommonJS or {@code "type": "module"}) and falls back to index.js, which is
 * exactly the documented default, without knowing package.json at generation time.
 *
 * <p>Node as PID 1 gets no default action for SIGTERM/SIGINT. The shim, loaded with {@code
 * NODE_OPTIONS=--require}, listens for both and, when it is the only listener, exits with 143/130
 * (or, when not PID 1, re-raises the signal); when the app has its own listener it does nothing. No
 * process stays resident besides node. A spec env NODE_OPTIONS is appended to the shim's.
 *
 * <h2>Injection safety</h2>
 *
 * <p>Every spec value is validated ({@link SpecValidator#validateApp}) before any text is written;
 * on a violation the generator throws {@link IllegalArgumentException} naming the field. Values are
 * then written JSON-escaped (CMD), double-quoted with {@code \ " $} escaped (ENV) or single-quoted
 * for the shell (script name); paths are restricted to plain segments.
 */
public final class DockerfileGenerator {
  /** Where the final image keeps the signal shim. */
  public static final String SHIM_PATH = "/usr/local/lib/leanode/signals.cjs";

  /** The app's folder in the final image. */
  public static final String APP_DIR = "/app";

  private static final Pattern SAFE_ABSOLUTE_PATH = Pattern.compile("(/[A-Za-z0-9._-]+)+");

  /**
   * The signal shim, one line per element. Written with printf inside double quotes, so no line may
   * contain {@code " $ ` \} (checked in the constructor-free static block below).
   */
  static final List<String> SHIM_LINES =
      List.of(
          "'use strict';",
          "// Leanode signal shim: Node.js as PID 1 has no default action for SIGTERM/SIGINT.",
          "// Exit promptly unless the app listens for the signal itself.",
          "if (require('worker_threads').isMainThread) {",
          "  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]]) {",
          "    const onSignal = () => {",
          "      if (process.listenerCount(signal) > 1) return;",
          "      if (process.pid !== 1) {",
          "        process.removeListener(signal, onSignal);",
          "        process.kill(process.pid, signal);",
          "        return;",
          "      }",
          "      process.exit(code);",
          "    };",
          "    process.on(signal, onSignal);",
          "  }",
          "}");

  static {
    for (String line : SHIM_LINES) {
      if (line.matches(".*[\"$`\\\\].*")) {
        throw new IllegalStateException("shim line not printf-safe: " + line);
      }
    }
  }

  /** Top-level entries removed from the runtime tree (shell globs, fixed text). */
  static final List<String> IGNORED_TOP_LEVEL =
      List.of(
          ".[!.]*",
          "..?*",
          "test",
          "tests",
          "__tests__",
          "__mocks__",
          "coverage",
          "docs",
          "*.md",
          "Dockerfile*",
          "docker-compose*.yml",
          "docker-compose*.yaml",
          "compose.yml",
          "compose.yaml",
          "package-lock.json",
          "npm-shrinkwrap.json",
          "yarn.lock",
          "pnpm-lock.yaml");

  /** Directory names removed at any depth. */
  static final List<String> IGNORED_ANYWHERE = List.of("node_modules", "__tests__", "__mocks__");

  static final List<String> MANIFEST_FILES =
      List.of(
          "package.json",
          "package-lock.json",
          "npm-shrinkwrap.json",
          "yarn.lock",
          "pnpm-lock.yaml",
          "pnpm-workspace.yaml",
          ".npmrc",
          ".yarnrc",
          ".yarnrc.yml",
          ".pnpmfile.cjs");

  static final List<String> MANIFEST_DIRS =
      List.of(".yarn/releases", ".yarn/plugins", ".yarn/patches", "patches");

  private static final String STRIP_ROOT_SCRIPTS =
      "node -e \"const fs=require('fs'),p=JSON.parse(fs.readFileSync('package.json','utf8'));"
          + "if(p.scripts){for(const s of ['preinstall','install','postinstall','prepublish',"
          + "'preprepare','prepare','postprepare'])delete p.scripts[s];"
          + "fs.writeFileSync('package.json',JSON.stringify(p,null,2))}\"";

  private static final String ENSURE_COREPACK =
      "command -v corepack >/dev/null 2>&1 || npm install -g corepack";

  private static final String PICK_YARN =
      "if command -v yarn >/dev/null 2>&1; then y=yarn; else "
          + ENSURE_COREPACK
          + "; y='corepack yarn'; fi";

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

  /** Leanode's lean multi-stage Dockerfile. */
  public String generate(AppSpec app, DockerfileOptions options) {
    App a = App.of(check(app, options), options);
    StringBuilder d = new StringBuilder();
    d.append("# Generated by Leanode: lean multi-stage image of a Node.js app.\n")
        .append("# Only the last stage (production) is shipped; see docs/dockerfile.md.\n");

    // shim
    d.append("\n# Signal shim: lets node as PID 1 stop promptly on SIGTERM/SIGINT.\n")
        .append("FROM ")
        .append(a.base)
        .append(" AS shim\n")
        .append("RUN mkdir -p /leanode && printf '%s\\n' \\\n");
    for (String line : SHIM_LINES) {
      d.append("      \"").append(line).append("\" \\\n");
    }
    d.append("    > /leanode/signals.cjs\n");

    // context
    d.append("\n# The build context: install manifests set apart, package manager decided,\n")
        .append("# node_modules dropped")
        .append(a.files.isEmpty() && !a.hasBuild ? ", ignore list pruned" : "")
        .append(", files root-owned and read-only for others.\n")
        .append("FROM ")
        .append(a.base)
        .append(" AS context\n")
        .append("WORKDIR /src\n")
        .append("COPY . .\n")
        .append("RUN set -eu; \\\n")
        .append("    mkdir -p /leanode/manifests; \\\n")
        .append("    for f in ")
        .append(String.join(" ", MANIFEST_FILES))
        .append("; do \\\n")
        .append("      if [ -f \"$f\" ]; then cp -p \"$f\" /leanode/manifests/; fi; \\\n")
        .append("    done; \\\n")
        .append("    for d in ")
        .append(String.join(" ", MANIFEST_DIRS))
        .append("; do \\\n")
        .append(
            "      if [ -d \"$d\" ]; then mkdir -p \"/leanode/manifests/$d\" &&"
                + " cp -Rp \"$d/.\" \"/leanode/manifests/$d/\"; fi; \\\n")
        .append("    done; \\\n");
    appendDetection(d, a.packageManager);
    d.append("    echo \"$pm\" > /leanode/manifests/.leanode-pm; \\\n");
    appendRemoveAnywhere(d, List.of("node_modules"));
    if (a.files.isEmpty() && !a.hasBuild) {
      appendPrune(d);
    }
    d.append("    chmod -R a+rX,go-w /src\n");

    // deps
    d.append("\n# Production dependencies only; cached until the manifests change.\n")
        .append("FROM ")
        .append(a.base)
        .append(" AS deps\n");
    appendCaArgs(d, a.caBundlePath);
    appendCacheEnv(d);
    d.append("WORKDIR ").append(APP_DIR).append("\n");
    d.append("COPY --from=context /leanode/manifests/ ./\n");
    d.append("RUN set -eu; \\\n")
        .append("    ")
        .append(STRIP_ROOT_SCRIPTS)
        .append("; \\\n")
        .append("    case \"$(cat .leanode-pm)\" in \\\n")
        .append("      pnpm) ")
        .append(ENSURE_COREPACK)
        .append("; \\\n")
        .append(
            "        if [ -f pnpm-lock.yaml ]; then corepack pnpm install --prod --frozen-lockfile;"
                + " else corepack pnpm install --prod; fi ;; \\\n")
        .append("      berry) ")
        .append(ENSURE_COREPACK)
        .append("; \\\n")
        .append("        corepack yarn workspaces focus --all --production ;; \\\n")
        .append("      yarn) ")
        .append(PICK_YARN)
        .append("; \\\n")
        .append(
            "        if [ -f yarn.lock ]; then $y install --production --frozen-lockfile"
                + " --non-interactive; else $y install --production --non-interactive; fi ;; \\\n")
        .append(
            "      *) if [ -f package-lock.json ] || [ -f npm-shrinkwrap.json ]; then npm ci"
                + " --omit=dev; else npm install --omit=dev; fi ;; \\\n")
        .append("    esac; \\\n")
        .append("    mkdir -p node_modules; \\\n")
        .append("    rm -rf /tmp/leanode-cache; \\\n")
        .append("    chmod -R a+rX,go-w node_modules\n");

    // builder
    if (a.hasBuild) {
      String script = shellSingleQuote(a.buildScript);
      d.append("\n# All dependencies, then the sources, then the build script.\n")
          .append("FROM ")
          .append(a.base)
          .append(" AS builder\n");
      appendCaArgs(d, a.caBundlePath);
      appendCacheEnv(d);
      d.append("WORKDIR ").append(APP_DIR).append("\n");
      d.append("COPY --from=context /leanode/manifests/ ./\n");
      d.append("RUN set -eu; \\\n")
          .append("    ")
          .append(STRIP_ROOT_SCRIPTS)
          .append("; \\\n")
          .append("    case \"$(cat .leanode-pm)\" in \\\n")
          .append("      pnpm) ")
          .append(ENSURE_COREPACK)
          .append("; \\\n")
          .append(
              "        if [ -f pnpm-lock.yaml ]; then corepack pnpm install --frozen-lockfile;"
                  + " else corepack pnpm install; fi ;; \\\n")
          .append("      berry) ")
          .append(ENSURE_COREPACK)
          .append("; \\\n")
          .append(
              "        if [ -f yarn.lock ]; then corepack yarn install --immutable;"
                  + " else corepack yarn install; fi ;; \\\n")
          .append("      yarn) ")
          .append(PICK_YARN)
          .append("; \\\n")
          .append(
              "        if [ -f yarn.lock ]; then $y install --frozen-lockfile --non-interactive;"
                  + " else $y install --non-interactive; fi ;; \\\n")
          .append(
              "      *) if [ -f package-lock.json ] || [ -f npm-shrinkwrap.json ]; then npm ci;"
                  + " else npm install; fi ;; \\\n")
          .append("    esac\n");
      d.append("COPY --from=context /src/ ./\n");
      d.append("RUN set -eu; \\\n")
          .append("    case \"$(cat .leanode-pm)\" in \\\n")
          .append("      pnpm) corepack pnpm run ")
          .append(script)
          .append(" ;; \\\n")
          .append("      berry) corepack yarn run ")
          .append(script)
          .append(" ;; \\\n")
          .append("      yarn) ")
          .append(PICK_YARN)
          .append("; $y run ")
          .append(script)
          .append(" ;; \\\n")
          .append("      *) npm run ")
          .append(script)
          .append(" ;; \\\n")
          .append("    esac; \\\n")
          .append("    rm -rf /tmp/leanode-cache .leanode-pm; \\\n");
      appendRemoveAnywhere(d, List.of("node_modules"));
      if (a.files.isEmpty()) {
        appendPrune(d);
      }
      d.append("    chmod -R a+rX,go-w ").append(APP_DIR).append("\n");
    }

    // production
    String from = a.hasBuild ? "builder" : "context";
    String root = a.hasBuild ? APP_DIR : "/src";
    d.append("\n# The shipped image: production dependencies, runtime files, non-root.\n")
        .append("FROM ")
        .append(a.base)
        .append(" AS production\n")
        .append("WORKDIR ")
        .append(APP_DIR)
        .append("\n");
    // Metadata first: it does not depend on the app's files, so after a source-only change the
    // builder re-commits only the COPY layers and USER. USER stays last so that no builder can
    // give the node user ownership of what COPY creates.
    d.append("ENV NODE_ENV=production\n");
    d.append("ENV PORT=").append(a.port).append("\n");
    String nodeOptions = "--require " + SHIM_PATH;
    if (a.env.containsKey("NODE_OPTIONS") && !a.env.get("NODE_OPTIONS").isEmpty()) {
      nodeOptions = nodeOptions + " " + a.env.get("NODE_OPTIONS");
    }
    d.append("ENV NODE_OPTIONS=").append(envQuote(nodeOptions)).append("\n");
    for (Map.Entry<String, String> e : a.env.entrySet()) {
      if (!e.getKey().equals("NODE_OPTIONS")) {
        d.append("ENV ").append(e.getKey()).append('=').append(envQuote(e.getValue())).append("\n");
      }
    }
    d.append("EXPOSE ").append(a.port).append("\n");
    d.append("CMD ").append(jsonArray(a.command)).append("\n");
    d.append("COPY --from=shim /leanode/signals.cjs ")
        .append(SHIM_PATH)
        .append("\n")
        .append("COPY --from=deps ")
        .append(APP_DIR)
        .append("/node_modules ./node_modules\n");
    if (a.files.isEmpty()) {
      d.append("COPY --from=").append(from).append(' ').append(root).append("/ ./\n");
    } else {
      if (!a.files.contains("package.json")) {
        d.append("COPY --from=")
            .append(from)
            .append(' ')
            .append(root)
            .append("/package.json ./package.json\n");
      }
      for (String f : a.files) {
        d.append("COPY --from=")
            .append(from)
            .append(' ')
            .append(root)
            .append('/')
            .append(f)
            .append(" ./")
            .append(f)
            .append("\n");
      }
    }
    d.append("USER node\n");
    return d.toString();
  }

  /**
   * The seed tutorial's single-stage Dockerfile, changed only where the comparison would otherwise
   * be unfair or the image would not be the same app: base image, port, command, the package
   * manager's install line, the build script when there is one (without it the image would lack the
   * built app) and the CA ARGs the build environment needs.
   */
  public String generateSingleStage(AppSpec app, DockerfileOptions options) {
    App a = App.of(check(app, options), options);
    StringBuilder d = new StringBuilder();
    d.append("# Generated by Leanode: the tutorial's single-stage Dockerfile, for comparison.\n")
        .append("FROM ")
        .append(a.base)
        .append("\n");
    appendCaArgs(d, a.caBundlePath);
    d.append("\nWORKDIR /app\n\n");
    String script = a.hasBuild ? shellSingleQuote(a.buildScript) : null;
    switch (a.packageManager) {
      case NPM -> {
        d.append("COPY package*.json ./\n\nRUN npm install\n\nCOPY . .\n");
        if (script != null) {
          d.append("\nRUN npm run ").append(script).append("\n");
        }
      }
      case YARN -> {
        d.append("COPY package.json yarn.loc[k] ./\n\nRUN yarn install\n\nCOPY . .\n");
        if (script != null) {
          d.append("\nRUN yarn run ").append(script).append("\n");
        }
      }
      case PNPM -> {
        d.append(
            "COPY package.json pnpm-lock.yam[l] ./\n\nRUN corepack pnpm install\n\nCOPY . .\n");
        if (script != null) {
          d.append("\nRUN corepack pnpm run ").append(script).append("\n");
        }
      }
      default -> {
        d.append("COPY package*.json yarn.loc[k] pnpm-lock.yam[l] ./\n\n")
            .append(
                "RUN if [ -f pnpm-lock.yaml ]; then corepack pnpm install;"
                    + " elif [ -f yarn.lock ]; then yarn install; else npm install; fi\n\n")
            .append("COPY . .\n");
        if (script != null) {
          d.append("\nRUN if [ -f pnpm-lock.yaml ]; then corepack pnpm run ")
              .append(script)
              .append("; elif [ -f yarn.lock ]; then yarn run ")
              .append(script)
              .append("; else npm run ")
              .append(script)
              .append("; fi\n");
        }
      }
    }
    d.append("\nENV PORT=").append(a.port).append("\n\n");
    d.append("CMD ").append(jsonArray(a.command)).append("\n");
    return d.toString();
  }

  /**
   * The seed tutorial's multi-stage Dockerfile as written (npm install of all dependencies, the
   * whole node_modules copied into the final stage), for benchmarks: base image, port, command,
   * files and CA ARGs follow the spec; the default command is the tutorial's {@code node index.js}.
   */
  public String generateSeedMultiStage(AppSpec app, DockerfileOptions options) {
    App a = App.of(check(app, options), options);
    List<String> command =
        app != null && app.getCommand() != null && !app.getCommand().isEmpty()
            ? app.getCommand()
            : List.of("node", "index.js");
    StringBuilder d = new StringBuilder();
    d.append("# Generated by Leanode: the tutorial's multi-stage Dockerfile, for benchmarks.\n")
        .append("# Stage 1: Builder\n")
        .append("FROM ")
        .append(a.base)
        .append(" AS builder\n");
    appendCaArgs(d, a.caBundlePath);
    d.append("\nWORKDIR /app\n\n")
        .append("# Copy package files and install ALL dependencies\n")
        .append("COPY package*.json ./\n")
        .append("RUN npm install\n\n")
        .append("# Copy the rest of the source code\n")
        .append("COPY . .\n\n\n")
        .append("# Stage 2: Production\n")
        .append("FROM ")
        .append(a.base)
        .append(" AS production\n\n")
        .append("WORKDIR /app\n\n")
        .append("# Copy only the necessary files from the builder stage\n")
        .append("COPY --from=builder /app/package*.json ./\n")
        .append("COPY --from=builder /app/node_modules ./node_modules\n");
    if (a.files.isEmpty()) {
      d.append("COPY --from=builder /app/index.js ./\n");
    } else {
      for (String f : a.files) {
        d.append("COPY --from=builder /app/").append(f).append(" ./").append(f).append("\n");
      }
    }
    d.append("\n# Set the port\nENV PORT=").append(a.port).append("\n\n");
    d.append("# Start the app\nCMD ").append(jsonArray(command)).append("\n");
    return d.toString();
  }

  // ---------------------------------------------------------------------------------------------

  private AppSpec check(AppSpec app, DockerfileOptions options) {
    List<FieldError> errors = validator.validateApp(app, "spec.app");
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(
          errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
    }
    if (options != null && options.caBundlePath() != null) {
      String p = options.caBundlePath();
      if (!SAFE_ABSOLUTE_PATH.matcher(p).matches() || p.contains("/../") || p.endsWith("/..")) {
        throw new IllegalArgumentException(
            "options.caBundlePath: must be an absolute path of letters, digits, '.', '_', '-'");
      }
    }
    return app == null ? new AppSpec() : app;
  }

  private static void appendDetection(StringBuilder d, PackageManager pm) {
    String berry =
        "[ -f .yarnrc.yml ] || node -e \"process.exit(/^yarn@([2-9]|[1-9][0-9])/"
            + ".test(require('./package.json').packageManager||'')?0:1)\"";
    switch (pm) {
      case NPM -> d.append("    pm=npm; \\\n");
      case PNPM -> d.append("    pm=pnpm; \\\n");
      case YARN -> d.append("    pm=yarn; \\\n");
      default ->
          d.append("    if [ -f pnpm-lock.yaml ]; then pm=pnpm; \\\n")
              .append("    elif [ -f yarn.lock ]; then pm=yarn; \\\n")
              .append(
                  "    elif [ -f package-lock.json ] || [ -f npm-shrinkwrap.json ]; then pm=npm;"
                      + " \\\n")
              .append(
                  "    else pm=$(node -p \"String(require('./package.json').packageManager||'npm')"
                      + ".split('@')[0]\"); fi; \\\n")
              .append("    case \"$pm\" in npm|yarn|pnpm) ;; *) pm=npm ;; esac; \\\n");
    }
    if (pm == PackageManager.AUTO || pm == PackageManager.YARN) {
      d.append("    if [ \"$pm\" = yarn ] && { ")
          .append(berry)
          .append("; }; then pm=berry; fi; \\\n");
    }
  }

  private static void appendRemoveAnywhere(StringBuilder d, List<String> names) {
    d.append("    find . -type d \\( ");
    for (int i = 0; i < names.size(); i++) {
      if (i > 0) {
        d.append(" -o ");
      }
      d.append("-name ").append(names.get(i));
    }
    d.append(" \\) -prune -exec rm -rf {} +; \\\n");
  }

  private static void appendPrune(StringBuilder d) {
    d.append("    rm -rf ").append(String.join(" ", IGNORED_TOP_LEVEL)).append("; \\\n");
    appendRemoveAnywhere(d, IGNORED_ANYWHERE);
  }

  private static void appendCaArgs(StringBuilder d, String caBundlePath) {
    if (caBundlePath == null) {
      return;
    }
    // ARGs, not ENV: they reach this stage's RUN steps only, never an image's config.
    d.append("ARG NODE_EXTRA_CA_CERTS=").append(caBundlePath).append("\n");
    d.append("ARG npm_config_cafile=").append(caBundlePath).append("\n");
    d.append("ARG YARN_HTTPS_CA_FILE_PATH=").append(caBundlePath).append("\n");
  }

  private static void appendCacheEnv(StringBuilder d) {
    d.append("ENV npm_config_cache=/tmp/leanode-cache/npm \\\n")
        .append("    npm_config_update_notifier=false \\\n")
        .append("    npm_config_fund=false \\\n")
        .append("    npm_config_audit=false \\\n")
        .append("    YARN_CACHE_FOLDER=/tmp/leanode-cache/yarn \\\n")
        .append("    YARN_GLOBAL_FOLDER=/tmp/leanode-cache/yarn-berry \\\n")
        .append("    YARN_NODE_LINKER=node-modules \\\n")
        .append("    YARN_ENABLE_TELEMETRY=0 \\\n")
        .append("    XDG_CACHE_HOME=/tmp/leanode-cache/xdg-cache \\\n")
        .append("    XDG_DATA_HOME=/tmp/leanode-cache/xdg-data \\\n")
        .append("    COREPACK_HOME=/tmp/leanode-cache/corepack \\\n")
        .append("    COREPACK_ENABLE_DOWNLOAD_PROMPT=0 \\\n")
        .append("    COREPACK_ENABLE_AUTO_PIN=0 \\\n")
        .append("    COREPACK_ENABLE_STRICT=0\n");
  }

  /** A JSON string: what Dockerfile exec form (CMD) parses; non-ASCII as \\u escapes. */
  static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  static String jsonArray(List<String> items) {
    return items.stream()
        .map(DockerfileGenerator::jsonString)
        .collect(Collectors.joining(", ", "[", "]"));
  }

  /**
   * A double-quoted ENV value. Inside double quotes the Dockerfile word parser treats {@code \"},
   * {@code \$} and {@code \\} as escapes and substitutes {@code $VAR}; escaping exactly those keeps
   * the value literal.
   */
  static String envQuote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\' || c == '$') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.append('"').toString();
  }

  /** POSIX shell single quotes; the validator already limits script names to safe characters. */
  static String shellSingleQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** The spec with defaults applied and paths normalized. */
  private record App(
      String base,
      PackageManager packageManager,
      boolean hasBuild,
      String buildScript,
      List<String> files,
      List<String> command,
      int port,
      Map<String, String> env,
      String caBundlePath) {
    static App of(AppSpec app, DockerfileOptions options) {
      List<String> files = new ArrayList<>();
      if (app.getFiles() != null) {
        for (String f : app.getFiles()) {
          files.add(ValueRules.stripTrailingSlash(f));
        }
      }
      List<String> command =
          app.getCommand() == null || app.getCommand().isEmpty()
              ? List.of("node", ".")
              : List.copyOf(app.getCommand());
      Map<String, String> env = new LinkedHashMap<>();
      if (app.getEnv() != null) {
        for (EnvVar e : app.getEnv()) {
          env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
        }
      }
      String script = app.getBuildScript();
      return new App(
          baseImage(app),
          app.getPackageManager() == null ? PackageManager.AUTO : app.getPackageManager(),
          script != null && !script.isEmpty(),
          script,
          files,
          command,
          app.getPort() == null ? AppSpec.DEFAULT_PORT : app.getPort(),
          env,
          options == null ? null : options.caBundlePath());
    }
  }
}

package dev.leanode.dockerfile;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.validation.ValueRules;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the image runs, and why: the one start-command decision shared by {@code leanode dockerfile
 * DIR}, {@code leanode render} and the operator (for inline and git sources alike). Pure: spec and
 * {@link AppFiles} in, a value out; docs/dockerfile.md ("Start command") lists the rules.
 *
 * @param command the exec-form CMD
 * @param source where it came from, e.g. {@code package.json scripts.start}
 * @param why one line for people: what was read and what it means
 * @param bin a dependency's command the deps stage links to {@link #BIN_DIR} (the JS file its
 *     package.json {@code bin} names), or null
 * @param buildScript a package.json script the start command needs run first (its output is not in
 *     the source), or null
 * @param env settings the image needs for it to answer on the pod's address (e.g. {@code
 *     FASTIFY_ADDRESS}); a spec env of the same name wins
 */
public record StartCommand(
    List<String> command,
    String source,
    String why,
    String bin,
    String buildScript,
    Map<String, String> env) {

  /** Where the deps stage links dependency commands (node resolves the link to the JS file). */
  public static final String BIN_DIR = "node_modules/.leanode/bin";

  /** Source of a command the spec gives. */
  public static final String FROM_SPEC = "spec.app.command";

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .build();

  /** Characters a script token may hold for Leanode to run it without a shell. */
  private static final Pattern SAFE_TOKEN = Pattern.compile("[A-Za-z0-9._/@:=+,-]+");

  private static final Pattern BIN_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern ENV_ASSIGNMENT =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=([A-Za-z0-9._/:@+,-]*)");
  private static final Pattern SCRIPT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9:._-]*");

  /** Node options that take the next word as their value. */
  private static final Set<String> NODE_VALUE_FLAGS =
      Set.of(
          "-r",
          "--require",
          "--import",
          "--loader",
          "--experimental-loader",
          "-C",
          "--conditions",
          "--title",
          "--env-file",
          "--stack-size");

  /** Commands that are not a dependency's CLI: package managers and shells need a shell or npm. */
  private static final Set<String> NOT_A_BIN =
      Set.of("npm", "npx", "yarn", "pnpm", "pnpx", "corepack", "sh", "bash", "env", "exec", "cd");

  /**
   * Development runners: they compile or watch at start time and live in devDependencies, so a
   * start script using them is passed over for start:prod, a Nest build, main or index.js.
   */
  private static final Set<String> DEV_RUNNERS =
      Set.of("nodemon", "ts-node", "ts-node-dev", "tsx", "babel-node", "nest", "vite");

  /** Dependency CLIs that bind 127.0.0.1 unless told otherwise, and the variable that says. */
  private static final Map<String, Map<String, String>> LISTEN_ENV =
      Map.of("fastify", Map.of("FASTIFY_ADDRESS", "0.0.0.0"));

  public StartCommand {
    command = List.copyOf(command);
    env = Map.copyOf(env);
  }

  /** status.dockerfile.startCommandSource: source and why in one line. */
  public String describe() {
    return source + ": " + why;
  }

  /**
   * The command of a spec without knowing the app's files: the spec's, else {@code node .} (node
   * resolves package.json main, then index.js). For callers that have no files (benchmarks, the
   * comparison variants); the operator and the CLI use {@link #decide}.
   */
  public static StartCommand fromSpec(AppSpec app) {
    if (app != null && app.getCommand() != null && !app.getCommand().isEmpty()) {
      return new StartCommand(app.getCommand(), FROM_SPEC, "set in the spec", null, null, Map.of());
    }
    return new StartCommand(
        List.of("node", "."),
        "default",
        "node resolves package.json main, then index.js",
        null,
        null,
        Map.of());
  }

  /**
   * Decides from the app's own files. Throws {@link IllegalArgumentException} naming {@code
   * spec.app.command} (or {@code spec.app.buildScript}) when nothing can be found: no image that
   * crashes at start is ever built.
   */
  public static StartCommand decide(AppSpec app, AppFiles files) {
    if (app != null && app.getCommand() != null && !app.getCommand().isEmpty()) {
      return fromSpec(app);
    }
    String specBuild =
        app == null || app.getBuildScript() == null || app.getBuildScript().isEmpty()
            ? null
            : app.getBuildScript();
    return new Decider(files, specBuild).decide();
  }

  /** One decision: the app's parsed files and what has been tried so far (for the message). */
  private static final class Decider {
    private final AppFiles files;
    private final String specBuild;
    private final JsonNode pkg;
    private final JsonNode scripts;
    private final String outDir;
    private final List<String> passedOver = new ArrayList<>();

    Decider(AppFiles files, String specBuild) {
      this.files = files;
      this.specBuild = specBuild;
      this.pkg = parse("package.json");
      this.scripts = pkg == null ? null : pkg.path("scripts");
      this.outDir = outDir();
    }

    StartCommand decide() {
      StartCommand c;
      if ((c = nodeScript("start")) != null
          || (c = nodeScript("start:prod")) != null
          || (c = binScript("start")) != null
          || (c = nest()) != null
          || (c = main()) != null
          || (c = conventional("server.js", "npm start's default without a start script")) != null
          || (c = conventional("index.js", "node's default without package.json main")) != null) {
        return c;
      }
      String tried = passedOver.isEmpty() ? "" : " (" + String.join("; ", passedOver) + ")";
      throw new IllegalArgumentException(
          "spec.app.command: cannot tell how to start the app: package.json has no usable"
              + " scripts.start, scripts.start:prod or main and there is no server.js or index.js"
              + tried
              + "; set spec.app.command, e.g. [\"node\", \"server.js\"]");
    }

    /** {@code [NAME=value ...] node [flags] FILE [args]}. */
    private StartCommand nodeScript(String name) {
      Script s = script(name);
      if (s == null || s.words.isEmpty() || !s.words.get(0).equals("node")) {
        return null;
      }
      List<String> w = s.words;
      int i = 1;
      while (i < w.size() && w.get(i).startsWith("-")) {
        i += NODE_VALUE_FLAGS.contains(w.get(i)) ? 2 : 1;
      }
      if (i >= w.size()) {
        passedOver.add("scripts." + name + " names no file to run");
        return null;
      }
      String file = w.get(i);
      if (ValueRules.copyPathProblem(AppDirInspector.normalize(file)) != null && !isDot(file)) {
        passedOver.add("scripts." + name + " runs " + file + ", outside the app folder");
        return null;
      }
      String build = buildFor(s, List.of(file), "scripts." + name);
      return new StartCommand(
          w,
          "package.json scripts." + name,
          quoted(s.text) + " runs node directly" + buildNote(build, file),
          null,
          build,
          s.env);
    }

    /** {@code [NAME=value ...] BIN [args]}: a dependency's CLI, run with node without npm. */
    private StartCommand binScript(String name) {
      Script s = script(name);
      if (s == null || s.words.isEmpty()) {
        return null;
      }
      String bin = s.words.get(0);
      if (bin.equals("node") || !BIN_NAME.matcher(bin).matches() || NOT_A_BIN.contains(bin)) {
        passedOver.add("scripts." + name + " " + quoted(s.text) + " needs a shell or npm");
        return null;
      }
      if (bin.equals("next")) {
        // next start needs .next, which the ignore list prunes; standalone output is the way
        passedOver.add("Next.js (scripts." + name + " " + quoted(s.text) + ") is not decided yet");
        return null;
      }
      if (DEV_RUNNERS.contains(bin)) {
        passedOver.add(
            "scripts." + name + " " + quoted(s.text) + " uses " + bin + ", a development runner");
        return null;
      }
      List<String> args = s.words.subList(1, s.words.size());
      List<String> command = new ArrayList<>(List.of("node", BIN_DIR + "/" + bin));
      command.addAll(args);
      String build = buildFor(s, args.stream().filter(Decider::looksLikeFile).toList(), name);
      Map<String, String> env = new LinkedHashMap<>(LISTEN_ENV.getOrDefault(bin, Map.of()));
      env.putAll(s.env);
      String listen =
          LISTEN_ENV.containsKey(bin)
              ? "; "
                  + String.join(",", LISTEN_ENV.get(bin).keySet())
                  + " set so it listens on the"
                  + " pod's address, not 127.0.0.1"
              : "";
      return new StartCommand(
          command,
          "package.json scripts." + name,
          quoted(s.text)
              + " runs the "
              + bin
              + " command of a production dependency: node runs the file its package.json bin"
              + " names, without npm or a shell"
              + buildNote(build, null)
              + listen,
          bin,
          build,
          env);
    }

    /** A Nest app whose start is {@code nest start}: its build writes dist/<entryFile>. */
    private StartCommand nest() {
      JsonNode cli = parse("nest-cli.json");
      if (cli == null && !dependsOn("@nestjs/core")) {
        return null;
      }
      String entry = cli == null ? null : text(cli.path("entryFile"));
      String file =
          "dist/" + (entry != null && SAFE_TOKEN.matcher(entry).matches() ? entry : "main");
      if (!hasScript("build") && specBuild == null && !exists(file)) {
        passedOver.add("a Nest app without a build script");
        return null;
      }
      String build = buildFor(new Script("", List.of(), Map.of(), null), List.of(file), "nest");
      return new StartCommand(
          List.of("node", file),
          "NestJS convention",
          "nest build writes " + file + ".js" + buildNote(build, file),
          null,
          build,
          Map.of());
    }

    private StartCommand main() {
      String main = pkg == null ? null : text(pkg.path("main"));
      if (main == null) {
        return null;
      }
      String file = AppDirInspector.normalize(main);
      if (ValueRules.copyPathProblem(file) != null || !SAFE_TOKEN.matcher(file).matches()) {
        passedOver.add("main " + quoted(main) + " is not a plain relative path");
        return null;
      }
      if (!exists(file) && !canBuild()) {
        passedOver.add("main " + file + " is not in the source and there is no build script");
        return null;
      }
      String build = buildFor(new Script("", List.of(), Map.of(), null), List.of(file), "main");
      return new StartCommand(
          List.of("node", file),
          "package.json main",
          "no usable start script; main is " + file + buildNote(build, file),
          null,
          build,
          Map.of());
    }

    private StartCommand conventional(String file, String why) {
      return files.has(file)
          ? new StartCommand(List.of("node", file), file, why, null, null, Map.of())
          : null;
    }

    // --- the build a command needs -------------------------------------------------------------

    /**
     * The script to run so that the command's files exist: the spec's, or the one the script chains
     * before ({@code npm run build && ...}), or {@code build} when a file is a build output (not in
     * the source, or inside tsconfig's outDir).
     */
    private String buildFor(Script s, List<String> entryFiles, String what) {
      if (specBuild != null) {
        return null; // the spec's buildScript already runs
      }
      if (s.chainedBuild != null) {
        return s.chainedBuild;
      }
      for (String f : entryFiles) {
        boolean missing = !exists(f);
        if (missing || isBuildOutput(f)) {
          if (hasScript("build")) {
            return "build";
          }
          if (missing) {
            throw new IllegalArgumentException(
                "spec.app.buildScript: "
                    + what
                    + " runs "
                    + f
                    + ", which is not in the source, and package.json has no build script to make"
                    + " it; set spec.app.buildScript (or spec.app.command)");
          }
        }
      }
      return null;
    }

    private boolean isBuildOutput(String file) {
      String f = AppDirInspector.normalize(file);
      return outDir != null && (f.equals(outDir) || f.startsWith(outDir + "/"));
    }

    private boolean canBuild() {
      return specBuild != null || hasScript("build");
    }

    private static String buildNote(String build, String file) {
      if (build == null) {
        return "";
      }
      return "; scripts."
          + build
          + " runs first"
          + (file == null ? "" : " (it writes " + file + ")");
    }

    // --- reading --------------------------------------------------------------------------------

    /** A script split into words, with leading NAME=value words and {@code npm run X &&} apart. */
    private record Script(
        String text, List<String> words, Map<String, String> env, String chainedBuild) {}

    private Script script(String name) {
      String text = scripts == null ? null : text(scripts.path(name));
      if (text == null) {
        return null;
      }
      List<String> words = new ArrayList<>(List.of(text.trim().split("\\s+")));
      String chained = null;
      // "npm run build && node dist/index.js" (fastify-cli's TypeScript template, many others)
      int and = words.indexOf("&&");
      if (and > 0 && words.lastIndexOf("&&") == and) {
        List<String> first = words.subList(0, and);
        if (first.size() == 3
            && Set.of("npm", "yarn", "pnpm").contains(first.get(0))
            && first.get(1).equals("run")
            && SCRIPT_NAME.matcher(first.get(2)).matches()
            && hasScript(first.get(2))) {
          chained = first.get(2);
          words = new ArrayList<>(words.subList(and + 1, words.size()));
        }
      }
      for (String w : words) {
        if (!SAFE_TOKEN.matcher(w).matches()) {
          passedOver.add("scripts." + name + " " + quoted(text) + " needs a shell");
          return null;
        }
      }
      Map<String, String> env = new LinkedHashMap<>();
      while (!words.isEmpty() && ENV_ASSIGNMENT.matcher(words.get(0)).matches()) {
        var m = ENV_ASSIGNMENT.matcher(words.remove(0));
        m.matches();
        env.put(m.group(1), m.group(2));
      }
      return new Script(text, List.copyOf(words), env, chained);
    }

    private boolean hasScript(String name) {
      return scripts != null && text(scripts.path(name)) != null;
    }

    private boolean dependsOn(String name) {
      return pkg != null && pkg.path("dependencies").has(name);
    }

    /** As node resolves a main module: the file, with .js/.cjs/.mjs/.json, or a folder's index. */
    private boolean exists(String file) {
      if (isDot(file)) {
        return true;
      }
      String f = AppDirInspector.normalize(file);
      for (String candidate :
          List.of(f, f + ".js", f + ".cjs", f + ".mjs", f + ".json", f + "/index.js")) {
        if (files.has(candidate)) {
          return true;
        }
      }
      return files.has(f + "/package.json");
    }

    private static boolean isDot(String file) {
      return file.equals(".") || file.equals("./");
    }

    private static boolean looksLikeFile(String arg) {
      return !arg.startsWith("-") && arg.matches(".*\\.(c|m)?js$");
    }

    /** tsconfig.json compilerOptions.outDir, else dist for a Nest app; null if neither. */
    private String outDir() {
      JsonNode ts = parse("tsconfig.json");
      String out = ts == null ? null : text(ts.path("compilerOptions").path("outDir"));
      if (out != null) {
        String n = AppDirInspector.normalize(out);
        if (ValueRules.copyPathProblem(n) == null && !n.equals(".")) {
          return n;
        }
      }
      return files.has("nest-cli.json") ? "dist" : null;
    }

    private JsonNode parse(String file) {
      String text = files.text(file).orElse(null);
      if (text == null) {
        return null;
      }
      try {
        JsonNode n = JSON.readTree(text);
        if (n != null && n.isObject()) {
          return n;
        }
      } catch (IOException e) {
        // reported below for package.json; a tsconfig with exotic syntax is only not read
      }
      if (file.equals("package.json")) {
        throw new IllegalArgumentException(
            "spec.app.command: package.json is not a JSON object, so the start command cannot be"
                + " read from it; fix package.json or set spec.app.command");
      }
      return null;
    }

    private static String text(JsonNode node) {
      return node != null && node.isTextual() && !node.asText().isBlank()
          ? node.asText().trim()
          : null;
    }

    /** A script in double quotes for messages; only printable ASCII survives. */
    private static String quoted(String s) {
      return "\"" + s.replaceAll("[^\\x20-\\x7e]", "?").replace('"', '\'') + "\"";
    }
  }
}

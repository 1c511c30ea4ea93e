package dev.leanode.dockerfile;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.PackageManager;
import dev.leanode.validation.ValueRules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a local Node.js app directory into an {@link AppSpec} for {@code leanode dockerfile
 * [APP_DIR]}. Only reads files; never runs anything.
 *
 * <ul>
 *   <li>Package manager: pnpm-lock.yaml → pnpm, yarn.lock → yarn, package-lock.json or
 *       npm-shrinkwrap.json → npm, else package.json {@code packageManager}, else auto.
 *   <li>Node version: .nvmrc, then .node-version (as written, {@code v} dropped; LTS code names
 *       mapped to their major), then package.json {@code engines.node}: the default major (22) if
 *       the range admits it, else the newest LTS major it admits, else the lowest major it names.
 *   <li>Build: a {@code build} script → buildScript "build". Its output folder (tsconfig.json
 *       {@code compilerOptions.outDir}, else main's first folder when it is dist, build, out or
 *       lib) becomes {@code files} — together with the usual runtime folders that exist (public,
 *       views, static, templates, config, locales) — only when the entry point lies inside it;
 *       otherwise files stay empty (whole app minus the ignore list), the safe default.
 *   <li>Command: not set here; {@link StartCommand#decide} decides it from the same folder, as the
 *       operator does for inline and git sources. The start script's file only tells where the
 *       entry point lies (for files).
 * </ul>
 */
public final class AppDirInspector {
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .build();

  /** Newest first; the majors that had or have LTS releases. */
  static final List<Integer> LTS_MAJORS = List.of(24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4);

  static final Map<String, Integer> LTS_CODENAMES =
      Map.ofEntries(
          Map.entry("argon", 4),
          Map.entry("boron", 6),
          Map.entry("carbon", 8),
          Map.entry("dubnium", 10),
          Map.entry("erbium", 12),
          Map.entry("fermium", 14),
          Map.entry("gallium", 16),
          Map.entry("hydrogen", 18),
          Map.entry("iron", 20),
          Map.entry("jod", 22),
          Map.entry("krypton", 24));

  static final List<String> OUTPUT_DIRS = List.of("dist", "build", "out", "lib");
  static final List<String> RUNTIME_DIRS =
      List.of("public", "views", "static", "templates", "config", "locales");

  private static final Pattern SAFE_TOKEN = Pattern.compile("[A-Za-z0-9._/@:=+-]+");
  private static final Pattern VERSION =
      Pattern.compile("v?([0-9]{1,3})(?:\\.([0-9x*]{1,4}))?(?:\\.([0-9x*]{1,4}))?");

  /** Inspects {@code appDir}; throws IllegalArgumentException when it holds no package.json. */
  public AppSpec inspect(Path appDir) {
    Path pkgFile = appDir.resolve("package.json");
    if (!Files.isRegularFile(pkgFile)) {
      throw new IllegalArgumentException("no package.json in " + appDir);
    }
    JsonNode pkg;
    try {
      pkg = JSON.readTree(Files.readString(pkgFile, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + pkgFile + ": " + e.getMessage(), e);
    }
    if (pkg == null || !pkg.isObject()) {
      throw new IllegalArgumentException(pkgFile + " is not a JSON object");
    }
    AppSpec app = new AppSpec();
    app.setPackageManager(packageManager(appDir, pkg));
    nodeVersion(appDir, pkg).ifPresent(app::setNodeVersion);

    String main = text(pkg.path("main"));
    List<String> startCommand =
        main == null ? startCommand(text(pkg.path("scripts").path("start"))) : null;
    if (text(pkg.path("scripts").path("build")) != null) {
      app.setBuildScript("build");
      String entry =
          main != null
              ? main
              : startCommand != null ? startCommand.get(startCommand.size() - 1) : null;
      outputDir(appDir, main)
          .filter(out -> entry != null && isInside(normalize(entry), out))
          .ifPresent(
              out -> {
                List<String> files = new ArrayList<>();
                files.add(out);
                for (String dir : RUNTIME_DIRS) {
                  if (!dir.equals(out) && Files.isDirectory(appDir.resolve(dir))) {
                    files.add(dir);
                  }
                }
                app.setFiles(files);
              });
    }
    return app;
  }

  static PackageManager packageManager(Path dir, JsonNode pkg) {
    if (Files.exists(dir.resolve("pnpm-lock.yaml"))) {
      return PackageManager.PNPM;
    }
    if (Files.exists(dir.resolve("yarn.lock"))) {
      return PackageManager.YARN;
    }
    if (Files.exists(dir.resolve("package-lock.json"))
        || Files.exists(dir.resolve("npm-shrinkwrap.json"))) {
      return PackageManager.NPM;
    }
    String field = text(pkg.path("packageManager"));
    if (field != null) {
      String name = field.split("@", 2)[0].trim().toLowerCase(Locale.ROOT);
      switch (name) {
        case "npm":
          return PackageManager.NPM;
        case "yarn":
          return PackageManager.YARN;
        case "pnpm":
          return PackageManager.PNPM;
        default:
          break;
      }
    }
    return PackageManager.AUTO;
  }

  static Optional<String> nodeVersion(Path dir, JsonNode pkg) {
    for (String file : List.of(".nvmrc", ".node-version")) {
      Path p = dir.resolve(file);
      if (Files.isRegularFile(p)) {
        try {
          String first = Files.readString(p, StandardCharsets.UTF_8).strip().split("\\s+", 2)[0];
          Optional<String> v = pinnedVersion(first);
          if (v.isPresent()) {
            return v;
          }
        } catch (IOException e) {
          // unreadable: fall through to the next source
        }
      }
    }
    String engines = text(pkg.path("engines").path("node"));
    if (engines != null) {
      return majorForRange(engines).map(String::valueOf);
    }
    return Optional.empty();
  }

  /** {@code v20.11.1} → 20.11.1, {@code lts/iron} → 20, {@code 22} → 22; else empty. */
  static Optional<String> pinnedVersion(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("lts/")) {
      Integer major = LTS_CODENAMES.get(t.substring(4));
      return Optional.ofNullable(major).map(String::valueOf);
    }
    if (t.startsWith("v")) {
      t = t.substring(1);
    }
    if (ValueRules.nodeVersionProblem(t) == null) {
      return Optional.of(t);
    }
    return majorForRange(t).map(String::valueOf);
  }

  /**
   * The major to build with for a semver range: the default (22) when the range admits it, else the
   * newest LTS major it admits, else the lowest major it names.
   */
  static Optional<Integer> majorForRange(String range) {
    List<Integer> mentioned = new ArrayList<>();
    Matcher m = Pattern.compile("[0-9]+").matcher(range);
    while (m.find()) {
      if (m.group().length() <= 3) {
        mentioned.add(Integer.parseInt(m.group()));
      }
    }
    int preferred = Integer.parseInt(AppSpec.DEFAULT_NODE_VERSION);
    if (admits(range, preferred)) {
      return Optional.of(preferred);
    }
    for (int major : LTS_MAJORS) {
      if (admits(range, major)) {
        return Optional.of(major);
      }
    }
    return mentioned.stream().filter(v -> admits(range, v)).min(Integer::compare);
  }

  /** Whether some version with this major satisfies the range (npm semver, major granularity). */
  static boolean admits(String range, int major) {
    for (String alternative : range.split("\\|\\|")) {
      if (alternativeAdmits(alternative.trim(), major)) {
        return true;
      }
    }
    return false;
  }

  private static boolean alternativeAdmits(String set, int major) {
    if (set.isEmpty() || set.equals("*") || set.equalsIgnoreCase("x")) {
      return true;
    }
    Matcher hyphen = Pattern.compile("(\\S+)\\s+-\\s+(\\S+)").matcher(set);
    if (hyphen.matches()) {
      return compare(">=", hyphen.group(1), major) && compare("<=", hyphen.group(2), major);
    }
    // ">= 20" is the same as ">=20"
    String compact = set.replaceAll("(>=|<=|>|<|=|\\^|~)\\s+", "$1");
    for (String comparator : compact.split("\\s+")) {
      Matcher c = Pattern.compile("(>=|<=|>|<|=|\\^|~)?(.*)").matcher(comparator);
      if (!c.matches() || !compare(c.group(1) == null ? "=" : c.group(1), c.group(2), major)) {
        return false;
      }
    }
    return true;
  }

  private static boolean compare(String op, String version, int major) {
    Matcher v = VERSION.matcher(version.trim());
    if (version.trim().equals("*") || version.trim().equalsIgnoreCase("x")) {
      return true;
    }
    if (!v.matches()) {
      return false;
    }
    int vMajor = Integer.parseInt(v.group(1));
    boolean hasLower = nonZero(v.group(2)) || nonZero(v.group(3));
    boolean partial = v.group(2) == null || v.group(2).matches("[x*]");
    return switch (op) {
      case ">=" -> major >= vMajor;
      case ">" -> major > vMajor || (major == vMajor && !partial);
      case "<" -> major < vMajor || (major == vMajor && hasLower);
      case "<=" -> major <= vMajor;
      default -> major == vMajor; // =, ^, ~, bare, x-ranges
    };
  }

  private static boolean nonZero(String part) {
    return part != null && !part.matches("0+|[x*]");
  }

  /** tsconfig.json compilerOptions.outDir, else main's first folder if a usual output folder. */
  static Optional<String> outputDir(Path dir, String main) {
    Path tsconfig = dir.resolve("tsconfig.json");
    if (Files.isRegularFile(tsconfig)) {
      try {
        JsonNode ts = JSON.readTree(Files.readString(tsconfig, StandardCharsets.UTF_8));
        String outDir = ts == null ? null : text(ts.path("compilerOptions").path("outDir"));
        if (outDir != null) {
          String normalized = normalize(outDir);
          if (ValueRules.copyPathProblem(normalized) == null && !normalized.equals(".")) {
            return Optional.of(normalized);
          }
        }
      } catch (IOException e) {
        // not plain JSON (e.g. extends-only or exotic syntax): fall back to main
      }
    }
    if (main != null) {
      String first = normalize(main).split("/", 2)[0];
      if (OUTPUT_DIRS.contains(first) && normalize(main).contains("/")) {
        return Optional.of(first);
      }
    }
    return Optional.empty();
  }

  /** {@code node [--flag[=value]]... <file>} → its tokens; anything else → null. */
  static List<String> startCommand(String start) {
    if (start == null) {
      return null;
    }
    String[] tokens = start.trim().split("\\s+");
    if (tokens.length < 2 || !tokens[0].equals("node")) {
      return null;
    }
    for (int i = 1; i < tokens.length; i++) {
      if (!SAFE_TOKEN.matcher(tokens[i]).matches()) {
        return null;
      }
      boolean last = i == tokens.length - 1;
      if (last == tokens[i].startsWith("-")) {
        return null; // flags first, exactly one file at the end
      }
    }
    String file = normalize(tokens[tokens.length - 1]);
    if (ValueRules.copyPathProblem(file) != null) {
      return null;
    }
    List<String> command = new ArrayList<>(List.of(tokens));
    command.set(command.size() - 1, file);
    return command;
  }

  private static boolean isInside(String path, String dir) {
    return path.equals(dir) || path.startsWith(dir + "/");
  }

  /** {@code ./dist/} → {@code dist}. */
  static String normalize(String path) {
    String p = path.trim().replace('\\', '/');
    while (p.startsWith("./")) {
      p = p.substring(2);
    }
    return ValueRules.stripTrailingSlash(p);
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() && !node.asText().isBlank()
        ? node.asText().trim()
        : null;
  }
}

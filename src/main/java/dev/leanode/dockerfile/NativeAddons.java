package dev.leanode.dockerfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.NativeBuild;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Whether the install stages need a compiler for native addons, and why: pure, from {@code
 * spec.app.nativeBuild} and the app's lockfile (docs/dockerfile.md, "Native addons"). npm's
 * lockfile marks every package that runs an install script ({@code hasInstallScript}: node-gyp's
 * implicit {@code binding.gyp} rebuild, {@code prebuild-install || node-gyp rebuild}, …) and
 * whether it is a devDependency, so the deps stage gets the toolchain only when a production
 * dependency needs it; pnpm's lockfile v5/v6 marks {@code requiresBuild}. Neither yarn.lock nor
 * pnpm's v9 lockfile records it: those apps set {@code nativeBuild: always}.
 *
 * @param deps the production install stage gets python3, make and g++
 * @param builder the all-dependencies install stage (build script) gets them
 * @param why one line for the Dockerfile's comment: what was read
 */
public record NativeAddons(boolean deps, boolean builder, String why) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PNPM_REQUIRES_BUILD =
      Pattern.compile("(?m)^\\s+requiresBuild: true\\s*$");
  private static final int NAMES_SHOWN = 5;

  /** What a package name may be (npm's rules); anything else is not repeated in the Dockerfile. */
  private static final Pattern PACKAGE_NAME =
      Pattern.compile("(@[a-z0-9][a-z0-9._~-]{0,100}/)?[a-z0-9][a-z0-9._~-]{0,100}");

  /** No toolchain. */
  public static final NativeAddons NONE = new NativeAddons(false, false, "no native addons");

  /** From the spec alone (callers without the app's files). */
  public static NativeAddons fromSpec(AppSpec app) {
    NativeBuild mode = app == null ? null : app.getNativeBuild();
    if (mode == NativeBuild.ALWAYS) {
      return new NativeAddons(true, true, "spec.app.nativeBuild: always");
    }
    if (mode == NativeBuild.NEVER) {
      return new NativeAddons(false, false, "spec.app.nativeBuild: never");
    }
    return NONE;
  }

  /** The lockfiles whose digest (not text) {@link AppFiles} keeps. */
  private static final String DIGEST = "# leanode native-addon digest\n";

  static final List<String> LOCKFILES =
      List.of("npm-shrinkwrap.json", "package-lock.json", "pnpm-lock.yaml");

  /** From the spec, then (auto) the lockfile among {@code files}. */
  public static NativeAddons decide(AppSpec app, AppFiles files) {
    NativeBuild mode =
        app == null || app.getNativeBuild() == null ? NativeBuild.AUTO : app.getNativeBuild();
    if (mode != NativeBuild.AUTO || files == null) {
      return fromSpec(app);
    }
    for (String lock : LOCKFILES) {
      var digest = files.text(lock);
      if (digest.isPresent()) {
        return fromDigest(lock, digest.get());
      }
    }
    return NONE;
  }

  /**
   * What of a lockfile the decision needs, small enough to cache per commit: one line {@code prod
   * NAME} or {@code dev NAME} per package with an install script (npm), {@code requiresBuild}
   * (pnpm), or {@code unreadable MESSAGE}; empty when nothing needs building.
   */
  static String digest(String lock, String text) {
    if (text.startsWith(DIGEST)) {
      return text;
    }
    if (lock.equals("pnpm-lock.yaml")) {
      return DIGEST + (PNPM_REQUIRES_BUILD.matcher(text).find() ? "requiresBuild\n" : "");
    }
    JsonNode packages;
    try {
      packages = JSON.readTree(text).path("packages");
    } catch (IOException e) {
      return DIGEST + "unreadable " + e.getClass().getSimpleName() + "\n";
    }
    StringBuilder out = new StringBuilder(DIGEST);
    for (Map.Entry<String, JsonNode> p : (Iterable<Map.Entry<String, JsonNode>>) packages::fields) {
      String key = p.getKey();
      if (key.isEmpty() || !p.getValue().path("hasInstallScript").asBoolean(false)) {
        continue;
      }
      String name = key.substring(key.lastIndexOf("node_modules/") + "node_modules/".length());
      if (!PACKAGE_NAME.matcher(name).matches()) {
        name = "(unusual-name)";
      }
      out.append(p.getValue().path("dev").asBoolean(false) ? "dev " : "prod ")
          .append(name)
          .append('\n');
    }
    return out.toString();
  }

  private static NativeAddons fromDigest(String lock, String text) {
    String digest = digest(lock, text).substring(DIGEST.length());
    if (digest.startsWith("requiresBuild")) {
      return new NativeAddons(
          true, true, lock + ": a package has requiresBuild: true (nativeBuild: auto)");
    }
    if (digest.startsWith("unreadable")) {
      return new NativeAddons(false, false, lock + " unreadable, no toolchain");
    }
    TreeSet<String> production = new TreeSet<>();
    TreeSet<String> all = new TreeSet<>();
    for (String line : digest.lines().toList()) {
      String name = line.substring(line.indexOf(' ') + 1);
      all.add(name);
      if (line.startsWith("prod ")) {
        production.add(name);
      }
    }
    if (all.isEmpty()) {
      return new NativeAddons(false, false, lock + ": no package runs an install script");
    }
    TreeSet<String> shown = production.isEmpty() ? all : production;
    String names =
        String.join(", ", shown.stream().limit(NAMES_SHOWN).toList())
            + (shown.size() > NAMES_SHOWN ? " and " + (shown.size() - NAMES_SHOWN) + " more" : "");
    return new NativeAddons(
        !production.isEmpty(),
        true,
        lock
            + ": "
            + names
            + (production.isEmpty() ? " (devDependencies only)" : "")
            + " run"
            + (shown.size() == 1 ? "s" : "")
            + " an install script (hasInstallScript; nativeBuild: auto)");
  }
}

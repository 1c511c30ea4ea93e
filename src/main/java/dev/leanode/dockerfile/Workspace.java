package dev.leanode.dockerfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An app that is a member of an npm, yarn or pnpm workspace: the git source's {@code subPath} is
 * the app's folder, the repository root declares the workspace (package.json {@code workspaces}, or
 * pnpm-workspace.yaml {@code packages}) and holds the lockfile. Then the build context is the
 * repository root, only that workspace's production dependencies are installed (with the sibling
 * workspace packages it depends on) and the image keeps the root's layout under /app. Pure: decided
 * from {@link AppFiles#root()} before the Dockerfile is written (docs/dockerfile.md, "Workspaces").
 *
 * @param appPath the app's folder relative to the workspace root, e.g. {@code services/api}
 * @param packageName the app's package.json name (yarn focus and pnpm filter select by name)
 * @param why one line for the Dockerfile's comment: which root file declared the workspace
 */
public record Workspace(String appPath, String packageName, String why) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PACKAGE_NAME =
      Pattern.compile("(@[a-z0-9][a-z0-9._~-]{0,100}/)?[a-z0-9][a-z0-9._~-]{0,100}");
  private static final Pattern SAFE_PATH =
      Pattern.compile("[A-Za-z0-9._@+-]+(/[A-Za-z0-9._@+-]+)*");

  /**
   * The workspace an app in {@code subPath} belongs to, or null (no subPath, no workspace at the
   * root, or the folder is not one of its members: a plain subfolder build as before). Throws
   * {@link IllegalArgumentException} naming the field when a member cannot be built.
   */
  public static Workspace decide(String subPath, AppFiles files) {
    if (subPath == null || files == null || files.root().isEmpty()) {
      return null;
    }
    String app = subPath.replaceAll("^/+|/+$", "");
    if (app.isEmpty()) {
      return null;
    }
    List<String> globs = new ArrayList<>();
    String declared = null;
    String pnpm = files.root().get("pnpm-workspace.yaml");
    if (pnpm != null) {
      globs.addAll(pnpmPackages(pnpm));
      declared = "pnpm-workspace.yaml packages";
    }
    String rootPkg = files.root().get("package.json");
    if (globs.isEmpty() && rootPkg != null && !rootPkg.isEmpty()) {
      globs.addAll(npmWorkspaces(rootPkg));
      declared = "package.json workspaces";
    }
    if (globs.stream().noneMatch(g -> matches(g, app))) {
      return null;
    }
    if (!SAFE_PATH.matcher(app).matches() || app.contains("..")) {
      throw new IllegalArgumentException(
          "spec.source.git.subPath: a workspace member's folder must be a plain relative path: "
              + app);
    }
    String name = null;
    try {
      String pkg = files.text("package.json").orElse(null);
      name = pkg == null ? null : JSON.readTree(pkg).path("name").asText(null);
    } catch (IOException e) {
      name = null;
    }
    if (name == null || !PACKAGE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "spec.source.git.subPath: the workspace member "
              + app
              + " needs a package.json with a valid \"name\" (workspaces select members by name)");
    }
    return new Workspace(
        app, name, "the repository root's " + declared + " lists " + app + " (" + name + ")");
  }

  private static List<String> npmWorkspaces(String text) {
    List<String> out = new ArrayList<>();
    try {
      JsonNode w = JSON.readTree(text).path("workspaces");
      JsonNode list = w.isArray() ? w : w.path("packages");
      list.forEach(g -> out.add(g.asText()));
    } catch (IOException e) {
      return List.of();
    }
    return out;
  }

  /** The {@code packages:} list of pnpm-workspace.yaml (one glob per {@code - } line). */
  private static List<String> pnpmPackages(String text) {
    List<String> out = new ArrayList<>();
    boolean in = false;
    for (String line : text.lines().toList()) {
      String t = line.strip();
      if (!line.startsWith(" ") && !line.startsWith("-") && !t.isEmpty()) {
        in = t.startsWith("packages:");
        continue;
      }
      if (in && t.startsWith("- ")) {
        out.add(t.substring(2).strip().replaceAll("^['\"]|['\"]$", ""));
      }
    }
    return out;
  }

  /** A workspace glob ({@code *} one folder level, {@code **} any) against a folder path. */
  static boolean matches(String glob, String path) {
    String g = glob.replaceAll("^\\./|/+$", "");
    if (g.startsWith("!")) {
      return false;
    }
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < g.length(); i++) {
      char c = g.charAt(i);
      if (c == '*' && i + 1 < g.length() && g.charAt(i + 1) == '*') {
        re.append(".*");
        i++;
      } else if (c == '*') {
        re.append("[^/]*");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return path.matches(re.toString());
  }
}

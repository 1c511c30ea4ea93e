package dev.leanode.validation;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Single-value rules shared by {@link SpecValidator} and the Dockerfile generator (which re-checks
 * every value it writes, as defence in depth). Each method returns the broken rule as a message, or
 * {@code null} when the value is fine.
 */
public final class ValueRules {
  private ValueRules() {}

  /** Characters allowed in a path segment that reaches a Dockerfile COPY. */
  private static final Pattern SAFE_SEGMENT = Pattern.compile("[A-Za-z0-9._@+-]+");

  private static final Pattern NODE_VERSION = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,4}){0,2}");
  private static final Pattern SCRIPT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9:._-]*");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  // Image references, after github.com/distribution/reference (regexp.go).
  private static final Pattern PATH_COMPONENT =
      Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern DOMAIN =
      Pattern.compile(
          "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
              + "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]{1,5})?");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  private static final Pattern DIGEST =
      Pattern.compile("[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}");

  public static final int MAX_TEXT = 4096;

  /**
   * Control characters (C0, DEL, C1 incl. U+0085 NEL), Unicode line/paragraph separators, unpaired
   * surrogates and invisible bidirectional overrides: none of them belongs in a one-line value, and
   * some would end a Dockerfile line or hide what a value really says.
   */
  public static String controlCharProblem(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      int type = Character.getType(c);
      if (type == Character.CONTROL) {
        return String.format(
            Locale.ROOT, "must not contain control characters (found U+%04X)", (int) c);
      }
      if (type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
        return String.format(
            Locale.ROOT, "must not contain line separators (found U+%04X)", (int) c);
      }
      if ((c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')) {
        return String.format(
            Locale.ROOT,
            "must not contain bidirectional control characters (found U+%04X)",
            (int) c);
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
          continue;
        }
        return "must be valid Unicode (unpaired surrogate)";
      }
      if (Character.isLowSurrogate(c)) {
        return "must be valid Unicode (unpaired surrogate)";
      }
    }
    return null;
  }

  /** Free text that reaches the Dockerfile quoted (env values, command elements). */
  public static String textProblem(String value) {
    if (value == null) {
      return "must not be null";
    }
    if (value.length() > MAX_TEXT) {
      return "must be at most " + MAX_TEXT + " characters";
    }
    return controlCharProblem(value);
  }

  /**
   * A path inside the app that a Dockerfile COPY names: relative, plain segments, no globs.
   * Trailing '/' is tolerated (directories) and stripped by the generator.
   */
  private static final java.util.regex.Pattern KEEP_GLOB =
      java.util.regex.Pattern.compile("[A-Za-z0-9._@+*?-]+(/[A-Za-z0-9._@+*?-]+)*");

  /**
   * A {@code spec.app.pruneKeep} glob: relative, at most 256 characters of letters, digits, {@code
   * . _ - @ + / * ?}, no empty, {@code .} or {@code ..} segment, not starting with '-'. It reaches
   * the prune step as a single-quoted shell word, so nothing else may be in it.
   */
  public static String pruneKeepProblem(String glob) {
    if (glob == null || glob.isEmpty()) {
      return "must not be empty";
    }
    if (glob.length() > 256) {
      return "must be at most 256 characters";
    }
    if (glob.startsWith("-")) {
      return "must not start with '-'";
    }
    if (glob.startsWith("/")) {
      return "must be relative to node_modules (no leading '/')";
    }
    if (!KEEP_GLOB.matcher(glob).matches()) {
      return "may contain only letters, digits, '.', '_', '-', '@', '+', '/', '*' and '?', and no"
          + " empty segments";
    }
    for (String segment : glob.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".")) {
        return "must not contain '.' or '..' segments";
      }
    }
    return null;
  }

  public static String copyPathProblem(String path) {
    String basic = relativePathProblem(path);
    if (basic != null) {
      return basic;
    }
    if (path.startsWith("-")) {
      return "must not start with '-'";
    }
    String trimmed = stripTrailingSlash(path);
    for (String segment : trimmed.split("/", -1)) {
      if (segment.equals("..")) {
        return "must be a relative path without '..'";
      }
    }
    for (char c : new char[] {'*', '?', '[', ']', '{', '}'}) {
      if (path.indexOf(c) >= 0) {
        return "must not contain glob characters (* ? [ ] { })";
      }
    }
    for (String segment : trimmed.split("/", -1)) {
      if (segment.isEmpty()) {
        return "must not contain empty segments ('//')";
      }
      if (segment.equals(".")) {
        return "must not contain '.' segments";
      }
      if (!SAFE_SEGMENT.matcher(segment).matches()) {
        return "may contain only letters, digits, '.', '_', '-', '@', '+' and '/'";
      }
    }
    return null;
  }

  /** What every path inside the app must be: non-empty, bounded, printable, relative, no '\\'. */
  private static String relativePathProblem(String path) {
    if (path == null || path.isEmpty()) {
      return "must not be empty";
    }
    if (path.length() > 1024) {
      return "must be at most 1024 characters";
    }
    String control = controlCharProblem(path);
    if (control != null) {
      return control;
    }
    if (path.indexOf('\\') >= 0) {
      return "must not contain backslashes";
    }
    if (path.startsWith("/")) {
      return "must be a relative path (no leading '/')";
    }
    return null;
  }

  /** {@code dist/} to {@code dist}. */
  public static String stripTrailingSlash(String path) {
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  /**
   * A file path inside an inline source: it becomes a ConfigMap volume item path and a file in the
   * build context. The kubelet keeps its own bookkeeping in '..'-prefixed names, and the context
   * init container drops them, so no segment may start with '..'.
   */
  public static String inlinePathProblem(String path) {
    String basic = relativePathProblem(path);
    if (basic != null) {
      return basic;
    }
    for (String segment : path.split("/", -1)) {
      if (segment.startsWith("..")) {
        return "must be a relative path without '..' (no segment may start with '..')";
      }
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty()) {
        return "must not contain empty segments ('//') or end with '/'";
      }
      if (segment.equals(".")) {
        return "must not contain '.' segments";
      }
    }
    return null;
  }

  /** A folder inside a git repository (Kaniko --context-sub-path). */
  public static String subPathProblem(String path) {
    if (path == null || path.isEmpty()) {
      return "must not be empty (omit it for the repository root)";
    }
    if (path.startsWith("/")) {
      return "must be a relative path (no leading '/')";
    }
    if (path.startsWith("-")) {
      return "must not start with '-'";
    }
    String problem = copyPathProblem(path);
    if (problem != null) {
      return problem;
    }
    return null;
  }

  public static String nodeVersionProblem(String v) {
    if (v == null || !NODE_VERSION.matcher(v).matches()) {
      return "must be a Node.js version like 22, 22.11 or 22.11.0";
    }
    return null;
  }

  public static String scriptNameProblem(String s) {
    if (s.length() > 128) {
      return "must be at most 128 characters";
    }
    if (!SCRIPT_NAME.matcher(s).matches()) {
      return "must be a package.json script name: letters, digits, ':', '.', '_', '-', not"
          + " starting with a punctuation character";
    }
    return null;
  }

  public static String envNameProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "must not be empty";
    }
    if (name.length() > 128) {
      return "must be at most 128 characters";
    }
    if (!ENV_NAME.matcher(name).matches()) {
      return "must match [A-Za-z_][A-Za-z0-9_]*";
    }
    return null;
  }

  public static String dns1123SubdomainProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "must not be empty";
    }
    if (name.length() > 253 || !DNS1123_SUBDOMAIN.matcher(name).matches()) {
      return "must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253"
          + " characters, starting and ending with a letter or digit)";
    }
    return null;
  }

  /**
   * An image reference: {@code [host[:port]/]path[:tag][@digest]}.
   *
   * @param allowDigest base images may be pinned by digest; pushed images are pushed by tag
   */
  public static String imageReferenceProblem(String ref, boolean allowDigest) {
    if (ref == null || ref.isEmpty()) {
      return "must not be empty";
    }
    if (ref.length() > 512) {
      return "must be at most 512 characters";
    }
    String control = controlCharProblem(ref);
    if (control != null) {
      return control;
    }
    for (int i = 0; i < ref.length(); i++) {
      if (Character.isWhitespace(ref.charAt(i)) || Character.isSpaceChar(ref.charAt(i))) {
        return "must not contain spaces";
      }
    }
    if (ref.startsWith("-")) {
      return "must not start with '-'";
    }
    String rest = ref;
    int at = rest.indexOf('@');
    if (at >= 0) {
      if (!allowDigest) {
        return "must not contain a digest ('@'): the image is pushed by tag";
      }
      String digest = rest.substring(at + 1);
      if (!DIGEST.matcher(digest).matches()) {
        return "has an invalid digest (expected e.g. sha256:<64 hex>)";
      }
      rest = rest.substring(0, at);
    }
    int slash = rest.lastIndexOf('/');
    int colon = rest.lastIndexOf(':');
    if (colon > slash) {
      String tag = rest.substring(colon + 1);
      if (!TAG.matcher(tag).matches()) {
        return "has an invalid tag (letters, digits, '_', '.', '-', at most 128, not starting"
            + " with '.' or '-')";
      }
      rest = rest.substring(0, colon);
    }
    if (rest.isEmpty()) {
      return "must name a repository";
    }
    if (rest.length() > 255) {
      return "repository name must be at most 255 characters";
    }
    String[] parts = rest.split("/", -1);
    int first = 0;
    if (parts.length > 1
        && (parts[0].contains(".") || parts[0].contains(":") || parts[0].equals("localhost"))) {
      if (!DOMAIN.matcher(parts[0]).matches()) {
        return "has an invalid registry host '" + parts[0] + "'";
      }
      first = 1;
    }
    for (int i = first; i < parts.length; i++) {
      String part = parts[i];
      if (!PATH_COMPONENT.matcher(part).matches()) {
        if (PATH_COMPONENT.matcher(part.toLowerCase(Locale.ROOT)).matches()) {
          return "repository must be lowercase";
        }
        return "is not a valid image reference ([host[:port]/]repository[:tag])";
      }
    }
    return null;
  }

  /** Returns true when the string is 40 hex characters (a full git commit SHA). */
  public static boolean isFullSha(String s) {
    return s != null && s.matches("[0-9a-fA-F]{40}");
  }

  /**
   * git check-ref-format rules, plus what Kaniko's git context needs: no '#' (it separates URL, ref
   * and commit) and no leading '-' (never an option to anything).
   */
  public static String gitRevisionProblem(String rev) {
    if (rev == null || rev.isEmpty()) {
      return "must not be empty (omit it for the remote's HEAD)";
    }
    if (rev.length() > 255) {
      return "must be at most 255 characters";
    }
    if (isFullSha(rev)) {
      return null;
    }
    String control = controlCharProblem(rev);
    if (control != null) {
      return control;
    }
    for (int i = 0; i < rev.length(); i++) {
      char c = rev.charAt(i);
      if (c > 0x7e) {
        return "must be ASCII";
      }
      if (c == ' ') {
        return "must not contain spaces";
      }
      if ("~^:?*[\\#".indexOf(c) >= 0) {
        return "must not contain any of ~ ^ : ? * [ \\ #";
      }
    }
    if (rev.startsWith("-")) {
      return "must not start with '-'";
    }
    if (rev.contains("..")) {
      return "must not contain '..'";
    }
    if (rev.contains("@{") || rev.equals("@")) {
      return "must not be '@' or contain '@{'";
    }
    if (rev.startsWith("/") || rev.endsWith("/") || rev.contains("//")) {
      return "must not start or end with '/' or contain '//'";
    }
    if (rev.endsWith(".")) {
      return "must not end with '.'";
    }
    for (String component : rev.split("/")) {
      if (component.startsWith(".")) {
        return "must not have a component starting with '.'";
      }
      if (component.endsWith(".lock")) {
        return "must not have a component ending with '.lock'";
      }
    }
    return null;
  }
}

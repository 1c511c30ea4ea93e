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
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A validated {@code spec.app} with defaults applied and paths normalized: what the generators
 * write from.
 */
record ResolvedApp(
    String base,
    PackageManager packageManager,
    boolean hasBuild,
    String buildScript,
    List<String> files,
    List<String> command,
    StartCommand start,
    int port,
    Map<String, String> env,
    String caBundlePath,
    String npmrcPath) {
  private static final Pattern SAFE_ABSOLUTE_PATH = Pattern.compile("(/[A-Za-z0-9._-]+)+");

  /** Validates first: a violation throws {@link IllegalArgumentException} naming the field. */
  static ResolvedApp of(SpecValidator validator, AppSpec spec, DockerfileOptions options) {
    return of(validator, spec, options, StartCommand.fromSpec(spec));
  }

  /** With the decided start command: its build script runs, its env is set (the spec's wins). */
  static ResolvedApp of(
      SpecValidator validator, AppSpec spec, DockerfileOptions options, StartCommand start) {
    List<FieldError> errors = validator.validateApp(spec, "spec.app");
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(
          errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
    }
    String ca = safePath("options.caBundlePath", options == null ? null : options.caBundlePath());
    String npmrc = safePath("options.npmrcPath", options == null ? null : options.npmrcPath());
    AppSpec app = spec == null ? new AppSpec() : spec;
    List<String> files = new ArrayList<>();
    if (app.getFiles() != null) {
      for (String f : app.getFiles()) {
        files.add(ValueRules.stripTrailingSlash(f));
      }
    }
    Map<String, String> env = new LinkedHashMap<>(new java.util.TreeMap<>(start.env()));
    if (app.getEnv() != null) {
      for (EnvVar e : app.getEnv()) {
        env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
      }
    }
    String script = app.getBuildScript();
    if ((script == null || script.isEmpty()) && start.buildScript() != null) {
      script = start.buildScript();
    }
    String base = DockerfileGenerator.baseImage(app);
    String digest = options == null ? null : options.baseImageDigest();
    if (digest != null && !base.contains("@")) {
      base = base + "@" + digest;
    }
    return new ResolvedApp(
        base,
        app.getPackageManager() == null ? PackageManager.AUTO : app.getPackageManager(),
        script != null && !script.isEmpty(),
        script,
        files,
        start.command(),
        start,
        app.getPort() == null ? AppSpec.DEFAULT_PORT : app.getPort(),
        env,
        ca,
        npmrc);
  }

  private static String safePath(String what, String path) {
    if (path != null
        && (!SAFE_ABSOLUTE_PATH.matcher(path).matches()
            || path.contains("/../")
            || path.endsWith("/.."))) {
      throw new IllegalArgumentException(
          what + ": must be an absolute path of letters, digits, '.', '_', '-'");
    }
    return path;
  }
}

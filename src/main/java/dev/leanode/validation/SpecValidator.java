package dev.leanode.validation;

import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.BuildSpec;
import dev.leanode.api.v1alpha1.EnvVar;
import dev.leanode.api.v1alpha1.GitSource;
import dev.leanode.api.v1alpha1.InlineSource;
import dev.leanode.api.v1alpha1.LocalObjectRef;
import dev.leanode.api.v1alpha1.NodeAppImageSpec;
import dev.leanode.api.v1alpha1.OutputSpec;
import dev.leanode.api.v1alpha1.Source;
import dev.leanode.api.v1alpha1.VerifySpec;
import dev.leanode.build.BuildLayout;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The authority on what a {@code NodeAppImage} spec may hold. The CRD schema carries patterns too,
 * but it may be older than the operator, so every field is checked here again; every value that
 * later reaches a Dockerfile, a Job argument or a ConfigMap passes these rules first.
 *
 * <p>Pure and stateless: spec in, list of {@link FieldError}s out (empty = valid). Messages name
 * the field by its full path ({@code spec.app.files[2]}) and the rule it breaks.
 */
public final class SpecValidator {
  /** Inline files are stored in a ConfigMap, whose total size Kubernetes limits to 1 MiB. */
  public static final long MAX_INLINE_BYTES = 1024L * 1024L;

  public static final Duration MIN_TIMEOUT = Duration.ofMinutes(1);
  public static final Duration MAX_TIMEOUT = Duration.ofHours(24);
  public static final Duration MIN_VERIFY_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration MAX_VERIFY_TIMEOUT = Duration.ofMinutes(10);
  private static final Pattern VERIFY_PATH = Pattern.compile("/[!-~]*");

  /** Suffix the single-stage comparison image gets on its tag. */
  public static final String SINGLE_STAGE_TAG_SUFFIX = BuildLayout.SINGLE_STAGE_TAG_SUFFIX;

  private static final Pattern TIMEOUT =
      Pattern.compile("(?:([0-9]{1,4})h)?(?:([0-9]{1,5})m)?(?:([0-9]{1,6})s)?");
  private static final Pattern QUANTITY =
      Pattern.compile(
          "(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?");
  private static final Pattern RESOURCE_NAME =
      Pattern.compile(
          "(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

  /** Validates every field of the spec; empty list = valid. */
  public List<FieldError> validate(NodeAppImageSpec spec) {
    List<FieldError> errors = new ArrayList<>();
    if (spec == null) {
      errors.add(new FieldError("spec", "required"));
      return errors;
    }
    validateSource(spec.getSource(), errors);
    errors.addAll(validateApp(spec.getApp(), "spec.app"));
    validateOutput(spec.getOutput(), errors);
    validateBuild(spec.getBuild(), spec.getOutput(), errors);
    validateVerify(spec.getVerify(), errors);
    return errors;
  }

  /** spec.verify: path, port and timeout, each named on its own. */
  private static void validateVerify(VerifySpec verify, List<FieldError> errors) {
    if (verify == null) {
      return;
    }
    String path = verify.getPath();
    if (path != null && !path.isEmpty()) {
      if (path.length() > 256) {
        errors.add(new FieldError("spec.verify.path", "must be at most 256 characters"));
      } else if (!VERIFY_PATH.matcher(path).matches()) {
        errors.add(
            new FieldError(
                "spec.verify.path",
                "must start with / and hold only visible ASCII characters (no spaces), got "
                    + quote(path)));
      }
    }
    Integer port = verify.getPort();
    if (port != null && (port < 1 || port > 65535)) {
      errors.add(new FieldError("spec.verify.port", "must be between 1 and 65535"));
    }
    if (verify.getTimeout() != null && !verify.getTimeout().isEmpty()) {
      Duration d = parseTimeout(verify.getTimeout());
      if (d == null) {
        errors.add(
            new FieldError("spec.verify.timeout", "must be a duration like 30s, 2m or 1m30s"));
      } else if (d.compareTo(MIN_VERIFY_TIMEOUT) < 0 || d.compareTo(MAX_VERIFY_TIMEOUT) > 0) {
        errors.add(new FieldError("spec.verify.timeout", "must be between 5s and 10m"));
      }
    }
  }

  /**
   * The app part alone, under {@code path} (normally {@code spec.app}); the Dockerfile generator
   * runs this too. A null app means all defaults.
   */
  public List<FieldError> validateApp(AppSpec app, String path) {
    List<FieldError> errors = new ArrayList<>();
    if (app == null) {
      return errors;
    }
    if (app.getNodeVersion() != null) {
      add(errors, path + ".nodeVersion", ValueRules.nodeVersionProblem(app.getNodeVersion()));
    }
    if (app.getBaseImage() != null && !app.getBaseImage().isEmpty()) {
      add(errors, path + ".baseImage", ValueRules.imageReferenceProblem(app.getBaseImage(), true));
    }
    if (app.getBuildScript() != null && !app.getBuildScript().isEmpty()) {
      add(errors, path + ".buildScript", ValueRules.scriptNameProblem(app.getBuildScript()));
    }
    List<String> files = app.getFiles();
    if (files != null) {
      if (files.size() > 256) {
        errors.add(new FieldError(path + ".files", "must have at most 256 entries"));
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < files.size(); i++) {
        String field = path + ".files[" + i + "]";
        String file = files.get(i);
        String problem = ValueRules.copyPathProblem(file);
        if (problem != null) {
          errors.add(new FieldError(field, problem));
          continue;
        }
        String normalized = ValueRules.stripTrailingSlash(file);
        if (normalized.equals("node_modules") || normalized.startsWith("node_modules/")) {
          errors.add(
              new FieldError(
                  field,
                  "must not name node_modules: production dependencies come from the deps"
                      + " stage"));
        } else if (!seen.add(normalized)) {
          errors.add(new FieldError(field, "is listed twice"));
        }
      }
    }
    List<String> keep = app.getPruneKeep();
    if (keep != null) {
      if (keep.size() > 64) {
        errors.add(new FieldError(path + ".pruneKeep", "must have at most 64 entries"));
      }
      for (int i = 0; i < keep.size(); i++) {
        add(errors, path + ".pruneKeep[" + i + "]", ValueRules.pruneKeepProblem(keep.get(i)));
      }
    }
    List<String> command = app.getCommand();
    if (command != null && !command.isEmpty()) {
      if (command.size() > 64) {
        errors.add(new FieldError(path + ".command", "must have at most 64 elements"));
      }
      for (int i = 0; i < command.size(); i++) {
        add(errors, path + ".command[" + i + "]", ValueRules.textProblem(command.get(i)));
      }
      if (command.get(0) != null && command.get(0).isBlank()) {
        errors.add(new FieldError(path + ".command[0]", "must name the program to run"));
      }
    }
    if (app.getPort() != null && (app.getPort() < 1 || app.getPort() > 65535)) {
      errors.add(new FieldError(path + ".port", "must be between 1 and 65535"));
    }
    List<EnvVar> env = app.getEnv();
    if (env != null) {
      if (env.size() > 128) {
        errors.add(new FieldError(path + ".env", "must have at most 128 entries"));
      }
      Set<String> names = new HashSet<>();
      for (int i = 0; i < env.size(); i++) {
        EnvVar var = env.get(i);
        String field = path + ".env[" + i + "]";
        if (var == null) {
          errors.add(new FieldError(field, "must not be null"));
          continue;
        }
        String nameProblem = ValueRules.envNameProblem(var.getName());
        if (nameProblem != null) {
          errors.add(new FieldError(field + ".name", nameProblem));
        } else if (var.getName().equals("PORT")) {
          errors.add(
              new FieldError(field + ".name", "PORT is set from spec.app.port; set that instead"));
        } else if (!names.add(var.getName())) {
          errors.add(new FieldError(field + ".name", "is defined twice"));
        }
        if (var.getValue() != null) {
          add(errors, field + ".value", ValueRules.textProblem(var.getValue()));
        }
      }
    }
    return errors;
  }

  private void validateSource(Source source, List<FieldError> errors) {
    if (source == null) {
      errors.add(new FieldError("spec.source", "required: set exactly one of git or inline"));
      return;
    }
    if ((source.getGit() == null) == (source.getInline() == null)) {
      errors.add(new FieldError("spec.source", "must set exactly one of git or inline"));
    }
    if (source.getGit() != null) {
      validateGit(source.getGit(), errors);
    }
    if (source.getInline() != null) {
      validateInline(source.getInline(), errors);
    }
  }

  private void validateGit(GitSource git, List<FieldError> errors) {
    String field = "spec.source.git.url";
    add(errors, field, gitUrlProblem(git.getUrl()));
    if (git.getRevision() != null) {
      add(errors, "spec.source.git.revision", ValueRules.gitRevisionProblem(git.getRevision()));
    }
    if (git.getSubPath() != null) {
      add(errors, "spec.source.git.subPath", ValueRules.subPathProblem(git.getSubPath()));
    }
    validateRef(git.getSecretRef(), "spec.source.git.secretRef", errors);
    if (git.getPollInterval() != null
        && !git.getPollInterval().equals("0")
        && (parseTimeout(git.getPollInterval()) == null
            || parseTimeout(git.getPollInterval()).isZero())) {
      errors.add(
          new FieldError(
              "spec.source.git.pollInterval",
              "must be 0 (never) or a duration like 30s, 5m or 1h"));
    }
  }

  static String gitUrlProblem(String url) {
    if (url == null || url.isEmpty()) {
      return "required";
    }
    if (url.length() > 2048) {
      return "must be at most 2048 characters";
    }
    String control = ValueRules.controlCharProblem(url);
    if (control != null) {
      return control;
    }
    for (int i = 0; i < url.length(); i++) {
      if (Character.isWhitespace(url.charAt(i)) || Character.isSpaceChar(url.charAt(i))) {
        return "must not contain whitespace";
      }
    }
    if (url.startsWith("-")) {
      return "must not start with '-'";
    }
    if (url.indexOf('#') >= 0) {
      return "must not contain '#': Kaniko's git context uses it to separate URL, ref and commit";
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "is not a valid URL: " + e.getReason();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      return "must be an http or https URL (Kaniko's git context cannot clone ssh)";
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return "must name a host";
    }
    if (uri.getRawUserInfo() != null) {
      return "must not embed credentials; use spec.source.git.secretRef";
    }
    if (uri.getRawQuery() != null) {
      return "must not have a query ('?')";
    }
    if (uri.getRawPath() == null || uri.getRawPath().length() <= 1) {
      return "must name a repository path";
    }
    return null;
  }

  private void validateInline(InlineSource inline, List<FieldError> errors) {
    Map<String, String> files = inline.getFiles();
    if (files == null || !files.containsKey("package.json")) {
      errors.add(new FieldError("spec.source.inline.files", "must contain package.json"));
    }
    if (files == null) {
      return;
    }
    long total = 0;
    for (Map.Entry<String, String> e : files.entrySet()) {
      String field = "spec.source.inline.files[" + quote(e.getKey()) + "]";
      add(errors, field, ValueRules.inlinePathProblem(e.getKey()));
      if (e.getValue() == null) {
        errors.add(new FieldError(field, "content must not be null"));
      } else {
        total += e.getValue().getBytes(StandardCharsets.UTF_8).length;
      }
      if (e.getKey() != null) {
        total += e.getKey().getBytes(StandardCharsets.UTF_8).length;
      }
    }
    if (total > MAX_INLINE_BYTES) {
      errors.add(
          new FieldError(
              "spec.source.inline.files",
              "total size " + total + " bytes exceeds 1 MiB (ConfigMap limit); use a git source"));
    }
  }

  private void validateOutput(OutputSpec output, List<FieldError> errors) {
    if (output == null) {
      errors.add(new FieldError("spec.output", "required"));
      return;
    }
    add(errors, "spec.output.image", ValueRules.imageReferenceProblem(output.getImage(), false));
    validateRef(output.getPushSecretRef(), "spec.output.pushSecretRef", errors);
    if (output.getSizeBudget() != null) {
      add(errors, "spec.output.sizeBudget", sizeBudgetProblem(output.getSizeBudget()));
    }
  }

  /** A sizeBudget: a Kubernetes quantity of at least one byte, no milli-bytes. */
  public static String sizeBudgetProblem(String budget) {
    String rule = "must be a Kubernetes quantity of bytes, e.g. 80Mi, 120M or 50000000";
    if (budget.isEmpty() || budget.length() > 32 || !QUANTITY.matcher(budget).matches()) {
      return rule;
    }
    if (budget.endsWith("m")) {
      return rule + " (m is milli: use Mi or M for megabytes)";
    }
    Long bytes = sizeBudgetBytes(budget);
    if (bytes == null || bytes < 1) {
      return rule + " (at least 1 byte, at most 8Ei)";
    }
    return null;
  }

  /** The budget in bytes (rounded up), or null when it is not a valid quantity. */
  public static Long sizeBudgetBytes(String budget) {
    if (budget == null || !QUANTITY.matcher(budget).matches()) {
      return null;
    }
    try {
      BigDecimal amount =
          io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
              new io.fabric8.kubernetes.api.model.Quantity(budget));
      return amount.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    } catch (ArithmeticException | IllegalArgumentException e) {
      return null;
    }
  }

  private void validateBuild(BuildSpec build, OutputSpec output, List<FieldError> errors) {
    if (build == null) {
      return;
    }
    if (build.getTimeout() != null) {
      add(errors, "spec.build.timeout", timeoutProblem(build.getTimeout()));
    }
    if (Boolean.TRUE.equals(build.getCompareSingleStage())
        && output != null
        && output.getImage() != null
        && ValueRules.imageReferenceProblem(output.getImage(), false) == null) {
      String tag = tagOf(output.getImage());
      if (tag.length() + SINGLE_STAGE_TAG_SUFFIX.length() > 128) {
        errors.add(
            new FieldError(
                "spec.output.image",
                "tag must be at most "
                    + (128 - SINGLE_STAGE_TAG_SUFFIX.length())
                    + " characters with build.compareSingleStage (the comparison image is"
                    + " tagged <tag>"
                    + SINGLE_STAGE_TAG_SUFFIX
                    + ")"));
      }
    }
    validateResources(build.getResources(), errors);
    validateRef(build.getBaseImagePullSecretRef(), "spec.build.baseImagePullSecretRef", errors);
    validateRef(build.getNpmrcSecretRef(), "spec.build.npmrcSecretRef", errors);
  }

  private static String tagOf(String image) {
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    return colon > slash ? image.substring(colon + 1) : "latest";
  }

  private void validateResources(ResourceRequirements resources, List<FieldError> errors) {
    if (resources == null) {
      return;
    }
    String base = "spec.build.resources";
    Map<String, BigDecimal> requests =
        quantities(resources.getRequests(), base + ".requests", errors);
    Map<String, BigDecimal> limits = quantities(resources.getLimits(), base + ".limits", errors);
    for (Map.Entry<String, BigDecimal> r : requests.entrySet()) {
      BigDecimal limit = limits.get(r.getKey());
      if (limit != null && r.getValue().compareTo(limit) > 0) {
        errors.add(
            new FieldError(base + ".requests." + r.getKey(), "must not be greater than the limit"));
      }
    }
    if (resources.getClaims() != null && !resources.getClaims().isEmpty()) {
      errors.add(new FieldError(base + ".claims", "is not supported for build pods"));
    }
  }

  private static Map<String, BigDecimal> quantities(
      Map<String, Quantity> map, String field, List<FieldError> errors) {
    Map<String, BigDecimal> parsed = new java.util.LinkedHashMap<>();
    if (map == null) {
      return parsed;
    }
    for (Map.Entry<String, Quantity> e : map.entrySet()) {
      String name = e.getKey();
      if (name == null || name.length() > 253 || !RESOURCE_NAME.matcher(name).matches()) {
        errors.add(new FieldError(field, "has an invalid resource name " + quote(name)));
        continue;
      }
      String f = field + "." + name;
      Quantity q = e.getValue();
      String text = q == null ? null : q.toString();
      if (text == null || text.isEmpty() || !QUANTITY.matcher(text).matches()) {
        errors.add(
            new FieldError(
                f, "must be a non-negative Kubernetes quantity, e.g. 500m, 1, 512Mi, 2Gi"));
        continue;
      }
      try {
        parsed.put(name, Quantity.getAmountInBytes(q));
      } catch (RuntimeException ex) {
        errors.add(new FieldError(f, "is not a parseable quantity"));
      }
    }
    return parsed;
  }

  /** Problem with a build.timeout value, or null. */
  public static String timeoutProblem(String timeout) {
    Duration d = parseTimeout(timeout);
    if (d == null) {
      return "must be a duration like 90s, 20m, 1h or 1h30m";
    }
    if (d.compareTo(MIN_TIMEOUT) < 0 || d.compareTo(MAX_TIMEOUT) > 0) {
      return "must be between 1m and 24h";
    }
    return null;
  }

  /**
   * Parses the Go-style durations the CRD admits ({@code 1h30m}, {@code 20m}, {@code 90s}); null
   * when the text is not one.
   */
  public static Duration parseTimeout(String timeout) {
    if (timeout == null || timeout.isEmpty()) {
      return null;
    }
    Matcher m = TIMEOUT.matcher(timeout);
    if (!m.matches()) {
      return null;
    }
    Duration d = Duration.ZERO;
    if (m.group(1) != null) {
      d = d.plusHours(Long.parseLong(m.group(1)));
    }
    if (m.group(2) != null) {
      d = d.plusMinutes(Long.parseLong(m.group(2)));
    }
    if (m.group(3) != null) {
      d = d.plusSeconds(Long.parseLong(m.group(3)));
    }
    return d;
  }

  private static void validateRef(LocalObjectRef ref, String field, List<FieldError> errors) {
    if (ref == null) {
      return;
    }
    add(errors, field + ".name", ValueRules.dns1123SubdomainProblem(ref.getName()));
  }

  private static void add(List<FieldError> errors, String field, String problem) {
    if (problem != null) {
      errors.add(new FieldError(field, problem));
    }
  }

  /** JSON-style quoting so a hostile map key cannot garble the message it appears in. */
  static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (b.length() > 130) {
      b.setLength(120);
      b.append("...");
    }
    return b.append('"').toString();
  }
}

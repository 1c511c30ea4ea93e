package dev.leanode.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.leanode.api.v1alpha1.LocalObjectRef;
import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.config.BuildSettings;
import dev.leanode.source.GitCredentials;
import dev.leanode.source.ResolvedSource;
import dev.leanode.validation.FieldError;
import dev.leanode.validation.SpecValidator;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Volume;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hostile-input fuzzing of validator + {@link KanikoBuildRunner#plan}: the Job side of the
 * injection story (the Dockerfile side is {@code HostileInputFuzzTest}). A seeded loop, rerun one
 * with {@code -Dleanode.fuzz.seed=N}.
 *
 * <p>Property, for every value of every field family that reaches the Job or its ConfigMap: either
 * the validator rejects the spec with errors naming exactly the mutated field, or the plan's
 * executor argument lists have exactly the flags of a benign spec of the same shape (same names,
 * same order, same count, every element {@code --flag=value} with a known flag or a known bare
 * flag, no whitespace or control character in any element), the mutated value arrives verbatim as
 * one flag value, the env has the same names, every ConfigMap key is a valid key, and every inline
 * file lands inside the build context.
 */
class JobArgumentsFuzzTest {
  static final int CASES_PER_FAMILY = 2_000;
  static final long SEED = Long.getLong("leanode.fuzz.seed", 0x10b5eedL);
  static final Map<Family, int[]> COUNTS = new EnumMap<>(Family.class); // {cases, rejected}
  static final AtomicInteger TOTAL = new AtomicInteger();

  static final Pattern CONFIGMAP_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
  static final Pattern UNSAFE = Pattern.compile("[\\s\\p{Cntrl}\\u0085\\u2028\\u2029]");
  static final List<String> VALUE_FLAGS =
      List.of(
          "--dockerfile",
          "--context",
          "--context-sub-path",
          "--destination",
          "--digest-file",
          "--cache",
          "--cache-repo",
          "--registry-certificate");
  static final List<String> BARE_FLAGS = List.of("--insecure", "--skip-tls-verify");

  static final String[] HOSTILE = {
    "\n",
    "\r",
    "\r\n",
    "\t",
    " ",
    "\u0000",
    "\u0001",
    "\u001b[2K",
    "\u007f",
    "\u0085",
    "\u00a0",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u202e",
    "\u3000",
    "\ufeff",
    "\ud800",
    "\\",
    "\"",
    "'",
    "`id`",
    "$(id)",
    "${HOME}",
    "$",
    ";",
    "&&",
    "|",
    ">",
    "<",
    "*",
    "?",
    "#",
    "#x",
    "@",
    "@sha256:",
    ":",
    "=",
    "==",
    "--insecure",
    " --insecure",
    "=--insecure",
    "--skip-tls-verify",
    "--flag",
    "-",
    "-x",
    "..",
    "../",
    "/..",
    "/",
    "//",
    "./",
    ".",
    "/etc/passwd",
    "..data",
    "..2026_11_28",
    "~",
    "%2e%2e",
    "%00",
    "é",
    "✓",
    "\uD83D\uDE00",
    "ﬁ",
    "İ",
    "A",
    "UPPER",
    "x_y",
    "a.b",
    "a-b",
    "0",
    "9"
  };
  static final String[] BENIGN = {
    "a", "app", "web", "v1", "x.y", "b-c", "1", "22", "main", "api", "lib", "z9"
  };

  enum Family {
    OUTPUT_IMAGE("spec.output.image"),
    GIT_URL("spec.source.git.url"),
    GIT_REVISION("spec.source.git.revision"),
    GIT_SUB_PATH("spec.source.git.subPath"),
    PUSH_SECRET_NAME("spec.output.pushSecretRef.name"),
    GIT_SECRET_NAME("spec.source.git.secretRef.name"),
    BUILD_TIMEOUT("spec.build.timeout"),
    INLINE_FILE_PATH("spec.source.inline.files[");

    final String field;

    Family(String field) {
      this.field = field;
    }
  }

  final SpecValidator validator = new SpecValidator();
  final KanikoBuildRunner runner = new KanikoBuildRunner();

  @AfterAll
  static void report() {
    StringBuilder b = new StringBuilder("job-arguments fuzz: ");
    COUNTS.forEach(
        (f, c) ->
            b.append(f)
                .append(' ')
                .append(c[0])
                .append(" (")
                .append(c[0] - c[1])
                .append(" accepted), "));
    b.append("total ").append(TOTAL.get()).append(" cases, seed ").append(SEED);
    System.out.println(b);
  }

  // ------------------------------------------------------------------ generators

  static String hostile(Random r) {
    if (r.nextInt(60) == 0) {
      return "a".repeat(300 + r.nextInt(3_000)) + HOSTILE[r.nextInt(HOSTILE.length)];
    }
    StringBuilder b = new StringBuilder();
    int parts = 1 + r.nextInt(5);
    for (int i = 0; i < parts; i++) {
      int pick = r.nextInt(10);
      if (pick < 5) {
        b.append(HOSTILE[r.nextInt(HOSTILE.length)]);
      } else if (pick < 9) {
        b.append(BENIGN[r.nextInt(BENIGN.length)]);
      } else {
        b.append((char) r.nextInt(0x3000));
      }
    }
    return b.toString();
  }

  static String mostlyLike(Random r, String... shapes) {
    String s = shapes[r.nextInt(shapes.length)];
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '%') {
        b.append(r.nextInt(3) == 0 ? hostile(r) : BENIGN[r.nextInt(BENIGN.length)]);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  static String value(Family family, Random r) {
    if (r.nextInt(4) == 0) {
      return hostile(r);
    }
    return switch (family) {
      case OUTPUT_IMAGE ->
          mostlyLike(
              r,
              "registry.example.com/%/%:%",
              "%/%:%",
              "localhost:5000/%",
              "%.io/%/%",
              "registry.example.com/team/app:%",
              "registry.example.com:%/app:1",
              "%@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
      case GIT_URL ->
          mostlyLike(
              r,
              "https://git.example.com/%/%.git",
              "http://%/%",
              "https://%@git.example.com/a.git",
              "https://git.example.com/%?%",
              "https://git.example.com:%/a.git",
              "ssh://%/a.git",
              "file:///%",
              "https://git.example.com/a.git#%");
      case GIT_REVISION -> mostlyLike(r, "%", "refs/heads/%", "v%.%", "release/%", "%~1", "%^{}");
      case GIT_SUB_PATH, INLINE_FILE_PATH ->
          mostlyLike(r, "%", "%/%", "%/%/%.js", "./%", "%/../%", "/%", "%//%", "%/");
      case PUSH_SECRET_NAME, GIT_SECRET_NAME -> mostlyLike(r, "%", "%-%", "%.%", "regcred%");
      case BUILD_TIMEOUT ->
          mostlyLike(r, "%m", "%h%m", "%s", "%", "1h%", "-%m", "%0m", "99999h", "0s", "25h");
    };
  }

  // ------------------------------------------------------------------ the spec under test

  record Shape(NodeAppImage resource, BiConsumer<NodeAppImage, String> apply) {}

  static Shape shape(Family family, Random r) {
    boolean git =
        switch (family) {
          case GIT_URL, GIT_REVISION, GIT_SUB_PATH, GIT_SECRET_NAME -> true;
          case INLINE_FILE_PATH -> false;
          default -> r.nextBoolean();
        };
    NodeAppImage resource =
        git ? BuildFixtures.gitResource("fuzz") : BuildFixtures.resource("fuzz");
    // the optional flags vary too, so each flag list shape is exercised
    resource.getSpec().getOutput().setInsecure(r.nextInt(4) == 0);
    resource.getSpec().getBuild().setCache(r.nextBoolean());
    resource.getSpec().getBuild().setCompareSingleStage(r.nextInt(3) == 0);
    BiConsumer<NodeAppImage, String> apply =
        switch (family) {
          case OUTPUT_IMAGE -> (n, v) -> n.getSpec().getOutput().setImage(v);
          case GIT_URL -> (n, v) -> n.getSpec().getSource().getGit().setUrl(v);
          case GIT_REVISION -> (n, v) -> n.getSpec().getSource().getGit().setRevision(v);
          case GIT_SUB_PATH -> (n, v) -> n.getSpec().getSource().getGit().setSubPath(v);
          case PUSH_SECRET_NAME ->
              (n, v) -> n.getSpec().getOutput().setPushSecretRef(new LocalObjectRef(v));
          case GIT_SECRET_NAME ->
              (n, v) -> n.getSpec().getSource().getGit().setSecretRef(new LocalObjectRef(v));
          case BUILD_TIMEOUT -> (n, v) -> n.getSpec().getBuild().setTimeout(v);
          case INLINE_FILE_PATH ->
              (n, v) -> {
                Map<String, String> files =
                    new LinkedHashMap<>(n.getSpec().getSource().getInline().getFiles());
                files.put(v, "hostile\n");
                n.getSpec().getSource().getInline().setFiles(files);
              };
        };
    return new Shape(resource, apply);
  }

  static String benign(Family family) {
    return switch (family) {
      case OUTPUT_IMAGE -> "registry.example.com/team/benign:1";
      case GIT_URL -> "https://git.example.com/acme/benign.git";
      case GIT_REVISION -> "main";
      case GIT_SUB_PATH -> "apps/benign";
      case PUSH_SECRET_NAME -> "benign-push";
      case GIT_SECRET_NAME -> "benign-git";
      case BUILD_TIMEOUT -> "30m";
      case INLINE_FILE_PATH -> "src/benign.js";
    };
  }

  /** What the reconciler hands the runner for a validated spec (the resolver's ref mapping). */
  static BuildRequest request(NodeAppImage n) {
    var spec = n.getSpec();
    ResolvedSource source;
    if (spec.getSource().getGit() != null) {
      var git = spec.getSource().getGit();
      String rev = git.getRevision();
      String ref =
          rev == null || rev.matches("[0-9a-fA-F]{40}")
              ? null
              : rev.startsWith("refs/") ? rev : "refs/heads/" + rev;
      source =
          new ResolvedSource.Git(
              git.getUrl(),
              ref,
              BuildFixtures.COMMIT,
              git.getSubPath(),
              git.getSecretRef() == null ? null : git.getSecretRef().getName(),
              GitCredentials.Layout.USERNAME_PASSWORD);
    } else {
      source = new ResolvedSource.Inline(new TreeMap<>(spec.getSource().getInline().getFiles()));
    }
    boolean single = Boolean.TRUE.equals(spec.getBuild().getCompareSingleStage());
    return new BuildRequest(
        n,
        BuildFixtures.DOCKERFILE,
        single ? BuildFixtures.SINGLE_STAGE : null,
        source,
        spec.getOutput().getPushSecretRef() == null
            ? null
            : spec.getOutput().getPushSecretRef().getName(),
        BuildSettings.defaults()
            .withCaBundlePem("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"));
  }

  // ------------------------------------------------------------------ the property

  @ParameterizedTest
  @EnumSource(Family.class)
  void hostileValuesAreRejectedOrReachTheJobAsOneFlagValue(Family family) {
    Random r = new Random(SEED ^ (family.ordinal() + 1) * 0x9E3779B97F4A7C15L);
    int[] counts = new int[2];
    COUNTS.put(family, counts);
    for (int i = 0; i < CASES_PER_FAMILY; i++) {
      String value = value(family, r);
      Shape shape = shape(family, r);
      counts[0]++;
      TOTAL.incrementAndGet();
      NodeAppImage hostile = BuildFixtures.clone(shape.resource());
      shape.apply().accept(hostile, value);
      List<FieldError> errors = validator.validate(hostile.getSpec());
      if (!errors.isEmpty()) {
        counts[1]++;
        assertThat(errors)
            .as("value %s", q(value))
            .allSatisfy(e -> assertThat(e.field()).startsWith(family.field));
        continue;
      }
      NodeAppImage benign = BuildFixtures.clone(shape.resource());
      shape.apply().accept(benign, benign(family));
      assertThat(validator.validate(benign.getSpec())).isEmpty();
      try {
        check(family, value, runner.plan(request(hostile)), runner.plan(request(benign)));
      } catch (AssertionError | RuntimeException e) {
        fail("accepted value " + q(value) + " (" + family + ") broke the Job: " + e, e);
      }
    }
    assertThat(counts[0]).isGreaterThanOrEqualTo(1_000);
  }

  static void check(Family family, String value, BuildPlan plan, BuildPlan benign) {
    var pod = plan.job().getSpec().getTemplate().getSpec();
    var benignPod = benign.job().getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers()).hasSameSizeAs(benignPod.getContainers());
    for (int c = 0; c < pod.getContainers().size(); c++) {
      Container container = pod.getContainers().get(c);
      Container benignContainer = benignPod.getContainers().get(c);
      assertThat(container.getName()).isEqualTo(benignContainer.getName());
      assertThat(container.getCommand()).isEqualTo(benignContainer.getCommand());
      List<String> args = container.getArgs();
      assertThat(flagNames(args)).isEqualTo(flagNames(benignContainer.getArgs()));
      for (String arg : args) {
        assertThat(UNSAFE.matcher(arg).find()).as("whitespace/control in %s", q(arg)).isFalse();
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        assertThat(arg.contains("=") ? VALUE_FLAGS.contains(name) : BARE_FLAGS.contains(name))
            .as("unknown flag in %s", q(arg))
            .isTrue();
        // a value never smuggles a second flag in: "--a=x --b" is one element, and no element
        // holds whitespace (checked above), so the executor's flag parser sees one flag
      }
      List<String> expectedEnv = new ArrayList<>(envNames(benignContainer));
      if (family == Family.GIT_URL) {
        // plain-http clone URLs switch Kaniko's pull method; nothing else about the env varies
        expectedEnv.remove("GIT_PULL_METHOD");
        if (value.regionMatches(true, 0, "http://", 0, 7)) {
          expectedEnv.add(0, "GIT_PULL_METHOD");
        }
      }
      assertThat(envNames(container)).isEqualTo(expectedEnv);
    }
    List<String> kaniko = pod.getContainers().get(0).getArgs();
    switch (family) {
      case OUTPUT_IMAGE -> assertThat(kaniko).contains("--destination=" + value);
      case GIT_SUB_PATH -> assertThat(kaniko).contains("--context-sub-path=" + value);
      case GIT_URL ->
          assertThat(kaniko)
              .contains(
                  "--context=git://"
                      + value.substring(value.indexOf("://") + 3)
                      + "#refs/heads/main#"
                      + BuildFixtures.COMMIT);
      case GIT_REVISION ->
          assertThat(kaniko)
              .anyMatch(
                  a ->
                      a.startsWith("--context=git://")
                          && a.endsWith("#" + BuildFixtures.COMMIT)
                          && a.chars().filter(ch -> ch == '#').count() == 2);
      case BUILD_TIMEOUT ->
          assertThat(plan.job().getSpec().getActiveDeadlineSeconds())
              .isEqualTo(SpecValidator.parseTimeout(value).toSeconds());
      case PUSH_SECRET_NAME ->
          assertThat(pod.getVolumes())
              .filteredOn(v -> v.getSecret() != null)
              .singleElement()
              .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo(value));
      case GIT_SECRET_NAME ->
          assertThat(pod.getContainers().get(0).getEnv())
              .filteredOn(e -> e.getValueFrom() != null)
              .allSatisfy(
                  e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(value));
      case INLINE_FILE_PATH -> assertThat(inlinePaths(plan)).contains(value);
    }

    // ConfigMap keys and where every projected file lands
    assertThat(plan.configMap().getData().keySet())
        .allSatisfy(
            k -> {
              assertThat(k).matches(CONFIGMAP_KEY).hasSizeLessThanOrEqualTo(253);
              assertThat(k).isNotIn(".", "..").doesNotStartWith("..");
            });
    assertThat(plan.configMap().getData()).hasSameSizeAs(benign.configMap().getData());
    for (Volume v : pod.getVolumes()) {
      if (v.getConfigMap() == null) {
        continue;
      }
      for (KeyToPath item : v.getConfigMap().getItems()) {
        assertThat(plan.configMap().getData()).containsKey(item.getKey());
        String path = item.getPath();
        assertThat(path).doesNotStartWith("/").doesNotStartWith("..");
        assertThat(Path.of(path).normalize().toString()).isEqualTo(path);
        Path landed = Path.of(BuildLayout.CONTEXT_DIR).resolve(path).normalize();
        assertThat(landed.startsWith(Path.of(BuildLayout.CONTEXT_DIR)))
            .as("%s lands outside the context", q(path))
            .isTrue();
        for (String segment : path.split("/")) {
          assertThat(segment).doesNotStartWith(".."); // the kubelet's own names
        }
      }
    }
    // the init container's command never carries user data
    assertThat(pod.getInitContainers())
        .allSatisfy(
            init ->
                assertThat(init.getCommand())
                    .containsExactly(
                        "sh",
                        "-c",
                        "cp -RL /leanode/inline/. /workspace/ && rm -rf /workspace/..?*"));
  }

  static List<String> flagNames(List<String> args) {
    List<String> names = new ArrayList<>();
    for (String a : args) {
      names.add(a.contains("=") ? a.substring(0, a.indexOf('=')) : a);
    }
    return names;
  }

  static List<String> envNames(Container c) {
    return c.getEnv().stream().map(e -> e.getName()).toList();
  }

  static List<String> inlinePaths(BuildPlan plan) {
    return plan.job().getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> "inline".equals(v.getName()))
        .flatMap(v -> v.getConfigMap().getItems().stream())
        .map(KeyToPath::getPath)
        .toList();
  }

  static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    String shown = s.length() > 120 ? s.substring(0, 120) + "…(" + s.length() + ")" : s;
    for (char c : shown.toCharArray()) {
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}

package dev.leanode.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.EnvVar;
import dev.leanode.api.v1alpha1.GitSource;
import dev.leanode.api.v1alpha1.NodeAppImageSpec;
import dev.leanode.api.v1alpha1.OutputSpec;
import dev.leanode.api.v1alpha1.Source;
import dev.leanode.dockerfile.ParsedDockerfile.Instruction;
import dev.leanode.validation.FieldError;
import dev.leanode.validation.SpecValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hostile-input fuzzing of validator + generator, as a seeded generator loop (reproducible: the
 * seed is printed; rerun one with {@code -Dleanode.fuzz.seed=N}).
 *
 * <p>Property, for every value of every field family: either the validator rejects the spec with
 * errors naming exactly the mutated field, or every generated Dockerfile (lean, single-stage, seed
 * multi-stage) has exactly the instruction keyword sequence of a benign spec of the same shape, its
 * ENV values and CMD read back to the spec's values, and no COPY source or destination leaves the
 * context or the app folder.
 */
class HostileInputFuzzTest {
  static final int CASES_PER_FAMILY = 2_000;
  static final long SEED = Long.getLong("leanode.fuzz.seed", 0x1ea40deL);
  static final AtomicInteger CASES = new AtomicInteger();
  static final AtomicInteger REJECTED = new AtomicInteger();
  static final ObjectMapper JSON = new ObjectMapper();

  static final String[] HOSTILE = {
    "\n",
    "\r",
    "\r\n",
    "\\",
    "\\\n",
    "\"",
    "'",
    "$(id)",
    "`id`",
    "${HOME}",
    "$HOME",
    "$",
    "--flag",
    "--insecure",
    "-",
    "\u0000",
    "\u0001",
    "\u001b[2K",
    "\u007f",
    "\u0085",
    "\u2028",
    "\u2029",
    "\u200f",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\ud800",
    "\udc00",
    "..",
    "../",
    "/..",
    "/",
    "/etc/passwd",
    "*",
    "?",
    "[",
    "]",
    "{",
    "}",
    " ",
    "\t",
    "#",
    "# comment",
    "\nRUN evil",
    "\nUSER root",
    " AS x",
    "@sha256:",
    ":",
    ";",
    "&&",
    "|",
    "=",
    "~",
    "%",
    "é",
    "✓",
    "\uD83D\uDE00",
    "ﬁ",
    "İ",
    "\u00a0",
    "\u3000",
    "\\\"",
    "\\$",
    "'\\''",
    ",",
    "]\nRUN x",
    "\"]\nRUN [\"x"
  };
  static final String[] BENIGN = {
    "a", "dist", "node", "22", "index.js", "x.y", "lib", "_", "b-c", "v1", "0", "build", "A", "Z9"
  };

  enum Family {
    PATHS,
    SCRIPT_NAMES,
    ENV_NAMES,
    ENV_VALUES,
    COMMAND_ELEMENTS,
    NODE_VERSIONS,
    BASE_IMAGES,
    PORTS,
    OUTPUT_IMAGES,
    PRUNE_KEEP
  }

  final SpecValidator validator = new SpecValidator();
  final DockerfileGenerator generator = new DockerfileGenerator();

  @AfterAll
  static void report() {
    System.out.println(
        "fuzz: "
            + CASES.get()
            + " cases ("
            + REJECTED.get()
            + " rejected by the validator, "
            + (CASES.get() - REJECTED.get())
            + " generated and checked), seed "
            + SEED);
  }

  static String hostile(Random r) {
    if (r.nextInt(50) == 0) {
      return "a".repeat(4_000 + r.nextInt(3_000)) + HOSTILE[r.nextInt(HOSTILE.length)];
    }
    StringBuilder b = new StringBuilder();
    int parts = 1 + r.nextInt(6);
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

  static String imageLike(Random r) {
    String[] parts = {"node", "registry.io", "localhost:5000", "Team", "app", "22-alpine", "x_y"};
    StringBuilder b = new StringBuilder();
    int n = 1 + r.nextInt(4);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.append(r.nextInt(4) == 0 ? ":" : "/");
      }
      b.append(r.nextBoolean() ? parts[r.nextInt(parts.length)] : hostile(r));
    }
    if (r.nextInt(3) == 0) {
      b.append("@sha256:").append("0123456789abcdef".repeat(4));
    }
    return b.toString();
  }

  record Injection(String field, BiConsumer<NodeAppImageSpec, Object> apply, Object benign) {}

  static Injection injection(Family family, Random r) {
    return switch (family) {
      case PATHS ->
          new Injection(
              "spec.app.files[0]",
              (s, v) -> s.getApp().setFiles(new ArrayList<>(List.of((String) v))),
              "dist");
      case SCRIPT_NAMES ->
          new Injection(
              "spec.app.buildScript", (s, v) -> s.getApp().setBuildScript((String) v), "build");
      case ENV_NAMES ->
          new Injection(
              "spec.app.env[0].name",
              (s, v) -> s.getApp().setEnv(new ArrayList<>(List.of(new EnvVar((String) v, "x")))),
              "FOO");
      case ENV_VALUES -> {
        String name = r.nextInt(4) == 0 ? "NODE_OPTIONS" : "FOO";
        yield new Injection(
            "spec.app.env[0].value",
            (s, v) -> s.getApp().setEnv(new ArrayList<>(List.of(new EnvVar(name, (String) v)))),
            "x");
      }
      case COMMAND_ELEMENTS ->
          new Injection(
              "spec.app.command[1]",
              (s, v) -> s.getApp().setCommand(new ArrayList<>(List.of("node", (String) v))),
              "x");
      case NODE_VERSIONS ->
          new Injection(
              "spec.app.nodeVersion", (s, v) -> s.getApp().setNodeVersion((String) v), "22");
      case BASE_IMAGES ->
          new Injection(
              "spec.app.baseImage",
              (s, v) -> s.getApp().setBaseImage((String) v),
              "node:22-alpine");
      case PORTS -> new Injection("spec.app.port", (s, v) -> s.getApp().setPort((Integer) v), 3000);
      case OUTPUT_IMAGES ->
          new Injection("spec.output.image", (s, v) -> s.getOutput().setImage((String) v), "app:1");
      case PRUNE_KEEP ->
          new Injection(
              "spec.app.pruneKeep[0]",
              (s, v) -> s.getApp().setPruneKeep(new ArrayList<>(List.of((String) v))),
              "mime-db/db.json");
    };
  }

  static Object value(Family family, Random r) {
    return switch (family) {
      case PORTS -> {
        int[] edges = {0, -1, 1, 65535, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE, 80, 3000};
        yield r.nextBoolean() ? edges[r.nextInt(edges.length)] : r.nextInt(140_000) - 5_000;
      }
      case BASE_IMAGES, OUTPUT_IMAGES -> r.nextBoolean() ? imageLike(r) : hostile(r);
      default -> hostile(r);
    };
  }

  static NodeAppImageSpec baseSpec() {
    NodeAppImageSpec spec = new NodeAppImageSpec();
    Source source = new Source();
    GitSource git = new GitSource();
    git.setUrl("https://git.example.com/acme/app.git");
    source.setGit(git);
    spec.setSource(source);
    spec.setApp(new AppSpec());
    OutputSpec out = new OutputSpec();
    out.setImage("registry.example.com/acme/app:1");
    spec.setOutput(out);
    return spec;
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void hostileValuesAreRejectedOrHarmless(Family family) {
    Random r = new Random(SEED ^ family.ordinal() * 0x9E3779B97F4A7C15L);
    for (int i = 0; i < CASES_PER_FAMILY; i++) {
      Object value = value(family, r);
      Injection injection = injection(family, r);
      CASES.incrementAndGet();
      NodeAppImageSpec spec = baseSpec();
      injection.apply().accept(spec, value);
      List<FieldError> errors = validator.validate(spec);
      if (!errors.isEmpty()) {
        REJECTED.incrementAndGet();
        assertThat(errors)
            .as("value %s", SpecValidatorQuote.q(value))
            .extracting(FieldError::field)
            .containsOnly(injection.field());
        continue;
      }
      NodeAppImageSpec benign = baseSpec();
      injection.apply().accept(benign, injection.benign());
      assertThat(validator.validate(benign)).isEmpty();
      try {
        check(spec.getApp(), benign.getApp(), value);
      } catch (AssertionError | RuntimeException e) {
        fail("accepted value " + SpecValidatorQuote.q(value) + " broke the Dockerfile: " + e, e);
      }
    }
  }

  void check(AppSpec app, AppSpec benign, Object value) {
    for (DockerfileOptions options :
        List.of(DockerfileOptions.none(), DockerfileOptions.withCaBundle())) {
      compare(generator.generate(app, options), generator.generate(benign, options), app, true);
      compare(
          generator.generateSingleStage(app, options),
          generator.generateSingleStage(benign, options),
          app,
          false);
      compare(
          generator.generateSeedMultiStage(app, options),
          generator.generateSeedMultiStage(benign, options),
          app,
          false);
    }
  }

  static void compare(String dockerfile, String benignDockerfile, AppSpec app, boolean lean) {
    for (int i = 0; i < dockerfile.length(); i++) {
      char c = dockerfile.charAt(i);
      assertThat(c == '\n' || (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f)))
          .as("control character U+%04X in the Dockerfile", (int) c)
          .isTrue();
      assertThat(c != '\u2028' && c != '\u2029').isTrue();
    }
    ParsedDockerfile parsed = ParsedDockerfile.parse(dockerfile);
    ParsedDockerfile expected = ParsedDockerfile.parse(benignDockerfile);
    assertThat(parsed.keywords()).isEqualTo(expected.keywords());
    String base = DockerfileGenerator.baseImage(app);
    for (Instruction i : parsed.instructions()) {
      switch (i.keyword()) {
        case "FROM" ->
            assertThat(i.args()).matches(java.util.regex.Pattern.quote(base) + "( AS [a-z]+)?");
        case "COPY" -> checkCopy(i.args());
        case "EXPOSE" -> assertThat(i.args()).isEqualTo(String.valueOf(port(app)));
        case "CMD" -> {
          List<String> cmd = readJson(i.args());
          List<String> want =
              app.getCommand() == null || app.getCommand().isEmpty() ? null : app.getCommand();
          if (want != null) {
            assertThat(cmd).isEqualTo(want);
          }
        }
        case "USER" -> assertThat(i.args()).isEqualTo(DockerfileGenerator.USER);
        default -> {}
      }
    }
    if (lean) {
      checkFinalEnv(parsed.finalStage(), app);
      if (app.getBuildScript() != null && !app.getBuildScript().isEmpty()) {
        assertThat(dockerfile).contains(" run '" + app.getBuildScript() + "'");
      }
    }
  }

  static int port(AppSpec app) {
    return app.getPort() == null ? AppSpec.DEFAULT_PORT : app.getPort();
  }

  static void checkFinalEnv(List<Instruction> last, AppSpec app) {
    List<String> names = new ArrayList<>();
    for (Instruction i : last) {
      if (!i.keyword().equals("ENV")) {
        continue;
      }
      int eq = i.args().indexOf('=');
      String name = i.args().substring(0, eq);
      String raw = i.args().substring(eq + 1);
      names.add(name);
      String value = raw.startsWith("\"") ? ParsedDockerfile.unquoteEnvValue(raw) : raw;
      switch (name) {
        case "NODE_ENV" -> assertThat(value).isEqualTo("production");
        case "PORT" -> assertThat(value).isEqualTo(String.valueOf(port(app)));
        case "NODE_OPTIONS" -> {
          String user =
              app.getEnv().stream()
                  .filter(e -> e.getName().equals("NODE_OPTIONS"))
                  .map(EnvVar::getValue)
                  .findFirst()
                  .orElse("");
          String shim = "--require " + DockerfileGenerator.SHIM_PATH;
          assertThat(value).isEqualTo(user.isEmpty() ? shim : shim + " " + user);
        }
        default -> {
          assertThat(raw).startsWith("\"");
          EnvVar var =
              app.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
          assertThat(value).isEqualTo(var.getValue());
        }
      }
    }
    List<String> want = new ArrayList<>(List.of("NODE_ENV", "PORT", "NODE_OPTIONS"));
    app.getEnv().stream()
        .map(EnvVar::getName)
        .filter(n -> !n.equals("NODE_OPTIONS"))
        .forEach(want::add);
    assertThat(names).isEqualTo(want);
  }

  /** COPY [--from=stage] src... dest: nothing may leave the context or the image's app folder. */
  static void checkCopy(String args) {
    List<String> tokens = List.of(args.split(" "));
    boolean fromStage = tokens.get(0).startsWith("--from=");
    if (fromStage) {
      assertThat(tokens.get(0)).matches("--from=[a-z]+");
    }
    List<String> paths = fromStage ? tokens.subList(1, tokens.size()) : tokens;
    assertThat(paths).hasSizeGreaterThanOrEqualTo(2);
    for (int k = 0; k < paths.size(); k++) {
      String p = paths.get(k);
      boolean dest = k == paths.size() - 1;
      assertThat(p).doesNotStartWith("-").doesNotContain("$", "\\");
      for (String segment : p.split("/")) {
        assertThat(segment).isNotEqualTo("..");
      }
      if (dest) {
        assertThat(
                p.equals(".")
                    || p.equals("./")
                    || p.startsWith("./")
                    || p.equals(DockerfileGenerator.SHIM_PATH)
                    || (tokens.get(0).equals("--from=prune")
                        && p.equals(DockerfileGenerator.PRUNE_SCRIPT))
                    || (tokens.get(0).equals("--from=runtime") && p.equals("/")))
            .as("destination %s", p)
            .isTrue();
      } else if (fromStage) {
        assertThat(p).matches("/(src|app|leanode)(/.*)?");
      } else {
        assertThat(p).doesNotStartWith("/");
      }
    }
  }

  @SuppressWarnings("unchecked")
  static List<String> readJson(String args) {
    try {
      return JSON.readValue(args, List.class);
    } catch (IOException e) {
      throw new UncheckedIOException("CMD is not a JSON array: " + args, e);
    }
  }

  /** Printable form of a hostile value for failure messages. */
  static final class SpecValidatorQuote {
    static String q(Object v) {
      if (!(v instanceof String s)) {
        return String.valueOf(v);
      }
      StringBuilder b = new StringBuilder("\"");
      for (char c : (s.length() > 200 ? s.substring(0, 200) + "..." : s).toCharArray()) {
        if (c < 0x20 || c > 0x7e) {
          b.append(String.format("\\u%04x", (int) c));
        } else {
          b.append(c);
        }
      }
      return b.append('"').toString();
    }
  }
}

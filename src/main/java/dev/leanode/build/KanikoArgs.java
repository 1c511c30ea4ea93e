package dev.leanode.build;

import static dev.leanode.build.BuildLayout.CA_BUNDLE_PATH;
import static dev.leanode.build.BuildLayout.CONTEXT_DIR;
import static dev.leanode.build.BuildLayout.DOCKERFILE;
import static dev.leanode.build.BuildLayout.DOCKERFILE_DIR;
import static dev.leanode.build.BuildLayout.SINGLE_STAGE_DOCKERFILE;

import dev.leanode.source.GitCredentials;
import dev.leanode.source.ResolvedSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Kaniko executor's arguments and environment (docs/architecture.md, "Container kaniko args").
 * Every value becomes one {@code --flag=value} list element and is checked by {@link #safe}, so no
 * spec value can become a flag of its own.
 */
final class KanikoArgs {
  private static final Pattern UNSAFE = Pattern.compile("[\\s\\p{Cntrl}]");

  private KanikoArgs() {}

  /** The lean build: cache when enabled. */
  static List<String> lean(BuildInputs in) {
    List<String> args = new ArrayList<>();
    args.add("--dockerfile=" + DOCKERFILE_DIR + "/" + DOCKERFILE);
    args.addAll(context(in.request().source()));
    args.add("--destination=" + in.image());
    args.add("--digest-file=/dev/termination-log");
    if (in.cache()) {
      args.add("--cache=true");
      args.add("--cache-repo=" + in.target().name() + "/cache");
    }
    args.addAll(tls(in));
    return args;
  }

  /** The single-stage comparison: same context and TLS, its own Dockerfile and tag, no cache. */
  static List<String> singleStage(BuildInputs in) {
    List<String> args = new ArrayList<>();
    args.add("--dockerfile=" + DOCKERFILE_DIR + "/" + SINGLE_STAGE_DOCKERFILE);
    args.addAll(context(in.request().source()));
    args.add("--destination=" + BuildLayout.singleStageImage(in.target()));
    args.add("--digest-file=/dev/termination-log");
    args.addAll(tls(in));
    return args;
  }

  /** Environment of the Kaniko containers: git transport and credentials. */
  static List<EnvVar> env(ResolvedSource source) {
    List<EnvVar> env = new ArrayList<>();
    if (source instanceof ResolvedSource.Git git) {
      if (git.url().regionMatches(true, 0, "http://", 0, 7)) { // the scheme is case-insensitive
        env.add(new EnvVarBuilder().withName("GIT_PULL_METHOD").withValue("http").build());
      }
      if (git.secretName() != null) {
        env.addAll(gitCredentialEnv(git));
      }
    }
    return env;
  }

  private static List<String> context(ResolvedSource source) {
    List<String> args = new ArrayList<>();
    if (source instanceof ResolvedSource.Git git) {
      args.add("--context=" + gitContext(git));
      if (git.subPath() != null) {
        args.add("--context-sub-path=" + safe("spec.source.git.subPath", git.subPath()));
      }
    } else {
      args.add("--context=dir://" + CONTEXT_DIR);
    }
    return args;
  }

  private static List<String> tls(BuildInputs in) {
    List<String> args = new ArrayList<>();
    if (in.insecure()) {
      args.add("--insecure");
      args.add("--skip-tls-verify");
    }
    if (in.caBundle().isPresent()) {
      args.add("--registry-certificate=" + in.target().registry() + "=" + CA_BUNDLE_PATH);
    }
    args.addAll(
        registryMirrorArgs(
            in.request().settings().registryMirrors(),
            in.caBundle().isPresent(),
            in.target().registry()));
    return args;
  }

  /**
   * {@code leanode.build.registry-mirrors}: one {@code --registry-mirror=HOST[:PORT][/PATH]} per
   * mirror (Kaniko maps index.docker.io to each in turn, then falls back to Docker Hub), and with a
   * CA bundle one {@code --registry-certificate=HOST=...} per mirror host that is not the push
   * registry (already covered), so a mirror behind the corporate CA is trusted for pulls. Plain
   * HTTP needs no flag for loopback, RFC 1918, localhost and *.local hosts (go-containerregistry
   * falls back to http there); other hosts must speak TLS.
   */
  static List<String> registryMirrorArgs(
      List<String> mirrors, boolean caBundle, String pushRegistry) {
    List<String> args = new ArrayList<>();
    java.util.Set<String> certified = new java.util.HashSet<>(java.util.Set.of(pushRegistry));
    for (String m : mirrors) {
      args.add("--registry-mirror=" + safe("leanode.build.registry-mirrors", m));
    }
    if (caBundle) {
      for (String m : mirrors) {
        String host = m.contains("/") ? m.substring(0, m.indexOf('/')) : m;
        if (certified.add(host)) {
          args.add("--registry-certificate=" + host + "=" + CA_BUNDLE_PATH);
        }
      }
    }
    return args;
  }

  /**
   * Kaniko's git context: {@code git://<host>/<path>#<ref>#<commit>}. Kaniko splits on '#',
   * prepends https:// (or GIT_PULL_METHOD), clones {@code <ref>} and checks out {@code <commit>}.
   * For a bare SHA the ref is left empty ({@code ##<commit>}): Kaniko then clones the default
   * branch with all branches (no fetch by SHA, which many servers refuse) and checks the commit
   * out, which works for any commit reachable from a branch.
   */
  static String gitContext(ResolvedSource.Git git) {
    String url = safe("spec.source.git.url", git.url());
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("spec.source.git.url is not a URL: " + url);
    }
    String scheme = uri.getScheme();
    if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme)) {
      throw new IllegalArgumentException("spec.source.git.url must be http(s): " + url);
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "spec.source.git.url must not embed credentials; use spec.source.git.secretRef");
    }
    if (url.contains("#")) {
      throw new IllegalArgumentException("spec.source.git.url must not contain '#': " + url);
    }
    String hostAndPath = url.substring(scheme.length() + "://".length());
    String ref = git.ref() == null ? "" : safe("resolved git ref", git.ref());
    return "git://" + hostAndPath + "#" + ref + "#" + git.commit();
  }

  private static List<EnvVar> gitCredentialEnv(ResolvedSource.Git git) {
    GitCredentials.Layout layout = git.secretLayout();
    List<EnvVar> env = new ArrayList<>();
    if (layout.usernameKey() == null) {
      env.add(
          new EnvVarBuilder()
              .withName("GIT_USERNAME")
              .withValue(GitCredentials.TOKEN_USERNAME)
              .build());
    } else {
      env.add(secretEnv("GIT_USERNAME", git.secretName(), layout.usernameKey()));
    }
    env.add(secretEnv("GIT_PASSWORD", git.secretName(), layout.passwordKey()));
    return env;
  }

  private static EnvVar secretEnv(String name, String secret, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secret)
        .withKey(key)
        .withOptional(false)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }

  /** Defence in depth: every value becomes one {@code --flag=value} element, never a new flag. */
  static String safe(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(field + " is empty");
    }
    if (UNSAFE.matcher(value).find()) {
      throw new IllegalArgumentException(
          field + " must not contain whitespace or control characters");
    }
    return value;
  }
}

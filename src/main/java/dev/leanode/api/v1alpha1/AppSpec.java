package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** How the app is installed, built and started. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AppSpec {
  public static final String DEFAULT_NODE_VERSION = "22";
  public static final int DEFAULT_PORT = 3000;

  @Default(DEFAULT_NODE_VERSION)
  @Pattern("^[0-9]{1,3}(\\.[0-9]{1,4}){0,2}$")
  @JsonPropertyDescription(
      "Node.js version (major, major.minor or major.minor.patch); selects node:<nodeVersion>-alpine."
          + " Default \"22\".")
  private String nodeVersion = DEFAULT_NODE_VERSION;

  @Size(max = 512)
  @JsonPropertyDescription(
      "Full override of the base image for every stage (mirrors, air-gapped registries), e.g."
          + " registry.internal/node:22-alpine. Must provide node, npm and a 'node' user.")
  private String baseImage;

  @Default("auto")
  @JsonPropertyDescription(
      "auto | npm | yarn | pnpm. auto decides inside the build from the lockfile (yarn.lock,"
          + " pnpm-lock.yaml, package-lock.json); no lockfile means npm install.")
  private PackageManager packageManager = PackageManager.AUTO;

  @Size(max = 128)
  @Pattern("^$|^[A-Za-z0-9][A-Za-z0-9:._-]*$")
  @JsonPropertyDescription(
      "package.json script run in the builder stage with all dependencies, e.g. \"build\"; empty ="
          + " none. Only its output and the runtime files reach the final image.")
  private String buildScript;

  @Size(max = 256)
  @JsonPropertyDescription(
      "Paths (relative, no '..') copied into the final image, e.g. dist or index.js; empty = the"
          + " whole app minus the ignore list (node_modules, .git, tests, docs, dotfiles).")
  private List<String> files = new ArrayList<>();

  @Size(max = 64)
  @JsonPropertyDescription(
      "Exec-form command of the image; default [\"node\", <package.json main or index.js>].")
  private List<String> command = new ArrayList<>();

  @Default("3000")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port the app listens on: EXPOSEd and passed as the PORT variable.")
  private Integer port = DEFAULT_PORT;

  @Default("auto")
  @JsonPropertyDescription(
      "auto | always | never: whether the install stages get python3, make and g++ for native"
          + " addons (node-gyp). auto: when the lockfile says a package runs an install script"
          + " (package-lock.json hasInstallScript, pnpm-lock.yaml requiresBuild); yarn.lock records"
          + " neither, so set always for yarn apps with native addons. The final stage never gets"
          + " the toolchain, only the built node_modules.")
  private NativeBuild nativeBuild = NativeBuild.AUTO;

  @Size(max = 128)
  @JsonPropertyDescription("Environment variables baked into the final image.")
  private List<EnvVar> env = new ArrayList<>();

  @Default("standard")
  @JsonPropertyDescription(
      "standard | minimal. standard: the final stage is the base image. minimal: FROM scratch with"
          + " only the base's node binary, the shared libraries it links (read with ldd in a build"
          + " stage), the loader, CA certificates, timezone data and /etc/passwd+group (node ="
          + " 1000:1000), plus the app: no shell, no npm/yarn/corepack. The command must not need a"
          + " shell. Default standard.")
  private Runtime runtime = Runtime.STANDARD;

  @Default("safe")
  @JsonPropertyDescription(
      "safe | off. safe: after the production install, remove docs, READMEs, changelogs, *.d.ts,"
          + " source maps, packages' test/example/docs folders and TypeScript sources next to their"
          + " compiled JS; keep every LICENSE/NOTICE/COPYING, package.json, .node binary, bin target"
          + " and pruneKeep match. off: ship node_modules as installed. Default safe.")
  private Prune prune = Prune.SAFE;

  @Size(max = 64)
  @JsonPropertyDescription(
      "Globs of node_modules files that prune must keep, relative to node_modules (also matched"
          + " below every nested node_modules, so pnpm's store is covered), e.g."
          + " some-pkg/docs/** or **/*.md. Letters, digits, . _ - @ + / * ? only; no '..'.")
  private List<String> pruneKeep = new ArrayList<>();

  public String getNodeVersion() {
    return nodeVersion;
  }

  public void setNodeVersion(String nodeVersion) {
    this.nodeVersion = nodeVersion;
  }

  public String getBaseImage() {
    return baseImage;
  }

  public void setBaseImage(String baseImage) {
    this.baseImage = baseImage;
  }

  public PackageManager getPackageManager() {
    return packageManager;
  }

  public void setPackageManager(PackageManager packageManager) {
    this.packageManager = packageManager;
  }

  public String getBuildScript() {
    return buildScript;
  }

  public void setBuildScript(String buildScript) {
    this.buildScript = buildScript;
  }

  public List<String> getFiles() {
    return files;
  }

  public void setFiles(List<String> files) {
    this.files = files;
  }

  public List<String> getCommand() {
    return command;
  }

  public void setCommand(List<String> command) {
    this.command = command;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public NativeBuild getNativeBuild() {
    return nativeBuild;
  }

  public void setNativeBuild(NativeBuild nativeBuild) {
    this.nativeBuild = nativeBuild;
  }

  public List<EnvVar> getEnv() {
    return env;
  }

  public void setEnv(List<EnvVar> env) {
    this.env = env;
  }

  public Runtime getRuntime() {
    return runtime;
  }

  public void setRuntime(Runtime runtime) {
    this.runtime = runtime;
  }

  public Prune getPrune() {
    return prune;
  }

  public void setPrune(Prune prune) {
    this.prune = prune;
  }

  public List<String> getPruneKeep() {
    return pruneKeep;
  }

  public void setPruneKeep(List<String> pruneKeep) {
    this.pruneKeep = pruneKeep;
  }
}

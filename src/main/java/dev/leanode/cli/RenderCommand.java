package dev.leanode.cli;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageSpec;
import dev.leanode.build.BuildPlan;
import dev.leanode.build.BuildRequest;
import dev.leanode.build.ImageBuildRunner;
import dev.leanode.config.BuildSettings;
import dev.leanode.dockerfile.AppFiles;
import dev.leanode.dockerfile.DockerfileGenerator;
import dev.leanode.dockerfile.NativeAddons;
import dev.leanode.dockerfile.StartCommand;
import dev.leanode.dockerfile.Workspace;
import dev.leanode.observe.BuildInputsResolver;
import dev.leanode.reconciler.SourceResolver;
import dev.leanode.source.ResolvedSource;
import dev.leanode.source.SourceUnavailableException;
import dev.leanode.validation.FieldError;
import dev.leanode.validation.SpecValidator;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code leanode render -f FILE [-o DIR]}: what the operator would create, without a cluster. */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = {
      "Print (or write to DIR) the Dockerfile, ConfigMap and Job the operator would create for a"
          + " NodeAppImage, without a cluster.",
      "Git sources are resolved with ls-remote (network, no cluster) unless --commit is given;"
          + " without spec.app.command the commit's package.json is read (shallow fetch) to"
          + " decide the start command, as the operator does."
    })
public class RenderCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--filename"},
      required = true,
      description = "NodeAppImage YAML file")
  Path file;

  @Option(
      names = {"-o", "--output-dir"},
      description = "Write Dockerfile, configmap.yaml and job.yaml into this directory")
  Path outputDir;

  @Option(
      names = "--commit",
      description = "For git sources: build this commit instead of resolving the revision")
  String commit;

  @Option(
      names = "--base-digest",
      description =
          "Pin every FROM to this digest of the base image (sha256:...), as the operator does after"
              + " asking the registry; without it the tag is kept (render asks no registry)")
  String baseDigest;

  @Spec CommandSpec spec;

  @Inject BuildSettings settings;
  @Inject SpecValidator validator;
  @Inject DockerfileGenerator generator;
  @Inject ImageBuildRunner runner;
  @Inject SourceResolver sources;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Rendered r = render();
      if (outputDir != null) {
        write(r);
        out.println("wrote " + outputDir.resolve("Dockerfile") + ", configmap.yaml, job.yaml");
        out.println(unpinnedNote(r.baseImage()));
      } else {
        out.print(asStream(r));
      }
      out.flush();
      return 0;
    } catch (CliException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 2;
    }
  }

  Rendered render() throws CliException {
    NodeAppImage resource = SpecReader.read(file);
    if (resource.getMetadata().getUid() == null) {
      // the API server assigns the uid the ownerReferences point at; offline there is none yet
      resource.getMetadata().setUid(PLACEHOLDER_UID);
    }
    NodeAppImageSpec s = resource.getSpec();
    List<FieldError> errors =
        s == null ? List.of(new FieldError("spec", "is required")) : validator.validate(s);
    if (!errors.isEmpty()) {
      throw new CliException(
          String.join("\nerror: ", errors.stream().map(FieldError::toString).toList()));
    }
    ResolvedSource source = resolve(s);
    if (baseDigest != null && !baseDigest.matches("sha256:[0-9a-f]{64}")) {
      throw new CliException("--base-digest: must be sha256:<64 lowercase hex>");
    }
    AppFiles files = files(s, source);
    StartCommand start = start(s, files);
    NativeAddons natives = NativeAddons.decide(s.getApp(), files);
    Workspace workspace;
    try {
      workspace = BuildInputsResolver.workspace(source, files);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    var options =
        BuildInputsResolver.dockerfileOptions(settings, s).withBaseImageDigest(baseDigest);
    try {
      String dockerfile = generator.generate(s.getApp(), options, start, natives, workspace);
      String single =
          Boolean.TRUE.equals(s.getBuild().getCompareSingleStage())
              ? generator.generateSingleStage(s.getApp(), options, start, natives, workspace)
              : null;
      String pushSecret =
          s.getOutput().getPushSecretRef() != null
              ? s.getOutput().getPushSecretRef().getName()
              : settings.defaultPushSecret();
      BuildPlan plan =
          runner.plan(new BuildRequest(resource, dockerfile, single, source, pushSecret, settings));
      String base = DockerfileGenerator.baseImage(s.getApp());
      return new Rendered(
          dockerfile, single, plan, start, baseDigest == null ? base : base + "@" + baseDigest);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
  }

  /**
   * The files the operator's decisions read: inline files as given, a git commit's read with a
   * shallow fetch (network, no cluster); null when the spec needs none (a command, nativeBuild not
   * auto).
   */
  AppFiles files(NodeAppImageSpec s, ResolvedSource source) throws CliException {
    if (!BuildInputsResolver.needsFiles(s)) {
      return null;
    }
    try {
      return source instanceof ResolvedSource.Git g
          ? sources.files(g, Optional.empty())
          : AppFiles.ofInline(s.getSource().getInline().getFiles());
    } catch (SourceUnavailableException e) {
      throw new CliException(
          e.getMessage() + " (set spec.app.command to render without reading the commit)");
    }
  }

  /** The operator's start-command decision on the same files. */
  StartCommand start(NodeAppImageSpec s, AppFiles files) throws CliException {
    try {
      return files == null
          ? StartCommand.fromSpec(s.getApp())
          : StartCommand.decide(s.getApp(), files);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
  }

  ResolvedSource resolve(NodeAppImageSpec s) throws CliException {
    if (s.getSource().getInline() != null) {
      return new ResolvedSource.Inline(new TreeMap<>(s.getSource().getInline().getFiles()));
    }
    var git = s.getSource().getGit();
    if (commit != null) {
      if (!commit.matches("[0-9a-f]{40}")) {
        throw new CliException("--commit: must be a full 40-character lowercase hex SHA");
      }
      return new ResolvedSource.Git(
          git.getUrl(),
          null,
          commit,
          git.getSubPath(),
          git.getSecretRef() == null ? null : git.getSecretRef().getName());
    }
    try {
      return sources.resolve(git, Optional.empty());
    } catch (SourceUnavailableException e) {
      throw new CliException(
          "spec.source.git.revision: " + e.getMessage() + " (pass --commit SHA to render offline)");
    }
  }

  void write(Rendered r) throws CliException {
    try {
      Files.createDirectories(outputDir);
      Files.writeString(outputDir.resolve("Dockerfile"), r.dockerfile, StandardCharsets.UTF_8);
      if (r.singleStage != null) {
        Files.writeString(
            outputDir.resolve("Dockerfile.single-stage"), r.singleStage, StandardCharsets.UTF_8);
      }
      Files.writeString(
          outputDir.resolve("configmap.yaml"),
          YAML.asYaml(r.plan.configMap()),
          StandardCharsets.UTF_8);
      Files.writeString(
          outputDir.resolve("job.yaml"), YAML.asYaml(r.plan.job()), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException("-o " + outputDir + ": " + e.getMessage());
    }
  }

  static String asStream(Rendered r) {
    StringBuilder sb = new StringBuilder();
    sb.append(
            "# Rendered offline by `leanode render`; ownerReferences[].uid is a placeholder for\n")
        .append("# the uid the API server assigns to the NodeAppImage.\n");
    sb.append("# ").append(unpinnedNote(r.baseImage())).append('\n');
    sb.append("# Start command: ")
        .append(String.join(" ", r.start.command()))
        .append("\n#   from ")
        .append(r.start.describe())
        .append('\n');
    sb.append("# Dockerfile (ConfigMap ").append(r.plan.name()).append(", key Dockerfile)\n");
    for (String line : r.dockerfile.split("\n", -1)) {
      sb.append(line.isEmpty() ? "#" : "#   " + line).append('\n');
    }
    sb.append(YAML.asYaml(r.plan.configMap()));
    sb.append(YAML.asYaml(r.plan.job()));
    return sb.toString();
  }

  static final KubernetesSerialization YAML = new KubernetesSerialization();
  static final String PLACEHOLDER_UID = "00000000-0000-0000-0000-000000000000";

  /**
   * Offline there is no registry to ask: the rendered FROM lines keep the tag, and the user is told
   * what the operator does differently.
   */
  static String unpinnedNote(String baseImage) {
    if (baseImage.contains("@")) {
      return "Base image: " + baseImage + " (pinned)";
    }
    return "Base image: "
        + baseImage
        + " is not pinned to a digest here (render works offline and asks no registry); the"
        + " operator resolves the tag and writes FROM "
        + baseImage
        + "@sha256:..., so its Dockerfile, input hash and Job name differ from these (pass"
        + " --base-digest to render them exactly)";
  }

  record Rendered(
      String dockerfile,
      String singleStage,
      BuildPlan plan,
      StartCommand start,
      String baseImage) {}
}

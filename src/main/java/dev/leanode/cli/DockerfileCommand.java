package dev.leanode.cli;

import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.dockerfile.AppDirInspector;
import dev.leanode.dockerfile.AppFiles;
import dev.leanode.dockerfile.DockerfileGenerator;
import dev.leanode.dockerfile.DockerfileOptions;
import dev.leanode.dockerfile.NativeAddons;
import dev.leanode.dockerfile.StartCommand;
import dev.leanode.validation.FieldError;
import dev.leanode.validation.SpecValidator;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code leanode dockerfile [APP_DIR]}: the Dockerfile for a local Node app directory. */
@Command(
    name = "dockerfile",
    mixinStandardHelpOptions = true,
    description = {
      "Print the Dockerfile for a local Node app directory, detecting package manager, Node"
          + " version (engines, .nvmrc, .node-version), build script and start command."
    })
public class DockerfileCommand implements Callable<Integer> {
  /** Which Dockerfile to print: ours, or the tutorial's baselines (for comparisons). */
  public enum Variant {
    leanode,
    single_stage,
    seed_multi_stage
  }

  @Parameters(index = "0", arity = "0..1", description = "App directory (default: .)")
  Path appDir = Path.of(".");

  @Option(
      names = "--variant",
      description = "leanode (default), single_stage or seed_multi_stage (the tutorial's)")
  Variant variant = Variant.leanode;

  @Option(
      names = "--ca-bundle-path",
      description = "Path at which RUN steps see extra CA certificates (adds the CA ARGs)")
  String caBundlePath;

  @Option(
      names = "--runtime",
      description = "standard (default) or minimal (FROM scratch: node and what it links)")
  String runtime;

  @Option(names = "--prune", description = "safe (default) or off: what of node_modules ships")
  String prune;

  @Option(
      names = "--prune-keep",
      description = "A glob of node_modules files prune keeps (repeatable), e.g. pkg/docs/**")
  List<String> pruneKeep;

  @Spec CommandSpec spec;

  @Inject DockerfileGenerator generator;
  @Inject AppDirInspector inspector;
  @Inject SpecValidator validator;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.isRegularFile(appDir.resolve("package.json"))) {
      err.println("error: APP_DIR " + appDir + ": no package.json there");
      err.flush();
      return 2;
    }
    try {
      AppSpec app = inspector.inspect(appDir);
      if (runtime != null) {
        app.setRuntime(
            dev.leanode.api.v1alpha1.Runtime.valueOf(runtime.toUpperCase(java.util.Locale.ROOT)));
      }
      if (prune != null) {
        app.setPrune(
            dev.leanode.api.v1alpha1.Prune.valueOf(prune.toUpperCase(java.util.Locale.ROOT)));
      }
      if (pruneKeep != null) {
        app.setPruneKeep(new java.util.ArrayList<>(pruneKeep));
      }
      List<FieldError> errors = validator.validateApp(app, "spec.app");
      if (!errors.isEmpty()) {
        errors.forEach(e -> err.println("error: " + e));
        err.flush();
        return 2;
      }
      var options = new DockerfileOptions(caBundlePath);
      AppFiles files = AppFiles.ofDirectory(appDir);
      StartCommand start = StartCommand.decide(app, files);
      NativeAddons natives = NativeAddons.decide(app, files);
      String text =
          switch (variant) {
            case leanode -> generator.generate(app, options, start, natives);
            case single_stage -> generator.generateSingleStage(app, options, start, natives);
            case seed_multi_stage -> generator.generateSeedMultiStage(app, options);
          };
      out.print(text);
      out.flush();
      return 0;
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 2;
    }
  }
}

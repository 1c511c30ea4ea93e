package dev.leanode.cli;

import io.javaoperatorsdk.operator.Operator;
import io.quarkus.picocli.runtime.annotations.TopCommand;
import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;

/**
 * {@code leanode}: with no arguments, runs the operator against the current kube context; {@code
 * render} and {@code dockerfile} work offline.
 */
@TopCommand
@Command(
    name = "leanode",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Turns NodeAppImage resources into lean Node.js images built by Kaniko.",
      "Without a subcommand: runs the operator against the current kube context."
    },
    subcommands = {
      RenderCommand.class,
      DockerfileCommand.class,
      LogsCommand.class,
      GetCommand.class
    })
public class LeanodeCommand implements Runnable {
  @Inject Instance<Operator> operator;

  @Override
  public void run() {
    // The operator does not start by itself (quarkus.operator-sdk.start-operator=false) so that
    // the offline subcommands never touch a cluster.
    operator.get().start();
    Quarkus.waitForExit();
  }
}

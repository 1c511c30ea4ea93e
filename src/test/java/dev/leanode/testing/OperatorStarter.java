package dev.leanode.testing;

import io.javaoperatorsdk.operator.Operator;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * In production the {@code leanode} command starts the operator (so that {@code leanode render}
 * never needs a cluster); {@code @QuarkusTest}s do not run the command, so this test-only bean does
 * what the command would, against the mock API server. CLI tests turn it off.
 */
@Singleton
public class OperatorStarter {
  @ConfigProperty(name = "test.leanode.start-operator", defaultValue = "true")
  boolean start;

  void onStart(@Observes StartupEvent event, Operator operator) {
    if (start && !operator.getRuntimeInfo().isStarted()) {
      operator.start();
    }
  }
}

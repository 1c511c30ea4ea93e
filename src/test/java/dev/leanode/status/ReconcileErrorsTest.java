package dev.leanode.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

class ReconcileErrorsTest {
  @Test
  void theApiServersMessageAndTheAttempt() {
    var e =
        new KubernetesClientException(
            new StatusBuilder()
                .withCode(403)
                .withReason("Forbidden")
                .withMessage(
                    "jobs.batch is forbidden: exceeded quota: builds, requested: count/jobs.batch=1")
                .build());
    assertThat(ReconcileErrors.message(e, 3))
        .isEqualTo(
            "jobs.batch is forbidden: exceeded quota: builds, requested: count/jobs.batch=1"
                + " (HTTP 403) (attempt 3)");
  }

  @Test
  void aWrappingExceptionKeepsItsContext() {
    var e = new IllegalStateException("Creating build Job ns/x failed: denied");
    assertThat(ReconcileErrors.message(e, 1))
        .isEqualTo("Creating build Job ns/x failed: denied (attempt 1)");
  }

  @Test
  void wrappersThatOnlyRepeatTheirCauseAreSkipped() {
    var cause = new IllegalStateException("Creating build Job ns/x failed: denied (HTTP 403)");
    var wrapped = new RuntimeException(new RuntimeException(cause));
    assertThat(ReconcileErrors.message(wrapped, 2))
        .isEqualTo("Creating build Job ns/x failed: denied (HTTP 403) (attempt 2)");
  }

  @Test
  void anExceptionWithoutMessageIsNamedWithItsCause() {
    var e = new RuntimeException((String) null, new IllegalArgumentException("bad value"));
    assertThat(ReconcileErrors.describe(e)).isEqualTo("RuntimeException: bad value");
  }
}

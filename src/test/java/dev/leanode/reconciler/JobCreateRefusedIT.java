package dev.leanode.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.registry.RegistryClient;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API server refuses a build Job (a 403 from RBAC, a quota, an admission policy): the refusal
 * is a condition the user reads, the refused Job holds no build slot, and the resource heals when
 * the refusals stop. One build slot operator-wide ({@code max-concurrent-builds=1}), so a leaked
 * reservation would block every other resource.
 *
 * <p>The 403 is injected with mock-server expectations on {@code POST .../namespaces/<ns>/jobs}: in
 * CRUD mode the mock answers from an expectation while it has one queued and falls back to its
 * object store afterwards ({@code KubernetesMixedDispatcher}), so {@code .always()} is a namespace
 * where Jobs are forbidden and {@code .times(n)} is a refusal that stops; everything else (the
 * ConfigMap, status, Events) goes through the store as usual. A fabric8 client interceptor would
 * need a second CDI producer for the operator's client; the expectation needs nothing.
 *
 * <p>On the mock on purpose: a real API server refuses a create only through a real policy (a
 * quota, a webhook); an expectation injects exactly one refusal and then stops.
 */
@QuarkusTest
@WithKubernetesTestServer
@TestProfile(JobCreateRefusedIT.OneBuildSlot.class)
class JobCreateRefusedIT {
  static final String NAME = "express-app";
  static final String QUOTA =
      "jobs.batch \"%s\" is forbidden: exceeded quota: builds, requested: count/jobs.batch=1,"
          + " used: count/jobs.batch=0, limited: count/jobs.batch=0";

  public static class OneBuildSlot implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("leanode.build.max-concurrent-builds", "1", "quarkus.http.test-port", "0");
    }
  }

  @Inject KubernetesClient client;
  @KubernetesTestServer KubernetesServer server;

  FakeRegistryClient registry;

  @BeforeEach
  void setUp() {
    registry = new FakeRegistryClient();
    QuarkusMock.installMockForType(registry, RegistryClient.class);
  }

  OperatorFixture namespace() {
    var k8s = new OperatorFixture(client);
    String auth = Base64.getEncoder().encodeToString("ci:s3cret".getBytes(StandardCharsets.UTF_8));
    String json = "{\"auths\":{\"registry.example.com\":{\"auth\":\"" + auth + "\"}}}";
    client
        .secrets()
        .inNamespace(k8s.namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("regcred")
                .endMetadata()
                .withType("kubernetes.io/dockerconfigjson")
                .withData(
                    Map.of(
                        ".dockerconfigjson",
                        Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))))
                .build())
        .create();
    return k8s;
  }

  NodeAppImage expressApp(OperatorFixture k8s) {
    NodeAppImage nai = k8s.load("examples/express-app.yaml");
    nai.getSpec().getBuild().setCompareSingleStage(false);
    return nai;
  }

  /** Job creates in {@code namespace} are refused with 403 {@code times} times (-1: always). */
  AtomicInteger refuseJobs(String namespace, int times) {
    AtomicInteger refused = new AtomicInteger();
    var reply =
        server
            .expect()
            .post()
            .withPath("/apis/batch/v1/namespaces/" + namespace + "/jobs")
            .andReply(
                403,
                req -> {
                  refused.incrementAndGet();
                  return new StatusBuilder()
                      .withStatus("Failure")
                      .withReason("Forbidden")
                      .withCode(403)
                      .withMessage(String.format(QUOTA, NAME))
                      .build();
                });
    if (times < 0) {
      reply.always();
    } else {
      reply.times(times);
    }
    return refused;
  }

  @Test
  void refusedJobIsReconcileErrorAndHoldsNoBuildSlot() {
    OperatorFixture denied = namespace();
    AtomicInteger refused = refuseJobs(denied.namespace, -1);
    NodeAppImage refusedResource = denied.create(expressApp(denied));
    try {
      refusedAndOtherBuilds(denied, refused);
    } finally {
      // a resource refused forever keeps JOSDK retrying; one still in flight when this test's
      // Quarkus app stops would reach into the next app's start
      client.resource(refusedResource).delete();
      await().atMost(OperatorFixture.TIMEOUT).until(() -> denied.get(NAME) == null);
    }
  }

  void refusedAndOtherBuilds(OperatorFixture denied, AtomicInteger refused) {

    // the condition says what the API server said, and that JOSDK keeps trying
    Condition error =
        denied.awaitCondition(
            NAME,
            NodeAppImageStatus.READY,
            c -> "ReconcileError".equals(c.getReason()) && c.getMessage().contains("(attempt 2)"));
    assertThat(error.getStatus()).isEqualTo("False");
    assertThat(error.getMessage())
        .matches(
            Pattern.quote("Creating build Job " + denied.namespace + "/")
                + NAME
                + "-[0-9a-f]{10}"
                + Pattern.quote(
                    " failed: " + String.format(QUOTA, NAME) + " (HTTP 403) (attempt 2)"));
    assertThat(
            denied
                .get(NAME)
                .getStatus()
                .condition(NodeAppImageStatus.BUILDING)
                .orElseThrow()
                .getStatus())
        .isEqualTo("False");
    assertThat(denied.jobs()).isEmpty();
    assertThat(refused.get()).isGreaterThanOrEqualTo(2);
    await()
        .atMost(OperatorFixture.TIMEOUT)
        .until(
            () ->
                denied.events().stream()
                    .anyMatch(
                        e ->
                            "ReconcileError".equals(e.getReason())
                                && "Warning".equals(e.getType())));

    // the only build slot is free: another namespace's resource gets its Job while the first is
    // still refused
    OperatorFixture other = namespace();
    other.create(expressApp(other));
    Job job = other.awaitJobs(1);
    other.awaitReady(NAME, "False", "BuildRunning");
    assertThat(denied.jobs()).isEmpty();

    // finish it, so the slot is free for the other tests of this class
    registry.sizes.put(OperatorFixture.digest('a'), 100L);
    other.succeed(job, OperatorFixture.digest('a'));
    other.awaitReady(NAME, "True", "BuildSucceeded");
  }

  @Test
  void refusalsThatStopHealTheResourceWithoutAnEdit() {
    OperatorFixture k8s = namespace();
    AtomicInteger refused = refuseJobs(k8s.namespace, 2);
    k8s.create(expressApp(k8s));

    // JOSDK's retries create the Job once the API server stops refusing it
    Job job = k8s.awaitJobs(1);
    assertThat(refused.get()).isEqualTo(2);
    Condition running = k8s.awaitReady(NAME, "False", "BuildRunning");
    assertThat(running.getMessage())
        .isEqualTo("Build Job " + job.getMetadata().getName() + " is running");
    // what the user saw meanwhile is kept as an Event
    assertThat(k8s.events())
        .filteredOn(e -> "ReconcileError".equals(e.getReason()))
        .isNotEmpty()
        .allSatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).endsWith(String.format(QUOTA, NAME) + " (HTTP 403)");
            });

    registry.sizes.put(OperatorFixture.digest('b'), 100L);
    k8s.succeed(job, OperatorFixture.digest('b'));
    k8s.awaitReady(NAME, "True", "BuildSucceeded");
  }
}

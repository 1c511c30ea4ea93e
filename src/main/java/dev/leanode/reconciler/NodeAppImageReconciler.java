package dev.leanode.reconciler;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.build.BuildPlan;
import dev.leanode.build.BuildState;
import dev.leanode.build.ImageBuildRunner;
import dev.leanode.build.Labels;
import dev.leanode.config.BuildSettings;
import dev.leanode.dockerfile.DockerfileGenerator;
import dev.leanode.metrics.BuildMetrics;
import dev.leanode.observe.BuildInputsResolver;
import dev.leanode.observe.BuildObserver;
import dev.leanode.observe.ImageMeasurer;
import dev.leanode.registry.RegistryClient;
import dev.leanode.status.Backoff;
import dev.leanode.status.Reason;
import dev.leanode.status.ReconcileErrors;
import dev.leanode.status.StatusAggregator;
import dev.leanode.validation.SpecValidator;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Observe → decide → act → write status once (the Flink operator's loop): a NodeAppImage becomes a
 * build ConfigMap + Job per distinct build input; the Job's outcome and the registry's answer
 * become conditions and {@code status.output}. The decisions live in {@link BuildInputsResolver},
 * {@link BuildObserver}, {@link ImageMeasurer}, {@link BuildSlots}, {@link Retention}, {@link
 * EventPolicy} and {@link StatusAggregator}; this class reads, calls them, and writes.
 */
// Not generation-aware: a new leanode.dev/rebuild annotation value (metadata only, no generation
// bump) must start a build too. SpecOrRebuildChanged keeps the generation-aware behaviour for
// everything else, so our own status patches still do not trigger reconciliations.
@ControllerConfiguration(
    name = NodeAppImageReconciler.NAME,
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = SpecOrRebuildChanged.class))
@RBACRule(
    apiGroups = "batch",
    resources = "jobs",
    verbs = {"get", "list", "watch", "create", "delete"})
@RBACRule(
    apiGroups = "",
    resources = "configmaps",
    verbs = {"get", "list", "watch", "create", "delete"})
@RBACRule(
    apiGroups = "",
    resources = "pods",
    verbs = {"get", "list", "watch"})
@RBACRule(apiGroups = "", resources = "secrets", verbs = "get")
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
public class NodeAppImageReconciler implements Reconciler<NodeAppImage> {
  public static final String NAME = "nodeappimage";

  /** Where build pods see the operator's CA bundle (docs/architecture.md). */
  public static final String CA_BUNDLE_PATH = BuildInputsResolver.CA_BUNDLE_PATH;

  /** Changing this annotation's value requests a rebuild of unchanged inputs (e.g. after a fix). */
  public static final String REBUILD_ANNOTATION = Labels.REBUILD_ANNOTATION;

  /** Warning Event reason when a build Job vanished before it finished and is created again. */
  public static final String JOB_LOST_EVENT = EventPolicy.JOB_LOST;

  /**
   * Missing or malformed Secrets are re-read with backoff from 1 s to 30 s: the operator may only
   * GET Secrets by name (no watch, see docs/security.md), so it polls, fast at first because a
   * Secret is usually created right after the resource that names it.
   */
  static final Backoff SECRET_BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

  static final Duration SOURCE_RETRY = Duration.ofMinutes(1);
  static final Duration QUEUE_RETRY = Duration.ofSeconds(10);
  static final Duration GIT_POLL = Duration.ofMinutes(5);

  /** After JOSDK's last retry of a failing reconciliation, look again this much later. */
  static final Duration ERROR_RETRY = Duration.ofMinutes(2);

  private static final Logger LOG = Logger.getLogger(NodeAppImageReconciler.class);

  private final BuildSettings settings;
  private final BuildInputsResolver inputs;
  private final BuildObserver observer;
  private final ImageMeasurer measurer;
  private final BuildMetrics metrics;
  private final BuildQueue queue;

  public NodeAppImageReconciler(
      BuildSettings settings,
      SpecValidator validator,
      DockerfileGenerator generator,
      ImageBuildRunner runner,
      RegistryClient registry,
      SourceResolver sources,
      BuildMetrics metrics) {
    this.settings = settings;
    this.inputs = new BuildInputsResolver(settings, validator, generator, runner, sources::resolve);
    this.observer = new BuildObserver(runner);
    this.measurer = new ImageMeasurer(registry);
    this.metrics = metrics;
    this.queue = new BuildQueue(new BuildSlots(settings.maxConcurrentBuilds()));
  }

  @Override
  public List<EventSource<?, NodeAppImage>> prepareEventSources(
      EventSourceContext<NodeAppImage> context) {
    return queue.eventSources(context);
  }

  @Override
  public UpdateControl<NodeAppImage> reconcile(NodeAppImage resource, Context<NodeAppImage> ctx) {
    var cluster = new ClusterAccess(ctx, resource);
    var status = new StatusAggregator(resource.getStatus());
    String lostMessage = reconcileBuild(resource, cluster, status);
    NodeAppImageStatus next = status.build(generation(resource), Instant.now());
    record(resource, cluster, status, next, lostMessage);
    UpdateControl<NodeAppImage> control;
    if (status.changed(next)) {
      resource.setStatus(next);
      control = UpdateControl.patchStatus(resource);
    } else {
      control = UpdateControl.noUpdate();
    }
    status.retryAfter().ifPresent(control::rescheduleAfter);
    return control;
  }

  /**
   * Anything that stopped a reconciliation (a refused create, a missing permission) becomes {@code
   * Ready=False, ReconcileError} with the API server's message and the attempt, not only a log
   * line.
   */
  @Override
  public ErrorStatusUpdateControl<NodeAppImage> updateErrorStatus(
      NodeAppImage resource, Context<NodeAppImage> ctx, Exception e) {
    int attempt = ctx.getRetryInfo().map(RetryInfo::getAttemptCount).orElse(0) + 1;
    var status = new StatusAggregator(resource.getStatus());
    status.outcome(Reason.RECONCILE_ERROR, ReconcileErrors.message(e, attempt), null);
    NodeAppImageStatus next = status.build(generation(resource), Instant.now());
    if (status.previousReason().orElse(null) != Reason.RECONCILE_ERROR) {
      new EventRecorder(ctx.getClient())
          .warning(resource, Reason.RECONCILE_ERROR.reason(), ReconcileErrors.describe(e));
    }
    resource.setStatus(next);
    var control = ErrorStatusUpdateControl.patchStatus(resource);
    // JOSDK gives up after its last retry; look again later anyway, so that a quota raised or a
    // policy fixed heals the resource without anyone touching it
    boolean last = ctx.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(false);
    return last ? control.withNoRetry().rescheduleAfter(ERROR_RETRY) : control;
  }

  /** Observe, decide and act for the current inputs; returns a lost Job's Event message. */
  private String reconcileBuild(
      NodeAppImage resource, ClusterAccess cluster, StatusAggregator status) {
    var resolution = inputs.resolve(resource, cluster::secret);
    if (resolution instanceof BuildInputsResolver.Problem p) {
      status.outcome(p.reason(), p.message(), problemRetry(p.reason(), status));
      return null;
    }
    var in = (BuildInputsResolver.Inputs) resolution;
    BuildPlan plan = in.plan();
    if (in.git()) {
      status.retryAfter(GIT_POLL); // a branch may move: look again later
    }
    status
        .next()
        .setDockerfile(
            new NodeAppImageStatus.DockerfileStatus(
                plan.configMap().getMetadata().getName(), in.dockerfileSha256()));
    status.next().setSource(in.source());

    Optional<Job> job = cluster.job(plan.name());
    var observation =
        observer.observe(
            plan.name(),
            plan.inputHash(),
            job,
            job.map(cluster::pods).orElse(List.of()),
            status.previous().getBuild(),
            Instant.now());
    if (observation instanceof BuildObserver.FinishedAndRemoved) {
      finishedAndRemoved(status, plan.name());
    } else if (observation instanceof BuildObserver.LostTooOften l) {
      status.next().setBuild(l.build());
      status.outcome(Reason.BUILD_FAILED, l.message(), null);
    } else if (observation instanceof BuildObserver.NotStarted) {
      start(resource, cluster, status, plan, 1);
    } else if (observation instanceof BuildObserver.Lost l) {
      return start(resource, cluster, status, plan, l.attempt()) ? l.eventMessage() : null;
    } else if (observation instanceof BuildObserver.Observed o) {
      observed(resource, cluster, status, in, o);
    }
    return null;
  }

  /** Its result stands; a rebuild is asked for with the leanode.dev/rebuild annotation. */
  private static void finishedAndRemoved(StatusAggregator status, String job) {
    Optional<Reason> kept = status.keepFinishedOutcome();
    if (kept.isPresent()) {
      if (kept.get() == Reason.SIZE_UNKNOWN) {
        status.retryAfter(ImageMeasurer.BACKOFF.min());
      }
      return;
    }
    // the Ready condition says something else since (an error, a Secret missing for a while)
    var out = status.previous().getOutput();
    if (out != null && out.getSizeBytes() != null) {
      status.outcome(Reason.BUILD_SUCCEEDED, ImageMeasurer.succeededMessage(out), null);
    } else {
      status.outcome(
          Reason.BUILD_FAILED,
          "build Job "
              + job
              + " finished and was removed before its result was recorded; set annotation "
              + REBUILD_ANNOTATION
              + "=<any new value> to build again",
          null);
    }
  }

  /** Takes a build slot (or queues) and creates the build; false when queued. */
  private boolean start(
      NodeAppImage resource,
      ClusterAccess cluster,
      StatusAggregator status,
      BuildPlan plan,
      int attempt) {
    String key = resource.getMetadata().getNamespace() + "/" + plan.name();
    if (!queue.admit(ResourceID.fromResource(resource), key)) {
      status.outcome(
          Reason.QUEUED,
          "Waiting for a free build slot: "
              + queue.max()
              + " builds run (leanode.build.max-concurrent-builds)",
          QUEUE_RETRY);
      return false;
    }
    try {
      cluster.create(plan);
    } catch (RuntimeException e) {
      queue.refused(key); // no Job, no slot: let the next one in
      throw e;
    }
    metrics.buildStarted(resource.getMetadata().getNamespace());
    status.next().setBuild(BuildObserver.started(plan.name(), plan.inputHash(), attempt));
    status.outcome(Reason.BUILD_RUNNING, BuildObserver.runningMessage(plan.name(), attempt), null);
    return true;
  }

  private void observed(
      NodeAppImage resource,
      ClusterAccess cluster,
      StatusAggregator status,
      BuildInputsResolver.Inputs in,
      BuildObserver.Observed o) {
    status.next().setBuild(o.build());
    if (o.state().phase() == BuildState.Phase.SUCCEEDED) {
      measure(resource, status, in, o);
    } else {
      var verdict = BuildObserver.verdict(in.plan().name(), o.state(), o.build().getAttempt());
      status.outcome(verdict.reason(), verdict.message(), null);
    }
    queue.observed(o.state().phase().finished());
    Retention.beyond(cluster.jobs(), in.plan().name(), settings.keepJobs())
        .forEach(cluster::delete);
  }

  private void measure(
      NodeAppImage resource,
      StatusAggregator status,
      BuildInputsResolver.Inputs in,
      BuildObserver.Observed o) {
    var m =
        measurer.measure(resource.getSpec(), o.state(), in.dockerConfigJson(), status.previous());
    status.next().setOutput(m.output());
    if (m instanceof ImageMeasurer.Unknown u) {
      int attempt = status.countAttempt(Reason.SIZE_UNKNOWN, Integer.MAX_VALUE);
      status.outcome(Reason.SIZE_UNKNOWN, u.message(attempt), ImageMeasurer.BACKOFF.delay(attempt));
      return;
    }
    if (m instanceof ImageMeasurer.Measured fresh) {
      status.next().setComparison(fresh.comparison());
      metrics.imageSize(resource.getMetadata().getNamespace(), fresh.bytes());
    }
    status.outcome(Reason.BUILD_SUCCEEDED, ImageMeasurer.succeededMessage(m.output()), null);
  }

  /** When to look again at a resource whose inputs are not there yet. */
  private static Duration problemRetry(Reason reason, StatusAggregator status) {
    return switch (reason) {
      case SECRET_NOT_FOUND ->
          SECRET_BACKOFF.delay(
              status.countAttempt(Reason.SECRET_NOT_FOUND, SECRET_BACKOFF.saturatesAt()));
      case SOURCE_UNAVAILABLE -> SOURCE_RETRY;
      default -> null;
    };
  }

  /** Events and metrics for this reconciliation's outcome. */
  private void record(
      NodeAppImage resource,
      ClusterAccess cluster,
      StatusAggregator status,
      NodeAppImageStatus next,
      String lostMessage) {
    var events = cluster.events();
    for (var n : EventPolicy.notices(status.previous(), next, status.reason(), lostMessage)) {
      if (n.warning()) {
        events.warning(resource, n.reason(), n.message());
      } else {
        events.normal(resource, n.reason(), n.message());
      }
    }
    EventPolicy.finishedBuild(status.previous(), next, status.reason())
        .ifPresent(
            outcome ->
                metrics.buildFinished(
                    resource.getMetadata().getNamespace(), outcome, duration(next.getBuild())));
    LOG.debugf(
        "%s/%s generation %d: %s (status %s)",
        resource.getMetadata().getNamespace(),
        resource.getMetadata().getName(),
        generation(resource),
        status.reason().reason(),
        status.changed(next) ? "patched" : "unchanged");
  }

  static long generation(NodeAppImage resource) {
    return Optional.ofNullable(resource.getMetadata().getGeneration()).orElse(1L);
  }

  static Duration duration(NodeAppImageStatus.BuildStatus build) {
    if (build == null || build.getStartTime() == null || build.getCompletionTime() == null) {
      return null;
    }
    return Duration.between(
        Instant.parse(build.getStartTime()), Instant.parse(build.getCompletionTime()));
  }
}

package dev.leanode.reconciler;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.api.v1alpha1.NodeAppImageStatus.BuildRecord;
import dev.leanode.build.BuildLayout;
import dev.leanode.build.BuildPlan;
import dev.leanode.build.BuildState;
import dev.leanode.build.ImageBuildRunner;
import dev.leanode.build.KanikoBuildRunner;
import dev.leanode.build.Labels;
import dev.leanode.config.BuildSettings;
import dev.leanode.dockerfile.DockerfileGenerator;
import dev.leanode.metrics.BuildMetrics;
import dev.leanode.observe.BaseImageResolver;
import dev.leanode.observe.BuildInputsResolver;
import dev.leanode.observe.BuildObserver;
import dev.leanode.observe.BuildProgress;
import dev.leanode.observe.ImageMeasurer;
import dev.leanode.registry.RegistryClient;
import dev.leanode.status.BuildHistory;
import dev.leanode.status.Reason;
import dev.leanode.status.ReconcileErrors;
import dev.leanode.status.StatusAggregator;
import dev.leanode.status.Trigger;
import dev.leanode.validation.SpecValidator;
import dev.leanode.verify.HttpProbe;
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
    verbs = {"get", "list", "watch", "create", "delete"})
@RBACRule(apiGroups = "", resources = "pods/log", verbs = "get")
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

  static final Duration QUEUE_RETRY = Duration.ofSeconds(10);

  /**
   * While a build runs, its log is read again this often for the progress in its Building
   * condition: at most one status write per interval, not one per log line.
   */
  static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

  /** After JOSDK's last retry of a failing reconciliation, look again this much later. */
  static final Duration ERROR_RETRY = Duration.ofMinutes(2);

  private static final Logger LOG = Logger.getLogger(NodeAppImageReconciler.class);

  private final BuildSettings settings;
  private final BuildInputsResolver inputs;
  private final BuildObserver observer;
  private final ImageMeasurer measurer;
  private final BuildMetrics metrics;
  private final BuildQueue queue;
  private final BaseImageResolver baseImages;
  private final Verification verification =
      new Verification(new HttpProbe(java.time.Clock.systemUTC()), java.time.Clock.systemUTC());

  public NodeAppImageReconciler(
      BuildSettings settings,
      SpecValidator validator,
      DockerfileGenerator generator,
      ImageBuildRunner runner,
      RegistryClient registry,
      SourceResolver sources,
      BuildMetrics metrics) {
    this.settings = settings;
    this.baseImages =
        new BaseImageResolver(
            registry,
            settings.registryMirrors(),
            settings.baseImagePollInterval(),
            java.time.Clock.systemUTC());
    this.inputs =
        new BuildInputsResolver(
            settings,
            validator,
            generator,
            runner,
            sources::resolve,
            sources::files,
            baseImages::resolve);
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
    verification.reconcile(resource, cluster, status);
    sizeBudget(resource, status);
    NodeAppImageStatus next = status.build(generation(resource), Instant.now());
    EventPolicy.announce(resource, cluster.events(), metrics, status, next, lostMessage);
    LOG.debugf(
        "%s/%s generation %d: %s (status %s)",
        resource.getMetadata().getNamespace(),
        resource.getMetadata().getName(),
        generation(resource),
        status.reason().reason(),
        status.changed(next) ? "patched" : "unchanged");
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

  /** spec.output.sizeBudget, when set and valid, for the SizeWithinBudget condition. */
  private static void sizeBudget(NodeAppImage resource, StatusAggregator status) {
    var output = resource.getSpec() == null ? null : resource.getSpec().getOutput();
    String budget = output == null ? null : output.getSizeBudget();
    if (budget != null && SpecValidator.sizeBudgetProblem(budget) == null) {
      status.sizeBudget(budget, SpecValidator.sizeBudgetBytes(budget));
    }
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
    // an API error says nothing new about the image: its Verified and SizeWithinBudget stand
    status.keepVerified();
    sizeBudget(resource, status);
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
      p.record(status);
      return null;
    }
    var in = (BuildInputsResolver.Inputs) resolution;
    BuildPlan plan = in.plan();
    boolean suspended = resource.getSpec().suspended();
    in.record(status, pollKey(resource), Instant.now(), !suspended);

    Optional<Job> job = cluster.job(plan.name());
    var observation =
        observer.observe(
            plan.name(),
            plan.inputHash(),
            job,
            job.map(cluster::pods).orElse(List.of()),
            status.previous().getBuild(),
            Instant.now());
    if (suspended && Suspension.stops(observation)) {
      if (!Suspension.suspend(cluster, job, status).isEmpty()) {
        queue.observed(true);
      }
      return null;
    }
    String lost = null;
    if (observation instanceof BuildObserver.FinishedAndRemoved) {
      BuildObserver.keepResult(status, plan.name());
    } else if (observation instanceof BuildObserver.LostTooOften l) {
      status.next().setBuild(l.build());
      status.outcome(Reason.BUILD_FAILED, l.message(), null);
    } else if (observation instanceof BuildObserver.NotStarted) {
      start(resource, cluster, status, in, 1);
    } else if (observation instanceof BuildObserver.Lost l) {
      lost = start(resource, cluster, status, in, l.attempt()) ? l.eventMessage() : null;
    } else if (observation instanceof BuildObserver.Observed o) {
      observed(resource, cluster, status, in, o, job.orElseThrow());
    }
    BuildHistory.update(status.next(), status.reason());
    return lost;
  }

  /** Who this resource is for its poll slots (namespace/name: stable across restarts). */
  static String pollKey(NodeAppImage resource) {
    return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
  }

  /** Takes a build slot (or queues) and creates the build; false when queued. */
  private boolean start(
      NodeAppImage resource,
      ClusterAccess cluster,
      StatusAggregator status,
      BuildInputsResolver.Inputs in,
      int attempt) {
    BuildPlan plan = in.plan();
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
    Trigger trigger =
        BuildHistory.started(
            status.next(), record(resource, in), BuildHistory.size(settings.keepJobs()));
    metrics.buildStarted(resource.getMetadata().getNamespace(), trigger.value());
    status.next().setBuild(BuildObserver.started(plan.name(), plan.inputHash(), attempt, trigger));
    status.outcome(Reason.BUILD_RUNNING, BuildObserver.runningMessage(plan.name(), attempt), null);
    return true;
  }

  private void observed(
      NodeAppImage resource,
      ClusterAccess cluster,
      StatusAggregator status,
      BuildInputsResolver.Inputs in,
      BuildObserver.Observed o,
      Job job) {
    status.next().setBuild(o.build());
    if (o.state().phase() == BuildState.Phase.SUCCEEDED) {
      var m =
          measurer.measure(resource.getSpec(), o.state(), in.dockerConfigJson(), status.previous());
      ImageMeasurer.record(m, status)
          .ifPresent(bytes -> metrics.imageSize(resource.getMetadata().getNamespace(), bytes));
    } else {
      var verdict = BuildObserver.verdict(in.plan().name(), o.state(), o.build().getAttempt());
      if (!o.state().phase().finished() && o.state().message() == null) {
        // where the build is, from its log; while a pod runs (its log can grow) looked at again
        // soon, and written only when it moved. Without a running pod, the pod's events wake us.
        var pod = cluster.runningPod(job);
        String log = pod.flatMap(p -> cluster.logTail(p, KanikoBuildRunner.CONTAINER)).orElse(null);
        String dockerfile = in.plan().configMap().getData().get(BuildLayout.DOCKERFILE);
        status.outcome(
            verdict.reason(),
            BuildProgress.message(verdict.message(), dockerfile, log, status.previousMessage()),
            pod.isPresent() ? PROGRESS_INTERVAL : null);
      } else {
        status.outcome(verdict.reason(), verdict.message(), null);
      }
    }
    queue.observed(o.state().phase().finished());
    Retention.beyond(cluster.jobs(), in.plan().name(), settings.keepJobs())
        .forEach(cluster::delete);
  }

  /** The history record of a build of these inputs, before its trigger is decided. */
  private static BuildRecord record(NodeAppImage resource, BuildInputsResolver.Inputs in) {
    var r = new BuildRecord();
    r.setJob(in.plan().name());
    r.setGeneration(generation(resource));
    r.setCommit(in.source() == null ? null : in.source().getCommit());
    r.setBaseImageDigest(in.baseImage().getDigest());
    var annotations = resource.getMetadata().getAnnotations();
    r.setRebuild(annotations == null ? null : annotations.get(REBUILD_ANNOTATION));
    return r;
  }

  static long generation(NodeAppImage resource) {
    return Optional.ofNullable(resource.getMetadata().getGeneration()).orElse(1L);
  }
}

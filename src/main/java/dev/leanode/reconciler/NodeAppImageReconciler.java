package dev.leanode.reconciler;

import dev.leanode.api.v1alpha1.GitSource;
import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageSpec;
import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.build.BuildPlan;
import dev.leanode.build.BuildRequest;
import dev.leanode.build.BuildState;
import dev.leanode.build.ImageBuildRunner;
import dev.leanode.build.Labels;
import dev.leanode.config.BuildSettings;
import dev.leanode.dockerfile.DockerfileGenerator;
import dev.leanode.dockerfile.DockerfileOptions;
import dev.leanode.metrics.BuildMetrics;
import dev.leanode.registry.DockerConfigJson;
import dev.leanode.registry.ImageReference;
import dev.leanode.registry.ImageSize;
import dev.leanode.registry.RegistryClient;
import dev.leanode.registry.RegistryCredentials;
import dev.leanode.registry.RegistryException;
import dev.leanode.registry.SizeFormat;
import dev.leanode.source.GitCredentials;
import dev.leanode.source.ResolvedSource;
import dev.leanode.source.SourceUnavailableException;
import dev.leanode.status.Conditions;
import dev.leanode.status.Reason;
import dev.leanode.validation.FieldError;
import dev.leanode.validation.SpecValidator;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Observe → validate → act → write status once (the Flink operator's loop): a NodeAppImage becomes
 * a build ConfigMap + Job per distinct build input; the Job's outcome and the registry's answer
 * become conditions and {@code status.output}.
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
  public static final String CA_BUNDLE_PATH = "/leanode/ca/ca.crt";

  /** Changing this annotation's value requests a rebuild of unchanged inputs (e.g. after a fix). */
  public static final String REBUILD_ANNOTATION = Labels.REBUILD_ANNOTATION;

  /** Warning Event reason when a build Job vanished before it finished and is created again. */
  public static final String JOB_LOST_EVENT = "BuildJobLost";

  /** Creations of one build input's Job; a Job lost after this many fails the build. */
  static final int MAX_JOB_ATTEMPTS = 2;

  private static final Logger LOG = Logger.getLogger(NodeAppImageReconciler.class);

  /**
   * Missing or malformed Secrets are re-read with backoff from SECRET_RETRY_MIN to SECRET_RETRY:
   * the operator may only GET Secrets by name (no watch, see docs/security.md), so it polls, fast
   * at first because a Secret is usually created right after the resource that names it.
   */
  static final Duration SECRET_RETRY_MIN = Duration.ofSeconds(1);

  static final Duration SECRET_RETRY = Duration.ofSeconds(30);
  static final Duration SOURCE_RETRY = Duration.ofMinutes(1);
  static final Duration QUEUE_RETRY = Duration.ofSeconds(10);
  static final Duration GIT_POLL = Duration.ofMinutes(5);
  static final Duration SIZE_RETRY_MIN = Duration.ofSeconds(5);
  static final Duration SIZE_RETRY_MAX = Duration.ofMinutes(5);

  private final BuildSettings settings;
  private final SpecValidator validator;
  private final DockerfileGenerator generator;
  private final ImageBuildRunner runner;
  private final RegistryClient registry;
  private final SourceResolver sources;
  private final BuildMetrics metrics;
  private final BuildSlots slots;
  private final Map<String, Integer> sizeAttempts = new ConcurrentHashMap<>();
  private final Map<String, Integer> secretAttempts = new ConcurrentHashMap<>();
  private volatile InformerEventSource<Job, NodeAppImage> jobs;
  private final QueueWakeups queue = new QueueWakeups();

  public NodeAppImageReconciler(
      BuildSettings settings,
      SpecValidator validator,
      DockerfileGenerator generator,
      ImageBuildRunner runner,
      RegistryClient registry,
      SourceResolver sources,
      BuildMetrics metrics) {
    this.settings = settings;
    this.validator = validator;
    this.generator = generator;
    this.runner = runner;
    this.registry = registry;
    this.sources = sources;
    this.metrics = metrics;
    this.slots = new BuildSlots(settings.maxConcurrentBuilds());
  }

  @Override
  public List<EventSource<?, NodeAppImage>> prepareEventSources(
      EventSourceContext<NodeAppImage> context) {
    String managed = Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE;
    var jobSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Job.class, NodeAppImage.class)
                .withName("build-jobs")
                .withLabelSelector(managed)
                .build(),
            context);
    // Build pods are owned by their Job, not by us: map them back through our label.
    var podSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, NodeAppImage.class)
                .withName("build-pods")
                .withLabelSelector(managed)
                .withSecondaryToPrimaryMapper(
                    pod -> {
                      var annotations = pod.getMetadata().getAnnotations();
                      String owner =
                          annotations == null
                              ? null
                              : annotations.get(Labels.RESOURCE_NAME_ANNOTATION);
                      return owner == null
                          ? Set.of()
                          : Set.of(new ResourceID(owner, pod.getMetadata().getNamespace()));
                    })
                .build(),
            context);
    this.jobs = jobSource;
    return List.of(jobSource, podSource, queue);
  }

  @Override
  public UpdateControl<NodeAppImage> reconcile(NodeAppImage resource, Context<NodeAppImage> ctx) {
    var round = new Round(resource, ctx);
    round.run();
    return round.finish();
  }

  /** One reconciliation: gathers the outcome, then writes status once. */
  private final class Round {
    final NodeAppImage resource;
    final Context<NodeAppImage> ctx;
    final KubernetesClient client;
    final NodeAppImageStatus previous;
    final NodeAppImageStatus next;
    final long generation;
    final String namespace;
    Reason reason = Reason.PENDING;
    String message;
    Duration reschedule;
    boolean lostJob;
    String lostMessage;

    Round(NodeAppImage resource, Context<NodeAppImage> ctx) {
      this.resource = resource;
      this.ctx = ctx;
      this.client = ctx.getClient();
      this.previous =
          resource.getStatus() == null ? new NodeAppImageStatus() : resource.getStatus();
      this.next = copy(previous);
      this.generation = Optional.ofNullable(resource.getMetadata().getGeneration()).orElse(1L);
      this.namespace = resource.getMetadata().getNamespace();
    }

    void run() {
      NodeAppImageSpec spec = resource.getSpec();
      List<FieldError> errors =
          spec == null ? List.of(new FieldError("spec", "is required")) : validator.validate(spec);
      if (!errors.isEmpty()) {
        outcome(Reason.INVALID_SPEC, joinErrors(errors), null);
        return;
      }

      String pushSecretName =
          spec.getOutput().getPushSecretRef() != null
              ? spec.getOutput().getPushSecretRef().getName()
              : settings.defaultPushSecret();
      Optional<String> dockerConfig = Optional.empty();
      if (pushSecretName != null) {
        var pushSecret = readDockerConfig(pushSecretName);
        if (pushSecret.error != null) {
          outcome(Reason.SECRET_NOT_FOUND, pushSecret.error, secretRetry());
          return;
        }
        dockerConfig = Optional.of(pushSecret.value);
      }

      ResolvedSource source;
      try {
        source = resolveSource(spec);
      } catch (SecretProblem e) {
        outcome(Reason.SECRET_NOT_FOUND, e.getMessage(), secretRetry());
        return;
      } catch (SourceUnavailableException e) {
        outcome(Reason.SOURCE_UNAVAILABLE, e.getMessage(), SOURCE_RETRY);
        return;
      }
      secretAttempts.remove(resource.getMetadata().getUid());

      var options =
          new DockerfileOptions(settings.caBundlePem().isPresent() ? CA_BUNDLE_PATH : null);
      String dockerfile;
      String singleStage;
      try {
        dockerfile = generator.generate(spec.getApp(), options);
        singleStage =
            Boolean.TRUE.equals(spec.getBuild().getCompareSingleStage())
                ? generator.generateSingleStage(spec.getApp(), options)
                : null;
      } catch (IllegalArgumentException e) {
        outcome(Reason.INVALID_SPEC, e.getMessage(), null);
        return;
      }

      BuildPlan plan;
      try {
        plan =
            runner.plan(
                new BuildRequest(
                    resource, dockerfile, singleStage, source, pushSecretName, settings));
      } catch (IllegalArgumentException e) {
        outcome(Reason.INVALID_SPEC, e.getMessage(), null);
        return;
      }

      next.setDockerfile(
          new NodeAppImageStatus.DockerfileStatus(
              plan.configMap().getMetadata().getName(), sha256(dockerfile)));
      if (source instanceof ResolvedSource.Git git) {
        next.setSource(
            new NodeAppImageStatus.SourceStatus(
                git.commit(),
                Objects.requireNonNullElse(spec.getSource().getGit().getRevision(), "HEAD")));
      } else {
        next.setSource(null);
      }

      Job job = currentJob(plan.name());
      if (job == null) {
        boolean sameBuildDone =
            previous.getBuild() != null
                && plan.inputHash().equals(previous.getBuild().getInputHash())
                && previous.getBuild().getCompletionTime() != null;
        if (sameBuildDone) {
          // The Job of these exact inputs finished and was cleaned up (TTL/retention): its result
          // stands. A rebuild is asked for with the leanode.dev/rebuild annotation.
          keepFinishedOutcome();
          return;
        }
        var prevBuild = previous.getBuild();
        boolean lost =
            prevBuild != null
                && plan.name().equals(prevBuild.getJob())
                && plan.inputHash().equals(prevBuild.getInputHash())
                && prevBuild.getCompletionTime() == null;
        int attempt = lost ? Objects.requireNonNullElse(prevBuild.getAttempt(), 1) + 1 : 1;
        if (lost && attempt > MAX_JOB_ATTEMPTS) {
          // Deleted twice before it finished: someone or something (quota, a cleanup job) keeps
          // removing it. Creating it a third time would hide that; the user decides.
          var failed = copy(prevBuild);
          failed.setAttempt(MAX_JOB_ATTEMPTS);
          next.setBuild(failed);
          outcome(
              Reason.BUILD_FAILED,
              "build Job "
                  + plan.name()
                  + " was deleted twice before it finished; set annotation "
                  + REBUILD_ANNOTATION
                  + "=<any new value> to retry",
              null);
          return;
        }
        if (!slots.tryReserve(namespace + "/" + plan.name(), activeJobKeys())) {
          queue.waiting(ResourceID.fromResource(resource));
          outcome(
              Reason.QUEUED,
              "Waiting for a free build slot: "
                  + slots.max()
                  + " builds run (leanode.build.max-concurrent-builds)",
              QUEUE_RETRY);
          return;
        }
        queue.started(ResourceID.fromResource(resource));
        createBuild(plan);
        var build = new NodeAppImageStatus.BuildStatus();
        build.setJob(plan.name());
        build.setInputHash(plan.inputHash());
        build.setAttempt(attempt);
        next.setBuild(build);
        if (lost) {
          lostJob = true;
          lostMessage =
              "Build Job "
                  + plan.name()
                  + " was deleted before it finished; created it again (attempt "
                  + attempt
                  + " of "
                  + MAX_JOB_ATTEMPTS
                  + ")";
        }
        // the same words as while it runs: the next reconciliation then has nothing to patch
        outcome(Reason.BUILD_RUNNING, runningMessage(plan.name(), attempt), null);
        return;
      }

      BuildState state = runner.observe(job, buildPods(job));
      var build = new NodeAppImageStatus.BuildStatus();
      build.setJob(plan.name());
      build.setInputHash(plan.inputHash());
      build.setStartTime(state.startTime());
      build.setCompletionTime(state.completionTime());
      boolean sameJob =
          previous.getBuild() != null && plan.name().equals(previous.getBuild().getJob());
      if (build.getCompletionTime() == null
          && state.phase() != BuildState.Phase.PENDING
          && state.phase() != BuildState.Phase.RUNNING) {
        // A finished build always gets a completion time: it is what tells a Job removed by its
        // TTL (result stands) from a Job lost mid-build (created again).
        build.setCompletionTime(
            sameJob && previous.getBuild().getCompletionTime() != null
                ? previous.getBuild().getCompletionTime()
                : Instant.now().toString());
      }
      build.setAttempt(sameJob ? previous.getBuild().getAttempt() : Integer.valueOf(1));
      next.setBuild(build);

      switch (state.phase()) {
        case PENDING, RUNNING ->
            outcome(
                Reason.BUILD_RUNNING,
                state.message() != null
                    ? state.message()
                    : runningMessage(plan.name(), build.getAttempt()),
                null);
        case FAILED -> outcome(Reason.BUILD_FAILED, state.message(), null);
        case TIMED_OUT ->
            outcome(
                Reason.BUILD_TIMED_OUT,
                "Build Job "
                    + plan.name()
                    + " exceeded its timeout"
                    + (state.message() == null ? "" : ": " + state.message()),
                null);
        case SUCCEEDED -> measure(spec, state, dockerConfig);
      }
      releaseSlots();
      if (state.phase() != BuildState.Phase.PENDING && state.phase() != BuildState.Phase.RUNNING) {
        wakeQueued();
      }
      deleteOldBuilds(plan.name());
    }

    /** Reads the pushed image's size (and the single-stage one's) from the registry. */
    void measure(NodeAppImageSpec spec, BuildState state, Optional<String> dockerConfig) {
      var out = new NodeAppImageStatus.OutputStatus();
      out.setImage(spec.getOutput().getImage());
      out.setDigest(state.digest());
      var prevOut = previous.getOutput();
      boolean known =
          prevOut != null
              && Objects.equals(prevOut.getDigest(), state.digest())
              && prevOut.getSizeBytes() != null
              && (state.singleStageDigest() == null || previous.getComparison() != null);
      if (known) {
        next.setOutput(prevOut);
        outcome(Reason.BUILD_SUCCEEDED, succeededMessage(prevOut), null);
        return;
      }
      boolean insecure = spec.getOutput().insecure();
      try {
        ImageReference ref = ImageReference.parse(spec.getOutput().getImage());
        Optional<RegistryCredentials> creds =
            dockerConfig.flatMap(json -> DockerConfigJson.credentialsFor(json, ref.registry()));
        ImageSize size = registry.measure(ref.withDigest(state.digest()), creds, insecure);
        out.setSizeBytes(size.compressedBytes());
        out.setSize(SizeFormat.human(size.compressedBytes()));
        out.setPlatform(size.platform());
        if (state.singleStageDigest() != null) {
          ImageSize single =
              registry.measure(
                  ImageReference.parse(singleStageImage(ref)).withDigest(state.singleStageDigest()),
                  creds,
                  insecure);
          next.setComparison(comparison(singleStageImage(ref), single, size));
        } else {
          next.setComparison(null);
        }
        next.setOutput(out);
        sizeAttempts.remove(resource.getMetadata().getUid());
        metrics.imageSize(namespace, size.compressedBytes());
        outcome(Reason.BUILD_SUCCEEDED, succeededMessage(out), null);
      } catch (RegistryException e) {
        next.setOutput(out); // the digest is kept; the size follows when the registry answers
        int attempt = sizeAttempts.merge(resource.getMetadata().getUid(), 1, Integer::sum);
        outcome(
            Reason.SIZE_UNKNOWN,
            "Image pushed as "
                + state.digest()
                + "; reading its size failed (attempt "
                + attempt
                + "): "
                + e.getMessage(),
            backoff(attempt));
      }
    }

    void keepFinishedOutcome() {
      Optional<String> prevReason =
          previous.condition(NodeAppImageStatus.READY).map(c -> c.getReason());
      Reason r =
          prevReason
              .flatMap(
                  s ->
                      java.util.Arrays.stream(Reason.values())
                          .filter(x -> x.reason().equals(s))
                          .findFirst())
              .orElse(Reason.BUILD_SUCCEEDED);
      String msg =
          previous.condition(NodeAppImageStatus.READY).map(c -> c.getMessage()).orElse(null);
      outcome(r, msg, r == Reason.SIZE_UNKNOWN ? SIZE_RETRY_MIN : null);
    }

    void createBuild(BuildPlan plan) {
      try {
        if (client.configMaps().inNamespace(namespace).withName(plan.name()).get() == null) {
          client.configMaps().inNamespace(namespace).resource(plan.configMap()).create();
        }
        client.batch().v1().jobs().inNamespace(namespace).resource(plan.job()).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) { // 409: created concurrently (e.g. by a previous leader); fine
          throw e;
        }
      }
      metrics.buildStarted(namespace);
    }

    void releaseSlots() {
      if (slots.max() > 0) {
        Set<String> active = new java.util.HashSet<>();
        activeJobKeys().forEach(active::add);
        slots.release(k -> !active.contains(k) && jobExistsUnfinished(k));
      }
    }

    /** A build finished: let as many queued resources try as there are free slots. */
    void wakeQueued() {
      if (slots.max() > 0) {
        long active = activeJobKeys().count() + slots.reservedCount();
        queue.wake((int) Math.max(1, slots.max() - active));
      }
    }

    boolean jobExistsUnfinished(String key) {
      // a reservation stays until the informer shows the Job; afterwards active counting covers it
      String[] nsName = key.split("/", 2);
      return jobs == null || jobs.get(new ResourceID(nsName[1], nsName[0])).isEmpty();
    }

    /** Finished build Jobs beyond leanode.build.keep-jobs go, oldest first, with ConfigMaps. */
    void deleteOldBuilds(String current) {
      List<Job> finished =
          ctx.getSecondaryResources(Job.class).stream()
              .filter(j -> !current.equals(j.getMetadata().getName()))
              .filter(JobStates::isFinished)
              // newest first; creation timestamps have second precision, so builds created in
              // the same second are ordered by when they finished
              .sorted(
                  Comparator.comparing((Job j) -> instant(j.getMetadata().getCreationTimestamp()))
                      .thenComparing(NodeAppImageReconciler::finishedAt)
                      .thenComparing(j -> j.getMetadata().getName())
                      .reversed())
              .toList();
      int keep = Math.max(0, settings.keepJobs() - 1); // the current build counts as one
      for (Job old : finished.subList(Math.min(keep, finished.size()), finished.size())) {
        String name = old.getMetadata().getName();
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .withName(name)
            .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
            .delete();
        client.configMaps().inNamespace(namespace).withName(name).delete();
      }
    }

    /**
     * The build's pods from the informer cache. The Job and Pod informers are independent, so a
     * finished Job can arrive before its pod: then the pod (which carries the digest or the log
     * tail) is read from the API server rather than guessed.
     */
    List<Pod> buildPods(Job job) {
      String name = job.getMetadata().getName();
      List<Pod> cached =
          ctx.getSecondaryResources(Pod.class).stream()
              .filter(p -> name.equals(p.getMetadata().getLabels().get("job-name")))
              .toList();
      boolean terminatedSeen =
          cached.stream()
              .anyMatch(
                  p ->
                      p.getStatus() != null
                          && p.getStatus().getContainerStatuses() != null
                          && p.getStatus().getContainerStatuses().stream()
                              .anyMatch(
                                  c ->
                                      c.getState() != null
                                          && c.getState().getTerminated() != null));
      if (!JobStates.isFinished(job) || terminatedSeen) {
        return cached;
      }
      return client.pods().inNamespace(namespace).withLabel("job-name", name).list().getItems();
    }

    Job currentJob(String name) {
      return ctx.getSecondaryResources(Job.class).stream()
          .filter(j -> name.equals(j.getMetadata().getName()))
          .findFirst()
          .orElseGet(() -> client.batch().v1().jobs().inNamespace(namespace).withName(name).get());
    }

    ResolvedSource resolveSource(NodeAppImageSpec spec)
        throws SourceUnavailableException, SecretProblem {
      if (spec.getSource().getInline() != null) {
        return new ResolvedSource.Inline(new TreeMap<>(spec.getSource().getInline().getFiles()));
      }
      GitSource git = spec.getSource().getGit();
      Optional<GitCredentials> creds = Optional.empty();
      if (git.getSecretRef() != null) {
        String name = git.getSecretRef().getName();
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
          throw new SecretProblem(
              "spec.source.git.secretRef: Secret " + namespace + "/" + name + " not found");
        }
        creds =
            GitCredentials.fromSecretData(Objects.requireNonNullElse(secret.getData(), Map.of()));
        if (creds.isEmpty()) {
          throw new SecretProblem(
              "spec.source.git.secretRef: Secret "
                  + name
                  + " must have keys username and password (or token)");
        }
      }
      reschedule = min(reschedule, GIT_POLL); // a branch may move: look again later
      return sources.resolve(git, creds);
    }

    Lookup readDockerConfig(String name) {
      Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
      if (secret == null) {
        return Lookup.error(
            "spec.output.pushSecretRef: Secret " + namespace + "/" + name + " not found");
      }
      String data = secret.getData() == null ? null : secret.getData().get(".dockerconfigjson");
      if (data == null) {
        return Lookup.error(
            "spec.output.pushSecretRef: Secret "
                + name
                + " has no .dockerconfigjson key (type kubernetes.io/dockerconfigjson expected)");
      }
      try {
        String json = new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
        DockerConfigJson.credentialsFor(json, "probe.invalid"); // parses or throws
        return Lookup.of(json);
      } catch (IllegalArgumentException e) {
        return Lookup.error(
            "spec.output.pushSecretRef: Secret "
                + name
                + " holds malformed .dockerconfigjson: "
                + e.getMessage());
      }
    }

    java.util.stream.Stream<String> activeJobKeys() {
      if (jobs == null) {
        return java.util.stream.Stream.empty();
      }
      return jobs.list(j -> !JobStates.isFinished(j))
          .map(j -> j.getMetadata().getNamespace() + "/" + j.getMetadata().getName());
    }

    Duration secretRetry() {
      int attempt = secretAttempts.merge(resource.getMetadata().getUid(), 1, Integer::sum);
      long seconds = SECRET_RETRY_MIN.toSeconds() << Math.min(attempt - 1, 10);
      return Duration.ofSeconds(Math.min(seconds, SECRET_RETRY.toSeconds()));
    }

    void outcome(Reason reason, String message, Duration retry) {
      this.reason = reason;
      this.message = message;
      this.reschedule = min(this.reschedule, retry);
    }

    UpdateControl<NodeAppImage> finish() {
      next.setObservedGeneration(generation);
      next.setConditions(
          Conditions.next(previous.getConditions(), reason, message, generation, Instant.now()));
      emitEvents();
      LOG.debugf(
          "%s/%s generation %d: %s %s (status %s)",
          namespace,
          resource.getMetadata().getName(),
          generation,
          reason.reason(),
          message,
          next.equals(previous) && resource.getStatus() != null ? "unchanged" : "patched");
      UpdateControl<NodeAppImage> control;
      if (next.equals(previous) && resource.getStatus() != null) {
        control = UpdateControl.noUpdate();
      } else {
        resource.setStatus(next);
        control = UpdateControl.patchStatus(resource);
      }
      if (reschedule != null) {
        control.rescheduleAfter(reschedule);
      }
      return control;
    }

    /** One Event per change of outcome, not per reconciliation. */
    void emitEvents() {
      var before = previous.condition(NodeAppImageStatus.READY);
      var after = next.condition(NodeAppImageStatus.READY).orElseThrow();
      boolean changed =
          before.isEmpty()
              || !Objects.equals(before.get().getReason(), after.getReason())
              || (reason.isWarning()
                  && reason != Reason.SIZE_UNKNOWN
                  && !Objects.equals(before.get().getMessage(), after.getMessage()));
      boolean buildStarted =
          reason == Reason.BUILD_RUNNING
              && next.getBuild() != null
              && (previous.getBuild() == null
                  || !Objects.equals(previous.getBuild().getJob(), next.getBuild().getJob()));
      var events = new EventRecorder(client);
      if (buildStarted) {
        events.normal(resource, "BuildStarted", "Created build Job " + next.getBuild().getJob());
      }
      if (lostJob) {
        events.warning(resource, JOB_LOST_EVENT, lostMessage);
      }
      if (!changed) {
        return;
      }
      if (reason.isWarning()) {
        events.warning(resource, reason.reason(), after.getMessage());
      } else if (reason == Reason.BUILD_SUCCEEDED || reason == Reason.QUEUED) {
        events.normal(resource, reason.reason(), after.getMessage());
      }
      finishedMetrics();
    }

    void finishedMetrics() {
      String outcome =
          switch (reason) {
            case BUILD_SUCCEEDED, SIZE_UNKNOWN -> "succeeded";
            case BUILD_FAILED -> "failed";
            case BUILD_TIMED_OUT -> "timed_out";
            default -> null;
          };
      boolean wasRunning =
          previous
              .condition(NodeAppImageStatus.BUILDING)
              .map(c -> "True".equals(c.getStatus()))
              .orElse(false);
      if (outcome != null && wasRunning) {
        metrics.buildFinished(namespace, outcome, duration(next.getBuild()));
      }
    }
  }

  static Instant finishedAt(Job job) {
    var status = job.getStatus();
    if (status == null) {
      return Instant.EPOCH;
    }
    if (status.getCompletionTime() != null) {
      return instant(status.getCompletionTime());
    }
    return status.getConditions() == null
        ? Instant.EPOCH
        : status.getConditions().stream()
            .map(c -> instant(c.getLastTransitionTime()))
            .max(Comparator.naturalOrder())
            .orElse(Instant.EPOCH);
  }

  static Instant instant(String timestamp) {
    try {
      return timestamp == null ? Instant.EPOCH : Instant.parse(timestamp);
    } catch (java.time.format.DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }

  static Duration duration(NodeAppImageStatus.BuildStatus build) {
    if (build == null || build.getStartTime() == null || build.getCompletionTime() == null) {
      return null;
    }
    return Duration.between(
        Instant.parse(build.getStartTime()), Instant.parse(build.getCompletionTime()));
  }

  static String runningMessage(String job, Integer attempt) {
    return "Build Job "
        + job
        + " is running"
        + (attempt != null && attempt > 1
            ? " (attempt " + attempt + " of " + MAX_JOB_ATTEMPTS + ")"
            : "");
  }

  static String succeededMessage(NodeAppImageStatus.OutputStatus out) {
    return "Pushed " + out.getImage() + "@" + out.getDigest() + " (" + out.getSize() + ")";
  }

  static String singleStageImage(ImageReference ref) {
    return ref.withTag(ref.tag() + "-single-stage");
  }

  static NodeAppImageStatus.ComparisonStatus comparison(
      String singleStageImage, ImageSize single, ImageSize lean) {
    var c = new NodeAppImageStatus.ComparisonStatus();
    c.setSingleStageImage(singleStageImage);
    c.setSingleStageSizeBytes(single.compressedBytes());
    long saved = single.compressedBytes() - lean.compressedBytes();
    c.setSavedBytes(saved);
    c.setSavedPercent(
        single.compressedBytes() == 0
            ? 0.0
            : Math.round(1000.0 * saved / single.compressedBytes()) / 10.0);
    return c;
  }

  static Duration backoff(int attempt) {
    long seconds = SIZE_RETRY_MIN.toSeconds() << Math.min(attempt - 1, 10);
    return Duration.ofSeconds(Math.min(seconds, SIZE_RETRY_MAX.toSeconds()));
  }

  static Duration min(Duration a, Duration b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.compareTo(b) <= 0 ? a : b;
  }

  static String joinErrors(List<FieldError> errors) {
    return String.join("; ", errors.stream().map(FieldError::toString).toList());
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static NodeAppImageStatus copy(NodeAppImageStatus status) {
    return SERIALIZATION.clone(status);
  }

  static NodeAppImageStatus.BuildStatus copy(NodeAppImageStatus.BuildStatus build) {
    return SERIALIZATION.clone(build);
  }

  /**
   * Forgets what this process holds in memory (backoff counters, build-slot reservations), as a
   * restarted operator would; everything that matters lives in the API server.
   */
  void forgetInMemoryState() {
    sizeAttempts.clear();
    secretAttempts.clear();
    slots.release(k -> false);
  }

  /** A referenced Secret is missing or unusable. */
  static final class SecretProblem extends Exception {
    SecretProblem(String message) {
      super(message);
    }
  }

  /** A value or the reason there is none. */
  record Lookup(String value, String error) {
    static Lookup of(String value) {
      return new Lookup(value, null);
    }

    static Lookup error(String error) {
      return new Lookup(null, error);
    }
  }
}

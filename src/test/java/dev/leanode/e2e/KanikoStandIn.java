package dev.leanode.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Plays Kubernetes' Job controller, the kubelet and Kaniko for the build Jobs the operator creates
 * on the (mock) API server, with real tools: it reads each Job the way Kaniko would, materialises
 * its volumes with the kubelet's symlink layout, runs the init container's shell command for real
 * (host static busybox in a chroot, volumes bind-mounted at their mountPaths), builds the
 * Dockerfile with {@code buildah bud}, pushes to the real registry with the mounted credentials and
 * writes back what the cluster would: a Pod whose containers terminated with the digest (or the log
 * tail) as message, and the Job's Complete/Failed status.
 *
 * <p>It is strict on purpose: a volume type, mount, env var, container field or Kaniko flag it does
 * not know fails the Job with "stand-in: unsupported …" and is recorded in {@link #errors()}, which
 * every test asserts empty. A bad Job must fail the test, never be papered over.
 *
 * <p>What is assumed about Kaniko (and where the stand-in differs) is listed in {@link
 * #ASSUMPTIONS}.
 */
public final class KanikoStandIn implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KanikoStandIn.class);

  /** What the stand-in takes for Kaniko's and the kubelet's behaviour; reported by the tests. */
  public static final List<String> ASSUMPTIONS =
      List.of(
          "flags are read as single '--flag=value' list elements (the documented Job shape);"
              + " a value flag without '=' is unsupported",
          "--context=dir://PATH or a plain path is a directory in the container's file system;"
              + " git://HOST/PATH#REF#COMMIT is cloned like Kaniko's go-git code: REF must be a full"
              + " ref name (refs/heads/x, refs/tags/x) or a commit hash, then COMMIT is checked out;"
              + " the clone keeps .git in the context like Kaniko's",
          "GIT_PULL_METHOD=http selects http, anything else https; GIT_TOKEN beats"
              + " GIT_USERNAME/GIT_PASSWORD (basic auth)",
          "--dockerfile: an absolute path is looked up in the container's mounts, a relative one"
              + " under the context",
          "RUN steps see every volume the kaniko container mounts, at its mountPath (Kaniko runs"
              + " them in its own root fs) and nothing of them is snapshotted (buildah --volume)",
          "--cache/--cache-repo only change build speed, not image content: validated (the cache"
              + " repo must be in the destination's registry) and otherwise ignored",
          "--insecure/--skip-tls-verify or a loopback/RFC1918/localhost registry host allow plain"
              + " HTTP (go-containerregistry's Scheme()); --registry-certificate=HOST=PATH must name"
              + " a readable file and becomes buildah --cert-dir for that host",
          "credentials come from $DOCKER_CONFIG/config.json (default /kaniko/.docker) auths[host]",
          "the termination message is the file at terminationMessagePath (digest-file) when it is"
              + " non-empty; with FallbackToLogsOnError and a failure, the last 80 lines / 2048 bytes"
              + " of the log (kubelet limits)",
          "containers run one after another (a real pod runs them concurrently); the pod succeeds"
              + " when all containers exit 0; activeDeadlineSeconds kills the build"
              + " (Job Failed/DeadlineExceeded)",
          "the init container image is replaced by the host's static busybox; the kaniko image by"
              + " buildah (vfs, chroot isolation, --pull=never: base images come from local storage)",
          "a FROM pinned by digest (image@sha256:...) is pulled by that digest first, as Kaniko"
              + " pulls every base: Docker Hub names through each --registry-mirror in order, then"
              + " Docker Hub; other names from their own registry, with the mounted credentials",
          "pushed manifests are Docker v2 schema 2 (what Kaniko pushes for Docker Hub style bases)");

  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{40}");
  private static final int MSG_LINES = 80;
  private static final int MSG_BYTES = 2048;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One executed kaniko container. */
  public record Build(
      String namespace,
      String job,
      String container,
      List<String> args,
      List<String> destinations,
      String dockerfile,
      List<String> contextFiles,
      int exitCode,
      String message,
      String log,
      Duration took) {}

  private final KubernetesClient client;
  private final Path workRoot;
  private final Duration maxBuild;
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "kaniko-stand-in");
            t.setDaemon(true);
            return t;
          });
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final List<Build> builds = new CopyOnWriteArrayList<>();
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final ContainerLogs logs = new ContainerLogs();
  private SharedIndexInformer<Job> informer;

  public KanikoStandIn(KubernetesClient client, Path workRoot, Duration maxBuild) {
    this.client = client;
    this.workRoot = workRoot;
    this.maxBuild = maxBuild;
  }

  /** Starts watching Jobs labelled managed-by=leanode in every namespace. */
  public KanikoStandIn start() {
    Tools.requireRealBuildTools();
    informer =
        client
            .batch()
            .v1()
            .jobs()
            .inAnyNamespace()
            .withLabel(MANAGED_BY, "leanode")
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Job job) {
                    submit(job);
                  }

                  @Override
                  public void onUpdate(Job oldJob, Job job) {
                    submit(job);
                  }

                  @Override
                  public void onDelete(Job job, boolean unknownFinalState) {
                    // a real cluster would kill the pod; a finished build has nothing to undo
                  }
                });
    return this;
  }

  /** Problems the stand-in found in Jobs or in itself; tests assert this is empty. */
  public List<String> errors() {
    return List.copyOf(errors);
  }

  /** Drops expected errors (a test that provokes one on purpose). */
  public void forgetErrors(java.util.function.Predicate<String> which) {
    errors.removeIf(which);
  }

  public List<Build> builds() {
    return List.copyOf(builds);
  }

  /** Each container's output, kept while its pod exists (served by {@link KubeletLogServer}). */
  public ContainerLogs logs() {
    return logs;
  }

  /** Waits until every Job seen so far has been executed. */
  public void awaitIdle(Duration timeout) throws InterruptedException {
    var done = executor.submit(() -> {});
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("stand-in still busy after " + timeout, e);
    }
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    executor.shutdownNow();
  }

  private void submit(Job job) {
    if (job.getStatus() != null
        && (positive(job.getStatus().getSucceeded()) || positive(job.getStatus().getFailed()))) {
      return;
    }
    if (seen.add(job.getMetadata().getUid())) {
      executor.submit(() -> execute(job));
    }
  }

  private static boolean positive(Integer i) {
    return i != null && i > 0;
  }

  // ------------------------------------------------------------------ execution

  private void execute(Job job) {
    String ns = job.getMetadata().getNamespace();
    String name = job.getMetadata().getName();
    Pod pod = null;
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    try {
      JobPlan plan;
      try {
        plan = parse(job);
      } catch (Unsupported u) {
        String msg = "stand-in: unsupported " + u.getMessage();
        errors.add(ns + "/" + name + ": " + msg);
        finishJob(job, start, false, "StandInUnsupported", msg);
        return;
      }
      pod = createPod(job, start);
      markJobActive(job, start);
      PodRun run = runPlan(new Owner(ns, name), pod.getMetadata().getName(), plan, start);
      boolean ok = run.ok();
      boolean timedOut = run.timedOut();
      Map<String, ContainerStatus> initStatuses = run.initStatuses();
      Map<String, ContainerStatus> statuses = run.statuses();
      finishPod(pod, plan, initStatuses, statuses, ok);
      if (ok) {
        finishJob(job, start, true, "Completed", "");
      } else if (timedOut) {
        finishJob(
            job, start, false, "DeadlineExceeded", "Job was active longer than specified deadline");
      } else {
        finishJob(
            job,
            start,
            false,
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit");
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        LOG.infof("stand-in: %s/%s vanished while building (deleted by the operator?)", ns, name);
      } else {
        errors.add(ns + "/" + name + ": stand-in failed to talk to the API server: " + e);
      }
    } catch (Throwable t) {
      LOG.errorf(t, "stand-in crashed on %s/%s", ns, name);
      errors.add(ns + "/" + name + ": stand-in crashed: " + t);
      try {
        finishJob(job, start, false, "StandInCrashed", "stand-in crashed: " + t);
      } catch (RuntimeException ignored) {
        // the error is recorded above
      }
    }
  }

  /**
   * The node agent's entry: runs one pod that a real Job controller made. Throws {@link
   * Unsupported} (and records it in {@link #errors()}) for what the stand-in does not implement.
   */
  public PodRun runPod(Owner owner, PodSpec spec, Instant start) throws IOException {
    return runPod(owner, owner.name(), spec, start);
  }

  /**
   * As {@link #runPod(Owner, PodSpec, Instant)}; the containers' logs are kept under {@code pod}.
   */
  public PodRun runPod(Owner owner, String pod, PodSpec spec, Instant start) throws IOException {
    JobPlan plan;
    try {
      plan = parsePod(owner, spec, spec.getActiveDeadlineSeconds());
    } catch (Unsupported u) {
      errors.add(
          owner.namespace() + "/" + owner.name() + ": stand-in: unsupported " + u.getMessage());
      throw u;
    }
    return runPlan(owner, pod, plan, start);
  }

  /** Whose pod this is: namespace and the Job (mock tier) or Pod (node agent) name. */
  public record Owner(String namespace, String name) {}

  /** What a pod's containers did, as the kubelet would report it. */
  public record PodRun(
      Map<String, ContainerStatus> initStatuses,
      Map<String, ContainerStatus> statuses,
      boolean ok,
      boolean timedOut) {}

  /**
   * Runs a pod the kubelet's way: volumes laid out, init containers in order (stop at the first
   * failure), then the Kaniko containers; {@code activeDeadlineSeconds} from {@code start}.
   */
  PodRun runPlan(Owner owner, String pod, JobPlan plan, Instant start) throws IOException {
    String ns = owner.namespace();
    String name = owner.name();
    logs.admit(ns, pod);
    Path dir = Files.createDirectories(workRoot.resolve(ns + "-" + name + "-" + System.nanoTime()));
    Map<String, Path> volumes = materialise(ns, plan, dir.resolve("volumes"));

    Map<String, ContainerStatus> initStatuses = new LinkedHashMap<>();
    Map<String, ContainerStatus> statuses = new LinkedHashMap<>();
    boolean ok = true;
    Instant deadline =
        plan.activeDeadlineSeconds == null
            ? Instant.now().plus(maxBuild)
            : start.plusSeconds(plan.activeDeadlineSeconds);
    boolean timedOut = false;
    for (ContainerPlan init : plan.initContainers) {
      Outcome o = runInit(init, volumes, dir, remaining(deadline), logs.start(ns, pod, init.name));
      initStatuses.put(init.name, terminated(init, o));
      if (o.exitCode != 0) {
        ok = false;
        timedOut = o.timedOut;
        break;
      }
    }
    if (ok) {
      for (ContainerPlan c : plan.containers) {
        Outcome o =
            runKaniko(owner, c, volumes, dir, remaining(deadline), logs.start(ns, pod, c.name));
        statuses.put(c.name, terminated(c, o));
        ok &= o.exitCode == 0;
        timedOut |= o.timedOut;
      }
    }
    return new PodRun(initStatuses, statuses, ok, timedOut);
  }

  private static Duration remaining(Instant deadline) {
    Duration d = Duration.between(Instant.now(), deadline);
    return d.isNegative() ? Duration.ofSeconds(1) : d;
  }

  // ------------------------------------------------------------------ parsing

  public static final class Unsupported extends RuntimeException {
    Unsupported(String message) {
      super(message);
    }
  }

  record Mount(String volume, String mountPath, boolean readOnly) {}

  record ContainerPlan(
      String name,
      List<String> command,
      List<String> args,
      List<Mount> mounts,
      Map<String, String> env,
      String terminationMessagePath,
      String terminationMessagePolicy,
      Long runAsUser,
      Long runAsGroup) {}

  record JobPlan(
      List<Volume> volumes,
      List<ContainerPlan> initContainers,
      List<ContainerPlan> containers,
      Long activeDeadlineSeconds) {}

  private JobPlan parse(Job job) {
    var spec = job.getSpec();
    Owner owner = new Owner(job.getMetadata().getNamespace(), job.getMetadata().getName());
    if (spec.getParallelism() != null && spec.getParallelism() != 1
        || spec.getCompletions() != null && spec.getCompletions() != 1) {
      throw new Unsupported("parallelism/completions other than 1");
    }
    if (spec.getBackoffLimit() == null || spec.getBackoffLimit() != 0) {
      // the documented shape: one attempt; a retried Kaniko build would push twice
      throw new Unsupported("backoffLimit " + spec.getBackoffLimit() + " (expected 0)");
    }
    return parsePod(owner, spec.getTemplate().getSpec(), spec.getActiveDeadlineSeconds());
  }

  /** The pod-level part of {@link #parse}: what the kubelet would be asked to run. */
  JobPlan parsePod(Owner job, PodSpec pod, Long activeDeadlineSeconds) {
    if (!"Never".equals(pod.getRestartPolicy())) {
      throw new Unsupported("restartPolicy " + pod.getRestartPolicy() + " (expected Never)");
    }
    if (!Boolean.FALSE.equals(pod.getAutomountServiceAccountToken())) {
      throw new Unsupported(
          "automountServiceAccountToken must be false (api.md: build pods never mount a token)");
    }
    checkRoot(
        pod.getSecurityContext() == null ? null : pod.getSecurityContext().getRunAsUser(),
        pod.getSecurityContext() == null ? null : pod.getSecurityContext().getRunAsNonRoot(),
        "pod");
    if (notEmpty(pod.getHostAliases())
        || Boolean.TRUE.equals(pod.getHostNetwork())
        || notEmpty(pod.getEphemeralContainers())) {
      throw new Unsupported("hostAliases/hostNetwork/ephemeralContainers");
    }
    Map<String, Volume> volumes = new LinkedHashMap<>();
    for (Volume v : nn(pod.getVolumes())) {
      boolean known = v.getConfigMap() != null || v.getSecret() != null || v.getEmptyDir() != null;
      long sources =
          Stream.of(
                  v.getConfigMap(),
                  v.getSecret(),
                  v.getEmptyDir(),
                  v.getHostPath(),
                  v.getProjected(),
                  v.getPersistentVolumeClaim(),
                  v.getCsi(),
                  v.getDownwardAPI(),
                  v.getEphemeral())
              .filter(java.util.Objects::nonNull)
              .count();
      if (!known || sources != 1) {
        throw new Unsupported("volume " + v.getName() + " (only configMap, secret, emptyDir)");
      }
      volumes.put(v.getName(), v);
    }
    List<ContainerPlan> inits = new ArrayList<>();
    for (Container c : nn(pod.getInitContainers())) {
      inits.add(container(job, c, volumes, true));
    }
    List<ContainerPlan> containers = new ArrayList<>();
    for (Container c : nn(pod.getContainers())) {
      containers.add(container(job, c, volumes, false));
    }
    if (containers.isEmpty()) {
      throw new Unsupported("pod without containers");
    }
    return new JobPlan(List.copyOf(volumes.values()), inits, containers, activeDeadlineSeconds);
  }

  private ContainerPlan container(
      Owner job, Container c, Map<String, Volume> volumes, boolean init) {
    String where = (init ? "init container " : "container ") + c.getName();
    if (notEmpty(c.getEnvFrom())
        || notEmpty(c.getVolumeDevices())
        || notEmpty(c.getPorts())
        || c.getWorkingDir() != null
        || c.getLifecycle() != null
        || c.getStdin() != null && c.getStdin()
        || c.getTty() != null && c.getTty()) {
      throw new Unsupported(where + ": envFrom/volumeDevices/ports/workingDir/lifecycle/stdin/tty");
    }
    SecurityContext sc = c.getSecurityContext();
    if (sc != null && !init) {
      checkRoot(sc.getRunAsUser(), sc.getRunAsNonRoot(), where);
    }
    List<Mount> mounts = new ArrayList<>();
    for (VolumeMount m : nn(c.getVolumeMounts())) {
      if (!volumes.containsKey(m.getName())) {
        throw new Unsupported(where + ": mount of undeclared volume " + m.getName());
      }
      if (m.getSubPath() != null || m.getSubPathExpr() != null) {
        throw new Unsupported(where + ": subPath mount " + m.getName());
      }
      if (!m.getMountPath().startsWith("/")) {
        throw new Unsupported(where + ": relative mountPath " + m.getMountPath());
      }
      mounts.add(new Mount(m.getName(), m.getMountPath(), Boolean.TRUE.equals(m.getReadOnly())));
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : nn(c.getEnv())) {
      if (!init
          && !Set.of(
                  "GIT_PULL_METHOD", "GIT_USERNAME", "GIT_PASSWORD", "GIT_TOKEN", "DOCKER_CONFIG")
              .contains(e.getName())) {
        throw new Unsupported(where + ": env " + e.getName());
      }
      env.put(e.getName(), envValue(job, where, e));
    }
    List<String> command = nn(c.getCommand());
    if (!init) {
      if (!command.isEmpty() && !command.equals(List.of("/kaniko/executor"))) {
        throw new Unsupported(
            where + ": command " + command + " (Kaniko's entrypoint is /kaniko/executor)");
      }
      if (!c.getName().startsWith("kaniko")) {
        throw new Unsupported(where + ": a container that is not Kaniko");
      }
    } else if (command.isEmpty()) {
      throw new Unsupported(where + ": no command (the init image's entrypoint is unknown here)");
    }
    if (!init) {
      parseArgs(where, nn(c.getArgs())); // unknown flags fail the Job before anything runs
    }
    String tmPath =
        c.getTerminationMessagePath() == null
            ? "/dev/termination-log"
            : c.getTerminationMessagePath();
    String tmPolicy =
        c.getTerminationMessagePolicy() == null ? "File" : c.getTerminationMessagePolicy();
    return new ContainerPlan(
        c.getName(),
        command,
        nn(c.getArgs()),
        mounts,
        env,
        tmPath,
        tmPolicy,
        sc == null ? null : sc.getRunAsUser(),
        sc == null ? null : sc.getRunAsGroup());
  }

  private static void checkRoot(Long runAsUser, Boolean runAsNonRoot, String where) {
    if (runAsUser != null && runAsUser != 0 || Boolean.TRUE.equals(runAsNonRoot)) {
      throw new Unsupported(where + ": runs as non-root, Kaniko needs root in its container");
    }
  }

  private String envValue(Owner job, String where, EnvVar e) {
    if (e.getValueFrom() == null) {
      return e.getValue() == null ? "" : e.getValue();
    }
    var ref = e.getValueFrom().getSecretKeyRef();
    if (ref == null) {
      throw new Unsupported(where + ": env " + e.getName() + " valueFrom other than secretKeyRef");
    }
    Secret s = client.secrets().inNamespace(job.namespace()).withName(ref.getName()).get();
    Map<String, byte[]> data = s == null ? Map.of() : secretData(s);
    byte[] v = data.get(ref.getKey());
    if (v == null) {
      if (Boolean.TRUE.equals(ref.getOptional())) {
        return "";
      }
      // the kubelet would hold the pod in CreateContainerConfigError; the Job never finishes
      throw new Unsupported(
          where
              + ": env "
              + e.getName()
              + " refers to missing secret key "
              + ref.getName()
              + "/"
              + ref.getKey()
              + " (pod would never start)");
    }
    return new String(v, StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ volumes

  private Map<String, Path> materialise(String ns, JobPlan plan, Path root) throws IOException {
    Map<String, Path> out = new HashMap<>();
    for (Volume v : plan.volumes) {
      Path dir = root.resolve(v.getName());
      if (v.getEmptyDir() != null) {
        Files.createDirectories(dir);
        // the kubelet creates emptyDir folders 0777, which is what lets a non-root init copy in
        Files.setPosixFilePermissions(
            dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
      } else if (v.getConfigMap() != null) {
        var src = v.getConfigMap();
        ConfigMap cm = client.configMaps().inNamespace(ns).withName(src.getName()).get();
        if (cm == null) {
          throw new Unsupported(
              "configMap volume "
                  + v.getName()
                  + ": ConfigMap "
                  + src.getName()
                  + " does not exist (pod would never start)");
        }
        Map<String, byte[]> data = new LinkedHashMap<>();
        nm(cm.getData()).forEach((k, s) -> data.put(k, s.getBytes(StandardCharsets.UTF_8)));
        nm(cm.getBinaryData()).forEach((k, s) -> data.put(k, Base64.getDecoder().decode(s)));
        KubeletVolumes.materialise(dir, data, src.getItems(), src.getDefaultMode());
      } else {
        var src = v.getSecret();
        Secret s = client.secrets().inNamespace(ns).withName(src.getSecretName()).get();
        if (s == null) {
          throw new Unsupported(
              "secret volume "
                  + v.getName()
                  + ": Secret "
                  + src.getSecretName()
                  + " does not exist (pod would never start)");
        }
        KubeletVolumes.materialise(dir, secretData(s), src.getItems(), src.getDefaultMode());
      }
      out.put(v.getName(), dir);
    }
    return out;
  }

  /** Secret payload as the API server stores it: data (base64), stringData merged in on write. */
  static Map<String, byte[]> secretData(Secret s) {
    Map<String, byte[]> data = new LinkedHashMap<>();
    nm(s.getData()).forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    nm(s.getStringData()).forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    return data;
  }

  /** Host path of a container path, through the container's mounts (longest mountPath wins). */
  private static Path hostPath(ContainerPlan c, Map<String, Path> volumes, String containerPath) {
    Mount best = null;
    for (Mount m : c.mounts) {
      String mp =
          m.mountPath.endsWith("/")
              ? m.mountPath.substring(0, m.mountPath.length() - 1)
              : m.mountPath;
      if ((containerPath.equals(mp) || containerPath.startsWith(mp + "/"))
          && (best == null || mp.length() > best.mountPath.length())) {
        best = m;
      }
    }
    if (best == null) {
      return null;
    }
    String mp = best.mountPath.replaceAll("/+$", "");
    String rest = containerPath.substring(mp.length()).replaceAll("^/+", "");
    Path base = volumes.get(best.volume);
    return rest.isEmpty() ? base : base.resolve(rest);
  }

  // ------------------------------------------------------------------ init container

  private Outcome runInit(
      ContainerPlan c,
      Map<String, Path> volumes,
      Path dir,
      Duration timeout,
      ContainerLogs.Log output)
      throws IOException {
    try {
      return runInitLogged(c, volumes, dir, timeout, output);
    } finally {
      output.finish();
    }
  }

  private Outcome runInitLogged(
      ContainerPlan c,
      Map<String, Path> volumes,
      Path dir,
      Duration timeout,
      ContainerLogs.Log output)
      throws IOException {
    Path root = dir.resolve("init-" + c.name + "-root");
    Files.createDirectories(root.resolve("bin"));
    Files.createDirectories(root.resolve("tmp"));
    Path busybox =
        Path.of(
            Proc.run(Duration.ofSeconds(5), "sh", "-c", "readlink -f \"$(command -v busybox)\"")
                .check()
                .output()
                .trim());
    Files.copy(busybox, root.resolve("bin/busybox"));
    Files.setPosixFilePermissions(
        root.resolve("bin/busybox"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String applet :
        Proc.run(Duration.ofSeconds(5), busybox.toString(), "--list")
            .check()
            .output()
            .split("\n")) {
      if (!applet.isBlank() && !applet.equals("busybox")) {
        Files.createSymbolicLink(root.resolve("bin").resolve(applet.trim()), Path.of("busybox"));
      }
    }
    StringBuilder script = new StringBuilder("set -e\n");
    for (Mount m : c.mounts) {
      String target = root + m.mountPath;
      script.append("mkdir -p ").append(q(target)).append('\n');
      script
          .append("mount --bind ")
          .append(q(volumes.get(m.volume).toString()))
          .append(' ')
          .append(q(target))
          .append('\n');
      if (m.readOnly) {
        script.append("mount -o remount,bind,ro ").append(q(target)).append('\n');
      }
    }
    script.append("exec chroot ");
    if (c.runAsUser != null) {
      // the container's user, as the runtime would set it (host coreutils chroot --userspec)
      script
          .append("--userspec=")
          .append(c.runAsUser)
          .append(':')
          .append(c.runAsGroup == null ? c.runAsUser : c.runAsGroup)
          .append(' ');
    }
    script.append(q(root.toString()));
    for (String part : concat(c.command, c.args)) {
      script.append(' ').append(q(part));
    }
    script.append('\n');
    Map<String, String> env = new LinkedHashMap<>(c.env);
    env.put("PATH", "/bin:/sbin:/usr/bin:/usr/sbin");
    env.put("HOME", "/root");
    try {
      Proc.Result r =
          Proc.run(
              timeout,
              dir,
              env,
              null,
              List.of(
                  "unshare", "--mount", "--propagation", "private", "sh", "-c", script.toString()),
              output::append);
      return new Outcome(r.exitCode(), null, r.output(), false);
    } catch (Proc.ProcException e) {
      e.getMessage().lines().forEach(output::append);
      return new Outcome(137, null, e.getMessage(), true);
    }
  }

  private static String q(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> l = new ArrayList<>(a);
    l.addAll(b);
    return l;
  }

  // ------------------------------------------------------------------ kaniko

  record Outcome(int exitCode, String terminationFile, String log, boolean timedOut) {}

  /** Kaniko's flags as the stand-in understands them. */
  static final class KanikoArgs {
    String dockerfile = "Dockerfile";
    String context = "/workspace/";
    String contextSubPath;
    final List<String> destinations = new ArrayList<>();
    String digestFile;
    boolean cache;
    String cacheRepo;
    boolean insecure;
    boolean skipTlsVerify;
    final Map<String, String> registryCertificates = new LinkedHashMap<>();
    final List<String> buildArgs = new ArrayList<>();
    final List<String> labels = new ArrayList<>();
    String target;
    boolean reproducible;
    final List<String> registryMirrors = new ArrayList<>();
  }

  private static final Set<String> LOGGING_OR_SPEED_FLAGS =
      Set.of(
          "verbosity",
          "log-format",
          "log-timestamp",
          "cleanup",
          "compressed-caching",
          "use-new-run",
          "snapshot-mode",
          "cache-ttl",
          "push-retry",
          "image-fs-extract-retry",
          "cache-run-layers",
          "cache-copy-layers",
          "skip-unused-stages",
          "ignore-var-run",
          "skip-tls-verify-pull",
          "insecure-pull",
          "image-download-retry");

  static KanikoArgs parseArgs(String where, List<String> args) {
    KanikoArgs k = new KanikoArgs();
    for (String a : args) {
      if (!a.startsWith("--")) {
        throw new Unsupported(where + ": positional argument " + a);
      }
      int eq = a.indexOf('=');
      String flag = eq < 0 ? a.substring(2) : a.substring(2, eq);
      String value = eq < 0 ? null : a.substring(eq + 1);
      switch (flag) {
        case "dockerfile" -> k.dockerfile = need(where, flag, value);
        case "context" -> k.context = need(where, flag, value);
        case "context-sub-path" -> k.contextSubPath = need(where, flag, value);
        case "destination" -> k.destinations.add(need(where, flag, value));
        case "digest-file" -> k.digestFile = need(where, flag, value);
        case "cache-repo" -> k.cacheRepo = need(where, flag, value);
        case "registry-certificate" -> {
          String v = need(where, flag, value);
          int i = v.indexOf('=');
          if (i <= 0) {
            throw new Unsupported(where + ": --registry-certificate without HOST=PATH: " + v);
          }
          k.registryCertificates.put(v.substring(0, i), v.substring(i + 1));
        }
        case "build-arg" -> k.buildArgs.add(need(where, flag, value));
        case "label" -> k.labels.add(need(where, flag, value));
        case "target" -> k.target = need(where, flag, value);
        case "registry-mirror" -> k.registryMirrors.add(need(where, flag, value));
        case "cache" -> k.cache = bool(where, flag, value);
        case "insecure" -> k.insecure = bool(where, flag, value);
        case "skip-tls-verify" -> k.skipTlsVerify = bool(where, flag, value);
        case "reproducible" -> k.reproducible = bool(where, flag, value);
        default -> {
          if (!LOGGING_OR_SPEED_FLAGS.contains(flag)) {
            throw new Unsupported(where + ": Kaniko flag --" + flag);
          }
        }
      }
    }
    if (k.destinations.isEmpty()) {
      throw new Unsupported(
          where
              + ": no --destination (Kaniko: 'You must provide --destination, or use --no-push')");
    }
    return k;
  }

  private static String need(String where, String flag, String value) {
    if (value == null || value.isEmpty()) {
      throw new Unsupported(where + ": --" + flag + " without '=value'");
    }
    return value;
  }

  private static boolean bool(String where, String flag, String value) {
    if (value == null || value.equals("true")) {
      return true;
    }
    if (value.equals("false")) {
      return false;
    }
    throw new Unsupported(where + ": --" + flag + "=" + value + " is not a boolean");
  }

  private Outcome runKaniko(
      Owner job,
      ContainerPlan c,
      Map<String, Path> volumes,
      Path dir,
      Duration timeout,
      ContainerLogs.Log output)
      throws IOException {
    KanikoOutput log = new KanikoOutput(output);
    try {
      return runKanikoLogged(job, c, volumes, dir, timeout, log);
    } finally {
      log.finish();
    }
  }

  private Outcome runKanikoLogged(
      Owner job,
      ContainerPlan c,
      Map<String, Path> volumes,
      Path dir,
      Duration timeout,
      KanikoOutput log)
      throws IOException {
    String where = "container " + c.name;
    KanikoArgs k;
    try {
      k = parseArgs(where, c.args);
    } catch (Unsupported u) {
      errors.add(job.namespace() + "/" + job.name() + ": stand-in: unsupported " + u.getMessage());
      log.append("stand-in: unsupported " + u.getMessage());
      return new Outcome(1, null, "stand-in: unsupported " + u.getMessage(), false);
    }
    Instant t0 = Instant.now();
    Path termination = dir.resolve(c.name + ".termination-log");
    Files.writeString(termination, "");
    List<String> contextFiles = List.of();
    String dockerfileText = null;
    int exit;
    boolean timedOut = false;
    try {
      // --- context
      Path context;
      if (k.context.startsWith("git://")) {
        context =
            gitClone(
                k.context.substring("git://".length()),
                c.env,
                dir.resolve(c.name + "-buildcontext"),
                log,
                timeout);
      } else if (k.context.startsWith("dir://") || k.context.startsWith("/")) {
        String p =
            k.context.startsWith("dir://") ? k.context.substring("dir://".length()) : k.context;
        context = hostPath(c, volumes, p);
        if (context == null || !Files.isDirectory(context)) {
          throw new BuildError(
              "error resolving build context: "
                  + k.context
                  + " is not a directory in the container");
        }
      } else {
        throw new Unsupported(where + ": context scheme of " + k.context);
      }
      if (k.contextSubPath != null) {
        context = context.resolve(k.contextSubPath);
        if (!Files.isDirectory(context)) {
          throw new BuildError("context sub path " + k.contextSubPath + " does not exist");
        }
      }
      contextFiles = listing(context);
      // --- dockerfile
      Path dockerfile =
          k.dockerfile.startsWith("/")
              ? hostPath(c, volumes, k.dockerfile)
              : context.resolve(k.dockerfile);
      if (dockerfile == null || !Files.isRegularFile(dockerfile)) {
        throw new BuildError(
            "error resolving dockerfile path: please provide a valid path to a Dockerfile within the build context with --dockerfile ("
                + k.dockerfile
                + ")");
      }
      dockerfileText = Files.readString(dockerfile);
      // --- cache: validated, not emulated (speed only)
      if (k.cacheRepo != null && !k.cache) {
        throw new Unsupported(where + ": --cache-repo without --cache=true");
      }
      if (k.cache
          && k.cacheRepo != null
          && !registryHost(k.cacheRepo).equals(registryHost(k.destinations.get(0)))) {
        throw new BuildError("cache repo " + k.cacheRepo + " is not in the destination's registry");
      }
      for (var cert : k.registryCertificates.entrySet()) {
        Path p = hostPath(c, volumes, cert.getValue());
        if (p == null || !Files.isReadable(p)) {
          throw new BuildError(
              "failed to read registry certificate " + cert.getValue() + " for " + cert.getKey());
        }
      }
      pullPinnedBases(c, volumes, k, dockerfileText, log, timeout);
      // --- build
      String localTag =
          "localhost/leanode-stand-in/" + job.name() + "-" + c.name + ":" + System.nanoTime();
      List<String> bud =
          new ArrayList<>(
              Tools.buildah(
                  "bud",
                  "--isolation",
                  "chroot",
                  "--pull=never",
                  "--format",
                  "docker",
                  "--file",
                  dockerfile.toString(),
                  "--tag",
                  localTag));
      for (Mount m : c.mounts) {
        bud.add("--volume");
        bud.add(volumes.get(m.volume) + ":" + m.mountPath + (m.readOnly ? ":ro" : ""));
      }
      k.buildArgs.forEach(
          a -> {
            bud.add("--build-arg");
            bud.add(a);
          });
      k.labels.forEach(
          a -> {
            bud.add("--label");
            bud.add(a);
          });
      // Kaniko snapshots every filesystem-changing instruction as a layer of its own (cache or
      // not); buildah does that only with --layers. Without it the final stage is one squashed
      // layer and status.output.layers could not be told apart as on a real cluster. Always
      // --no-cache: Kaniko's cache lives in the registry's cache repo, which is validated here,
      // not emulated (see above); a local buildah cache would keep every step's image in the
      // shared storage. --force-rm: a failed step's working container goes too (buildah keeps it
      // by default, and it would pin the images below it).
      bud.add("--layers");
      bud.add("--no-cache");
      bud.add("--force-rm");
      if (k.target != null) {
        bud.add("--target");
        bud.add(k.target);
      }
      if (k.reproducible) {
        bud.add("--timestamp");
        bud.add("0");
      }
      bud.add(context.toString());
      String digest = null;
      try {
        Proc.Result built = Proc.run(timeout, null, Map.of(), null, bud, log::buildahLine);
        if (!built.ok()) {
          throw new BuildError(
              log.stepFailure().orElse("error building image: exit status " + built.exitCode()));
        }
        // --- push
        for (String dest : k.destinations) {
          log.info("Pushing image to " + dest);
          digest = push(c, volumes, k, localTag, dest, dir, log, timeout);
          log.info("Pushed " + dest.replaceFirst(":[^:/]+$", "") + "@" + digest);
        }
      } finally {
        forgetLocalImages(localTag, log.committedImages());
      }
      if (k.digestFile != null) {
        if (k.digestFile.equals(c.terminationMessagePath)) {
          Files.writeString(termination, digest);
        } else if (hostPath(c, volumes, k.digestFile) != null) {
          Files.writeString(hostPath(c, volumes, k.digestFile), digest);
        }
      }
      exit = 0;
    } catch (BuildError e) {
      log.append(e.getMessage());
      exit = 1;
    } catch (Unsupported u) {
      errors.add(job.namespace() + "/" + job.name() + ": stand-in: unsupported " + u.getMessage());
      log.append("stand-in: unsupported ").append(u.getMessage());
      exit = 1;
    } catch (Proc.ProcException e) {
      log.append(e.getMessage());
      timedOut = e.getMessage().startsWith("command timed out");
      exit = timedOut ? 137 : 1;
    }
    Outcome o = new Outcome(exit, Files.readString(termination), log.toString(), timedOut);
    builds.add(
        new Build(
            job.namespace(),
            job.name(),
            c.name,
            c.args,
            List.copyOf(k.destinations),
            dockerfileText,
            contextFiles,
            exit,
            message(c, o),
            log.toString(),
            Duration.between(t0, Instant.now())));
    return o;
  }

  /** A build failure Kaniko would report in its log (not a stand-in problem). */
  static final class BuildError extends RuntimeException {
    BuildError(String message) {
      super(message);
    }
  }

  private String push(
      ContainerPlan c,
      Map<String, Path> volumes,
      KanikoArgs k,
      String localTag,
      String dest,
      Path dir,
      KanikoOutput log,
      Duration timeout)
      throws IOException {
    String host = registryHost(dest);
    Path digestFile = dir.resolve(c.name + ".digest");
    List<String> cmd =
        new ArrayList<>(
            Tools.buildah("push", "--digestfile", digestFile.toString(), "--format", "v2s2"));
    if (k.insecure || k.skipTlsVerify || plainHttpByDefault(host)) {
      cmd.add("--tls-verify=false");
    }
    String creds = credentials(c, volumes, host);
    if (creds != null) {
      cmd.add("--creds");
      cmd.add(creds);
    }
    String cert = k.registryCertificates.get(host);
    if (cert != null) {
      Path certDir =
          Files.createDirectories(dir.resolve(c.name + "-certs-" + host.replace(':', '_')));
      Files.copy(
          hostPath(c, volumes, cert),
          certDir.resolve("ca.crt"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      cmd.add("--cert-dir");
      cmd.add(certDir.toString());
    }
    cmd.add(localTag);
    cmd.add("docker://" + dest);
    Proc.Result r = Proc.run(timeout, cmd);
    r.output().replace(creds == null ? "\u0000" : creds, "***").lines().forEach(log::buildahLine);
    if (!r.ok()) {
      throw new BuildError("error pushing image: failed to push to destination " + dest);
    }
    return Files.readString(digestFile).trim();
  }

  private static final Pattern PINNED_FROM =
      Pattern.compile("(?m)^FROM\\s+(\\S+@sha256:[0-9a-f]{64})(\\s|$)");

  /**
   * Kaniko pulls each base from a registry; buildah runs with --pull=never, so a base pinned by
   * digest is pulled by that digest into local storage first (a tag alone would never be checked
   * against the registry).
   */
  private void pullPinnedBases(
      ContainerPlan c,
      Map<String, Path> volumes,
      KanikoArgs k,
      String dockerfile,
      KanikoOutput log,
      Duration timeout)
      throws IOException {
    var m = PINNED_FROM.matcher(dockerfile);
    Set<String> done = new java.util.HashSet<>();
    while (m.find()) {
      String pinned = m.group(1);
      if (!done.add(pinned)) {
        continue;
      }
      var ref = dev.leanode.registry.ImageReference.parse(pinned);
      List<String> sources = new ArrayList<>();
      if (ref.registry().equals(dev.leanode.registry.ImageReference.DOCKER_HUB)) {
        for (String mirror : k.registryMirrors) {
          sources.add(mirror + "/" + ref.repository() + "@" + ref.digest());
        }
      }
      sources.add(ref.registry() + "/" + ref.repository() + "@" + ref.digest());
      boolean pulled = false;
      for (String source : sources) {
        String host = registryHost(source);
        List<String> cmd = new ArrayList<>(Tools.buildah("pull", "--quiet"));
        if (k.insecure || k.skipTlsVerify || plainHttpByDefault(host)) {
          cmd.add("--tls-verify=false");
        }
        String creds = credentials(c, volumes, host);
        if (creds != null) {
          cmd.add("--creds");
          cmd.add(creds);
        }
        cmd.add("docker://" + source);
        // the pull as one INFO line in Kaniko's format; a failed try's output as plain lines
        log.info("Retrieving image " + pinned + " from registry " + host);
        Proc.Result r = Proc.run(timeout, cmd);
        if (!r.ok()) {
          log.append(r.output().replace(creds == null ? "\u0000" : creds, "***"));
        }
        if (r.ok()) {
          pulled = true;
          break;
        }
      }
      if (!pulled) {
        throw new BuildError("error building image: retrieving image " + pinned + " failed");
      }
    }
  }

  /**
   * Removes what a build left in the shared local storage: its tag, and every intermediate image
   * buildah committed with {@code --layers}, newest first so that no image is removed before its
   * children. With vfs each is a full copy of its stage's filesystem (~200 MB for a node stage):
   * kept, they filled the shared disk. An image still in use (a container on top) is refused by
   * buildah without --force and stays.
   */
  static void forgetLocalImages(String localTag, List<String> committed) {
    Proc.run(Duration.ofMinutes(2), Tools.buildah("rmi", localTag));
    List<String> newestFirst = new ArrayList<>(committed);
    java.util.Collections.reverse(newestFirst);
    for (String id : newestFirst) {
      Proc.run(Duration.ofMinutes(2), Tools.buildah("rmi", id));
    }
  }

  /** go-containerregistry talks plain HTTP to these hosts even without --insecure. */
  static boolean plainHttpByDefault(String host) {
    String h = host.replaceAll(":\\d+$", "");
    return h.equals("localhost")
        || h.startsWith("127.")
        || h.equals("[::1]")
        || h.startsWith("10.")
        || h.startsWith("192.168.")
        || h.matches("172\\.(1[6-9]|2\\d|3[01])\\..*")
        || h.endsWith(".local");
  }

  static String registryHost(String ref) {
    int slash = ref.indexOf('/');
    if (slash < 0) {
      return "index.docker.io";
    }
    String first = ref.substring(0, slash);
    return first.contains(".") || first.contains(":") || first.equals("localhost")
        ? first
        : "index.docker.io";
  }

  private String credentials(ContainerPlan c, Map<String, Path> volumes, String host)
      throws IOException {
    String dockerConfig = c.env.getOrDefault("DOCKER_CONFIG", "/kaniko/.docker");
    Path config = hostPath(c, volumes, dockerConfig.replaceAll("/+$", "") + "/config.json");
    if (config == null || !Files.exists(config)) {
      return null;
    }
    JsonNode auths = JSON.readTree(config.toFile()).path("auths");
    for (var it = auths.fields(); it.hasNext(); ) {
      var e = it.next();
      String key = e.getKey().replaceFirst("^https?://", "").replaceAll("/.*$", "");
      if (key.equals(host) || host.equals("index.docker.io") && key.equals("index.docker.io")) {
        JsonNode a = e.getValue();
        if (a.hasNonNull("auth")) {
          return new String(
              Base64.getDecoder().decode(a.get("auth").asText()), StandardCharsets.UTF_8);
        }
        if (a.hasNonNull("username")) {
          return a.get("username").asText() + ":" + a.path("password").asText();
        }
      }
    }
    return null;
  }

  private Path gitClone(
      String spec, Map<String, String> env, Path dir, KanikoOutput log, Duration timeout) {
    String[] parts = spec.split("#");
    String method = "http".equals(env.get("GIT_PULL_METHOD")) ? "http" : "https";
    String url = method + "://" + parts[0];
    List<String> auth = new ArrayList<>();
    String user = env.getOrDefault("GIT_USERNAME", "");
    String pass = env.getOrDefault("GIT_PASSWORD", "");
    if (!env.getOrDefault("GIT_TOKEN", "").isEmpty()) {
      user = env.get("GIT_TOKEN");
      pass = "";
    }
    if (!user.isEmpty() || !pass.isEmpty()) {
      String basic =
          Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
      auth = List.of("-c", "http.extraHeader=Authorization: Basic " + basic);
    }
    List<String> git = new ArrayList<>(List.of("git", "-c", "protocol.version=2"));
    git.addAll(auth);
    String ref = parts.length > 1 && !parts[1].isEmpty() ? parts[1] : null;
    String commit = parts.length > 2 ? parts[2] : null;
    if (ref != null && !HASH.matcher(ref).matches()) {
      // go-git clones the exact ReferenceName: a short name like "main" is "reference not found"
      Proc.Result ls = Proc.run(timeout, concat(git, List.of("ls-remote", url, ref)));
      log.append(ls.output().replace(pass.isEmpty() ? "\u0000" : pass, "***"));
      boolean exact = ls.ok() && ls.output().lines().anyMatch(l -> l.endsWith("\t" + ref));
      if (!exact) {
        throw new BuildError("error resolving build context: reference not found: " + ref);
      }
    }
    run(git, log, timeout, "clone", "--no-checkout", "--quiet", url, dir.toString());
    List<String> inRepo = concat(git, List.of("-C", dir.toString()));
    if (ref != null && !HASH.matcher(ref).matches()) {
      run(inRepo, log, timeout, "fetch", "--quiet", "origin", ref);
      run(inRepo, log, timeout, "checkout", "--quiet", "--detach", "FETCH_HEAD");
    } else {
      run(
          inRepo,
          log,
          timeout,
          "checkout",
          "--quiet",
          "--detach",
          ref != null ? ref : "origin/HEAD");
    }
    if (commit != null) {
      run(inRepo, log, timeout, "checkout", "--quiet", "--detach", commit);
    }
    return dir;
  }

  private static void run(List<String> base, KanikoOutput log, Duration timeout, String... args) {
    Proc.Result r = Proc.run(timeout, concat(base, List.of(args)));
    log.append(r.output());
    if (!r.ok()) {
      throw new BuildError(
          "error resolving build context: git " + args[0] + " failed (exit " + r.exitCode() + ")");
    }
  }

  private static List<String> listing(Path context) throws IOException {
    try (Stream<Path> s = Files.walk(context, 3)) {
      return s.filter(p -> !p.equals(context))
          .map(
              p ->
                  context.relativize(p).toString()
                      + (Files.isSymbolicLink(p) ? "@" : Files.isDirectory(p) ? "/" : ""))
          .filter(p -> !p.startsWith(".git/"))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  /** The termination message the kubelet would report. */
  private static String message(ContainerPlan c, Outcome o) {
    String file = o.terminationFile == null ? "" : o.terminationFile;
    if (!file.isEmpty()) {
      return file.length() > 4096 ? file.substring(0, 4096) : file;
    }
    if (o.exitCode != 0 && "FallbackToLogsOnError".equals(c.terminationMessagePolicy)) {
      String[] lines = o.log.split("\n");
      String tail =
          String.join(
              "\n",
              java.util.Arrays.copyOfRange(
                  lines, Math.max(0, lines.length - MSG_LINES), lines.length));
      byte[] b = tail.getBytes(StandardCharsets.UTF_8);
      return b.length <= MSG_BYTES
          ? tail
          : new String(b, b.length - MSG_BYTES, MSG_BYTES, StandardCharsets.UTF_8);
    }
    return "";
  }

  // ------------------------------------------------------------------ API writes

  private Pod createPod(Job job, Instant start) {
    var tmpl = job.getSpec().getTemplate();
    Map<String, String> labels =
        new LinkedHashMap<>(nm(tmpl.getMetadata() == null ? null : tmpl.getMetadata().getLabels()));
    String uid = job.getMetadata().getUid();
    labels.put("batch.kubernetes.io/controller-uid", uid);
    labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
    labels.put("controller-uid", uid);
    labels.put("job-name", job.getMetadata().getName());
    String suffix = Long.toString(Math.abs(System.nanoTime() % 60466176L), 36);
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(job.getMetadata().getName() + "-" + suffix)
            .withNamespace(job.getMetadata().getNamespace())
            .withLabels(labels)
            .withAnnotations(
                nm(tmpl.getMetadata() == null ? null : tmpl.getMetadata().getAnnotations()))
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("batch/v1")
                    .withKind("Job")
                    .withName(job.getMetadata().getName())
                    .withUid(uid)
                    .withController(true)
                    .withBlockOwnerDeletion(true)
                    .build())
            .endMetadata()
            .withSpec(tmpl.getSpec())
            .build();
    Pod created =
        client.pods().inNamespace(job.getMetadata().getNamespace()).resource(pod).create();
    created.setStatus(
        new PodStatusBuilder().withPhase("Running").withStartTime(start.toString()).build());
    return client
        .pods()
        .inNamespace(job.getMetadata().getNamespace())
        .resource(created)
        .updateStatus();
  }

  private void markJobActive(Job job, Instant start) {
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName())
        .editStatus(
            j -> {
              JobStatus s = j.getStatus() == null ? new JobStatus() : j.getStatus();
              s.setActive(1);
              s.setStartTime(start.toString());
              j.setStatus(s);
              return j;
            });
  }

  private static ContainerStatus terminated(ContainerPlan c, Outcome o) {
    return new ContainerStatusBuilder()
        .withName(c.name)
        .withReady(false)
        .withRestartCount(0)
        .withState(
            new ContainerStateBuilder()
                .withNewTerminated()
                .withExitCode(o.exitCode)
                .withReason(
                    o.exitCode == 0 ? "Completed" : o.timedOut ? "DeadlineExceeded" : "Error")
                .withMessage(message(c, o).isEmpty() ? null : message(c, o))
                .withFinishedAt(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                .endTerminated()
                .build())
        .build();
  }

  private void finishPod(
      Pod pod,
      JobPlan plan,
      Map<String, ContainerStatus> inits,
      Map<String, ContainerStatus> containers,
      boolean ok) {
    List<ContainerStatus> cs = new ArrayList<>();
    for (ContainerPlan c : plan.containers) {
      cs.add(
          containers.getOrDefault(
              c.name,
              new ContainerStatusBuilder()
                  .withName(c.name)
                  .withReady(false)
                  .withRestartCount(0)
                  .withNewState()
                  .withNewWaiting()
                  .withReason("PodInitializing")
                  .endWaiting()
                  .endState()
                  .build()));
    }
    Pod fresh =
        client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .get();
    fresh.setStatus(
        new PodStatusBuilder(fresh.getStatus())
            .withPhase(ok ? "Succeeded" : "Failed")
            .withInitContainerStatuses(new ArrayList<>(inits.values()))
            .withContainerStatuses(cs)
            .build());
    client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(fresh).updateStatus();
  }

  private void finishJob(Job job, Instant start, boolean ok, String reason, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName())
        .editStatus(
            j -> {
              JobStatus s = j.getStatus() == null ? new JobStatus() : j.getStatus();
              s.setActive(0);
              s.setReady(0);
              if (s.getStartTime() == null) {
                s.setStartTime(start.toString());
              }
              List<JobCondition> conds = new ArrayList<>();
              if (ok) {
                s.setSucceeded(1);
                s.setCompletionTime(now);
                conds.add(
                    cond(
                        "SuccessCriteriaMet",
                        "CompletionsReached",
                        "Reached expected number of succeeded pods",
                        now));
                conds.add(
                    cond(
                        "Complete",
                        "CompletionsReached",
                        "Reached expected number of succeeded pods",
                        now));
              } else {
                s.setFailed(1);
                conds.add(cond("FailureTarget", reason, message, now));
                conds.add(cond("Failed", reason, message, now));
              }
              s.setConditions(conds);
              j.setStatus(s);
              return j;
            });
  }

  private static JobCondition cond(String type, String reason, String message, String now) {
    return new JobConditionBuilder()
        .withType(type)
        .withStatus("True")
        .withReason(reason)
        .withMessage(message)
        .withLastProbeTime(now)
        .withLastTransitionTime(now)
        .build();
  }

  // ------------------------------------------------------------------ helpers

  private static <T> List<T> nn(List<T> l) {
    return l == null ? List.of() : l;
  }

  private static <K, V> Map<K, V> nm(Map<K, V> m) {
    return m == null ? Map.of() : m;
  }

  private static boolean notEmpty(List<?> l) {
    return l != null && !l.isEmpty();
  }

  /** Deletes the stand-in's scratch folders (they hold copies of contexts). */
  public static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}

package dev.leanode.e2e;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Runs ONE container of a build pod for real with podman, the way a kubelet would: the image (the
 * real Kaniko executor built by {@code hack/kaniko.sh}, or the tiny busybox context-init image),
 * command/args/env exactly as the container spec says, each volume mount as {@code -v
 * hostDir:mountPath[:ro]} (host folders laid out by {@link KubeletVolumes}, with their {@code
 * ..data} links), the termination message file bind-mounted at {@code terminationMessagePath}, the
 * container's user, capabilities, no-new-privileges and read-only root file system, host network,
 * and a timeout after which the container is killed.
 *
 * <p>It refuses (throws {@link Unsupported}) every container field it does not implement, so a Job
 * that asks for more than this runner does fails the test instead of being approximated.
 *
 * <h2>What real Kaniko v1.28.3 did with the stand-in's assumptions ({@link
 * KanikoStandIn#ASSUMPTIONS})</h2>
 *
 * Each line: assumption → confirmed / corrected, and the {@code RealKanikoIT} test that shows it.
 *
 * <ol>
 *   <li>flags as single {@code --flag=value} list elements → <b>confirmed</b>: every argument of
 *       the planned Jobs is accepted as is ({@code seedExpressAsPlanned}, all others).
 *   <li>{@code --context=dir:///workspace} is a folder of the container; {@code
 *       git://HOST/PATH#refs/heads/x#COMMIT} clones the full ref and checks COMMIT out →
 *       <b>confirmed</b> against the local smart-HTTP git server ({@code
 *       gitContextBranchAndCommit}), also a tag with {@code --context-sub-path} ({@code
 *       gitTagWithSubPath}) and a bare SHA as {@code ##COMMIT} for a commit that only a non-default
 *       branch reaches ({@code gitBareShaOffTheDefaultBranch}: architecture.md's claim holds).
 *       Short refs ("main") were not tried: the product always sends full ref names.
 *   <li>{@code GIT_PULL_METHOD=http} selects plain http → <b>confirmed</b> (the server speaks plain
 *       HTTP only); GIT_USERNAME/GIT_PASSWORD from the git Secret (secretKeyRef) authenticate
 *       against a basic-auth git server and a wrong password fails ({@code
 *       gitCredentialsFromTheSecret}). GIT_TOKEN: not checked (the product never sets it).
 *   <li>{@code --dockerfile} absolute path inside a mounted ConfigMap volume (through its {@code
 *       ..data} links) → <b>confirmed</b>.
 *   <li>RUN steps see the kaniko container's mounts and nothing of them is snapshotted →
 *       <b>confirmed</b>: npm ci trusts the CA at /leanode/ca/ca.crt and the image has no
 *       /leanode/ca and no {@code ..data} ({@code seedExpressAsPlanned}).
 *   <li>{@code --cache}/{@code --cache-repo} only change build speed → <b>confirmed, and they do
 *       work</b> (the stand-in ignored them): a cold build pushes every layer to {@code
 *       <repo>/cache}; the one-line rebuild logs "Using caching version of cmd: RUN …" and does not
 *       run the step again ({@code cacheRepoIsReusedOnARebuild}).
 *   <li>loopback registries over plain HTTP without {@code --insecure} → <b>confirmed</b> for push,
 *       the cache repo and the mirror (go-containerregistry tries https, then http, for loopback
 *       and RFC 1918 hosts; a {@code --registry-certificate} for a plain-HTTP registry is
 *       harmless). {@code --registry-certificate=HOST=PATH} → <b>confirmed</b>: a TLS registry with
 *       its own CA accepts the push with it; without it the push fails with "x509: certificate
 *       signed by unknown authority" ({@code registryCertificateTrustsATlsRegistry}).
 *   <li>credentials from {@code $DOCKER_CONFIG/config.json} auths[host] (push Secret mounted at
 *       /kaniko/.docker) → <b>confirmed</b> for push, the cache and pulling the base from the
 *       htpasswd registry as mirror; a wrong password fails with UNAUTHORIZED ({@code
 *       pullAndPushSecretsWithTheHtpasswdRegistry}).
 *   <li>{@code --digest-file=/dev/termination-log}: the termination message is the digest →
 *       <b>confirmed</b>, equal to the registry's manifest digest; on a build failure the file
 *       stays empty and FallbackToLogsOnError gives the log tail. <b>Corrected</b> for errors found
 *       before the build starts (git clone refused, Dockerfile path, cache flags): Kaniko prints
 *       "Error: …" and then its whole usage (~9 KB), so the kubelet's 2 KB tail is usage text only;
 *       the operator now drops it and points at {@code kubectl logs POD -c kaniko}
 *       (KanikoJobObserver.withoutKanikoUsage; {@code gitCredentialsFromTheSecret}).
 *   <li>containers one after another → the pod runner's simplification, not Kaniko's behaviour
 *       ({@code compareSingleStageRunsBothKanikoContainers} runs both); activeDeadlineSeconds kills
 *       the container and nothing is pushed ({@code aBuildPastItsDeadlineIsKilled}).
 *   <li>the kaniko image replaced by buildah with {@code --pull=never} (bases from local storage) →
 *       <b>corrected</b>: real Kaniko always pulls the base from a registry, and {@code FROM
 *       node:22-alpine} means Docker Hub; the product gained {@code leanode.build.registry-mirrors}
 *       ({@code --registry-mirror}). The init container runs the real busybox image now too (uid
 *       65532, read-only root, all capabilities dropped, no-new-privileges: it works).
 *   <li>pushed manifests are Docker v2 schema 2 → <b>corrected</b>: Kaniko keeps the base's
 *       manifest type; the local node:22-alpine is OCI, so the app image is {@code
 *       application/vnd.oci.image.manifest.v1+json} (the registry client reads both).
 *   <li>(new) Kaniko as uid 0 with the Job's securityContext (all capabilities dropped but CHOWN,
 *       DAC_OVERRIDE, FOWNER, SETGID, SETUID, SETFCAP, KILL; no-new-privileges) unpacks the base,
 *       runs the RUN steps (chmod -R included) and builds the seed app, which then runs as uid 1000
 *       ({@code USER node}): <b>confirmed</b>; in podman it detects the container by itself (no
 *       {@code --force}). A RUN step as a non-root USER was not exercised.
 * </ol>
 */
public final class PodmanKaniko {

  /** A container field or value this runner does not implement. */
  public static final class Unsupported extends RuntimeException {
    Unsupported(String message) {
      super("PodmanKaniko: unsupported " + message);
    }
  }

  /** One volume mount of the container. */
  public record Mount(String volume, String mountPath, boolean readOnly) {}

  /**
   * A container as the runner executes it: everything the kubelet would take from the spec, with
   * env values already resolved (secretKeyRef read by the caller).
   */
  public record ContainerPlan(
      String name,
      String image,
      List<String> command,
      List<String> args,
      Map<String, String> env,
      List<Mount> mounts,
      String terminationMessagePath,
      String terminationMessagePolicy,
      Long runAsUser,
      Long runAsGroup,
      List<String> capabilitiesAdd,
      List<String> capabilitiesDrop,
      boolean noNewPrivileges,
      boolean readOnlyRootFilesystem,
      String memoryLimit) {

    /**
     * Reads {@code c}; {@code env} resolves an env var whose value comes from elsewhere (called
     * only for valueFrom). Throws {@link Unsupported} for anything this runner would not honour.
     */
    public static ContainerPlan of(Container c, java.util.function.Function<EnvVar, String> env) {
      String where = "container " + c.getName() + ": ";
      if (notEmpty(c.getEnvFrom())
          || notEmpty(c.getVolumeDevices())
          || notEmpty(c.getPorts())
          || c.getWorkingDir() != null
          || c.getLifecycle() != null
          || c.getLivenessProbe() != null
          || c.getReadinessProbe() != null
          || c.getStartupProbe() != null
          || Boolean.TRUE.equals(c.getStdin())
          || Boolean.TRUE.equals(c.getTty())
          || notEmpty(c.getResizePolicy())
          || c.getRestartPolicy() != null) {
        throw new Unsupported(
            where + "envFrom/volumeDevices/ports/workingDir/lifecycle/probes/stdin/tty/restart");
      }
      List<Mount> mounts = new ArrayList<>();
      for (VolumeMount m : nn(c.getVolumeMounts())) {
        if (m.getSubPath() != null
            || m.getSubPathExpr() != null
            || m.getMountPropagation() != null
            || m.getRecursiveReadOnly() != null) {
          throw new Unsupported(where + "subPath/propagation/recursiveReadOnly on " + m.getName());
        }
        if (!m.getMountPath().startsWith("/")) {
          throw new Unsupported(where + "relative mountPath " + m.getMountPath());
        }
        mounts.add(new Mount(m.getName(), m.getMountPath(), Boolean.TRUE.equals(m.getReadOnly())));
      }
      Map<String, String> vars = new LinkedHashMap<>();
      for (EnvVar e : nn(c.getEnv())) {
        vars.put(
            e.getName(),
            e.getValueFrom() != null ? env.apply(e) : e.getValue() == null ? "" : e.getValue());
      }
      String memory = null;
      if (c.getResources() != null) {
        var r = c.getResources();
        if (notEmpty(r.getClaims())) {
          throw new Unsupported(where + "resource claims");
        }
        Map<String, Quantity> limits = r.getLimits() == null ? Map.of() : r.getLimits();
        for (String k : limits.keySet()) {
          if (!k.equals("memory") && !k.equals("cpu")) {
            throw new Unsupported(where + "limit " + k);
          }
        }
        // requests only place the pod; a cpu limit only throttles: neither changes the outcome.
        if (limits.containsKey("memory")) {
          memory = Long.toString(Quantity.getAmountInBytes(limits.get("memory")).longValue());
        }
      }
      SecurityContext sc = c.getSecurityContext();
      Long user = null;
      Long group = null;
      List<String> add = List.of();
      List<String> drop = List.of();
      boolean nnp = false;
      boolean ro = false;
      if (sc != null) {
        if (Boolean.TRUE.equals(sc.getPrivileged())
            || sc.getSeLinuxOptions() != null
            || sc.getWindowsOptions() != null
            || sc.getAppArmorProfile() != null
            || sc.getProcMount() != null
            || sc.getSeccompProfile() != null
                && !"RuntimeDefault".equals(sc.getSeccompProfile().getType())) {
          throw new Unsupported(where + "privileged/seLinux/windows/appArmor/procMount/seccomp");
        }
        user = sc.getRunAsUser();
        group = sc.getRunAsGroup();
        if (Boolean.TRUE.equals(sc.getRunAsNonRoot()) && (user == null || user == 0)) {
          // the kubelet refuses to start it (CreateContainerConfigError) unless a non-zero uid
          throw new Unsupported(where + "runAsNonRoot without a non-zero runAsUser");
        }
        Capabilities caps = sc.getCapabilities();
        if (caps != null) {
          add = List.copyOf(nn(caps.getAdd()));
          drop = List.copyOf(nn(caps.getDrop()));
        }
        nnp = Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation());
        ro = Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem());
      }
      return new ContainerPlan(
          c.getName(),
          c.getImage(),
          List.copyOf(nn(c.getCommand())),
          List.copyOf(nn(c.getArgs())),
          vars,
          mounts,
          c.getTerminationMessagePath() == null
              ? "/dev/termination-log"
              : c.getTerminationMessagePath(),
          c.getTerminationMessagePolicy() == null ? "File" : c.getTerminationMessagePolicy(),
          user,
          group,
          add,
          drop,
          nnp,
          ro,
          memory);
    }
  }

  /**
   * What the container did. {@code terminationMessage} is what the kubelet would report: the file's
   * content, or with FallbackToLogsOnError and a failure and an empty file, the log's tail.
   */
  public record Outcome(
      int exitCode,
      String log,
      String terminationFile,
      String terminationMessage,
      boolean timedOut,
      Duration took) {}

  private static final Set<String> CAPABILITIES =
      Set.of(
          "CHOWN",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "SETGID",
          "SETUID",
          "SETPCAP",
          "NET_BIND_SERVICE",
          "NET_RAW",
          "SYS_CHROOT",
          "MKNOD",
          "AUDIT_WRITE",
          "SETFCAP");
  private static final int MSG_LINES = 80;
  private static final int MSG_BYTES = 2048;

  private final UnaryOperator<String> images;

  /**
   * @param images maps the image a container names to the one in local storage (e.g. the product's
   *     default {@code ghcr.io/osscontainertools/kaniko:TAG} to the locally built executor); it
   *     throws for an image it has no local copy of
   */
  public PodmanKaniko(UnaryOperator<String> images) {
    this.images = images;
  }

  /**
   * The images {@code hack/kaniko.sh} builds: the executor (under its own name and the product's
   * default name for the same tag) and the busybox context-init image; Docker Hub short names
   * normalised as the kubelet does (busybox:1.37.0 → docker.io/library/busybox:1.37.0).
   */
  public static PodmanKaniko localImages() {
    String tag = kanikoVersion();
    String local = localKanikoImage();
    return new PodmanKaniko(
        image -> {
          String n = dockerHubNormalised(image);
          if (n.equals(local)
              || n.equals("ghcr.io/osscontainertools/kaniko:" + tag)
              || n.equals(dev.leanode.config.BuildSettings.DEFAULT_KANIKO_IMAGE)
                  && dev.leanode.config.BuildSettings.DEFAULT_KANIKO_IMAGE.endsWith(":" + tag)) {
            return local;
          }
          if (n.equals("docker.io/library/busybox:1.37.0")
              || n.equals(Tools.REGISTRY + "/library/busybox:1.37.0")) {
            return "docker.io/library/busybox:1.37.0";
          }
          throw new Unsupported(
              "image " + image + ": no local copy (hack/kaniko.sh builds " + local + ")");
        });
  }

  /** hack/kaniko/KANIKO_VERSION. */
  public static String kanikoVersion() {
    try {
      return Files.readString(Path.of("hack/kaniko/KANIKO_VERSION")).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String localKanikoImage() {
    return Tools.REGISTRY + "/leanode/kaniko-executor:" + kanikoVersion();
  }

  /** Fails (never skips) when the executor image is not in local storage, naming the script. */
  public static void requireImages() {
    Tools.requireRealBuildTools();
    for (String image : List.of(localKanikoImage(), "docker.io/library/busybox:1.37.0")) {
      if (!Proc.run(Duration.ofSeconds(60), Tools.buildah("inspect", "--type", "image", image))
          .ok()) {
        throw new AssertionError(
            "real-Kaniko tests need " + image + " in vfs storage. Run: bash hack/kaniko.sh");
      }
    }
  }

  static String dockerHubNormalised(String image) {
    String first = image.contains("/") ? image.substring(0, image.indexOf('/')) : "";
    boolean hasRegistry = first.contains(".") || first.contains(":") || first.equals("localhost");
    if (hasRegistry) {
      return image;
    }
    return "docker.io/" + (image.contains("/") ? image : "library/" + image);
  }

  /** Runs {@code c} to completion (or until {@code timeout}); see the class comment. */
  public Outcome run(
      String podUid,
      ContainerPlan c,
      Map<String, Path> volumeHostDirs,
      Path workDir,
      Duration timeout) {
    String image = images.apply(c.image());
    String uid = podUid.replaceAll("[^a-zA-Z0-9]", "").toLowerCase(Locale.ROOT);
    String name = "leanode-" + uid.substring(0, Math.min(12, uid.length())) + "-" + c.name();
    List<String> cmd =
        new ArrayList<>(
            Tools.podman(
                "create",
                "--name",
                name,
                "--pull",
                "never",
                "--network",
                "host",
                "--ulimit",
                "nofile=1024:1024",
                "--ulimit",
                "nproc=1024:1024"));
    if (c.runAsUser() != null || c.runAsGroup() != null) {
      long user = c.runAsUser() == null ? 0 : c.runAsUser();
      cmd.add("--user");
      cmd.add(user + (c.runAsGroup() == null ? "" : ":" + c.runAsGroup()));
    }
    for (String d : c.capabilitiesDrop()) {
      cmd.add("--cap-drop");
      cmd.add(capability(d, true));
    }
    for (String a : c.capabilitiesAdd()) {
      cmd.add("--cap-add");
      cmd.add(capability(a, false));
    }
    if (c.noNewPrivileges()) {
      cmd.add("--security-opt");
      cmd.add("no-new-privileges");
    }
    if (c.readOnlyRootFilesystem()) {
      cmd.add("--read-only");
      cmd.add("--read-only-tmpfs=false"); // Kubernetes mounts no tmpfs of its own on /tmp, /run
    }
    if (c.memoryLimit() != null) {
      cmd.add("--memory");
      cmd.add(c.memoryLimit());
    }
    c.env()
        .forEach(
            (k, v) -> {
              cmd.add("--env");
              cmd.add(k + "=" + v);
            });
    Path termination;
    try {
      Files.createDirectories(workDir);
      termination = workDir.resolve(c.name() + ".termination-log");
      Files.writeString(termination, "");
      // the kubelet's file is writable by whatever user the container runs as
      Files.setPosixFilePermissions(termination, PosixFilePermissions.fromString("rw-rw-rw-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Mount m : c.mounts()) {
      Path host = volumeHostDirs.get(m.volume());
      if (host == null) {
        throw new Unsupported("container " + c.name() + ": mount of unknown volume " + m.volume());
      }
      if (m.mountPath().equals(c.terminationMessagePath())) {
        throw new Unsupported("a volume over the termination message path");
      }
      cmd.add("--volume");
      cmd.add(host + ":" + m.mountPath() + (m.readOnly() ? ":ro" : ""));
    }
    cmd.add("--volume");
    cmd.add(termination + ":" + c.terminationMessagePath());
    if (!c.command().isEmpty()) {
      cmd.add("--entrypoint");
      cmd.add(toJsonArray(c.command()));
    }
    cmd.add(image);
    cmd.addAll(c.args());

    Instant t0 = Instant.now();
    Proc.run(Duration.ofMinutes(2), Tools.podman("rm", "-f", "--ignore", name));
    Proc.run(Duration.ofMinutes(5), cmd).check();
    boolean timedOut = false;
    int exit;
    try {
      Proc.run(Duration.ofMinutes(2), Tools.podman("start", name)).check();
      Proc.Result waited;
      try {
        waited = Proc.run(timeout, Tools.podman("wait", name));
        exit = Integer.parseInt(waited.output().trim().lines().reduce((a, b) -> b).orElse("-1"));
      } catch (Proc.ProcException e) {
        // activeDeadlineSeconds: the kubelet kills the container (SIGKILL after the grace period)
        timedOut = true;
        Proc.run(Duration.ofMinutes(1), Tools.podman("kill", name));
        Proc.Result after = Proc.run(Duration.ofMinutes(1), Tools.podman("wait", name)).check();
        exit = Integer.parseInt(after.output().trim().lines().reduce((a, b) -> b).orElse("-1"));
      }
      String log = Proc.run(Duration.ofMinutes(2), Tools.podman("logs", name)).output();
      String file = Files.readString(termination);
      return new Outcome(
          exit,
          log,
          file,
          message(c, exit, file, log),
          timedOut,
          Duration.between(t0, Instant.now()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      Proc.run(Duration.ofMinutes(2), Tools.podman("rm", "-f", "--ignore", name));
    }
  }

  /** The kubelet's termination message: the file (≤ 4096 bytes), else on failure the log tail. */
  static String message(ContainerPlan c, int exit, String file, String log) {
    if (!file.isEmpty()) {
      return file.length() > 4096 ? file.substring(0, 4096) : file;
    }
    if (exit != 0 && "FallbackToLogsOnError".equals(c.terminationMessagePolicy())) {
      String[] lines = log.split("\n");
      String tail =
          String.join(
              "\n",
              java.util.Arrays.copyOfRange(
                  lines, Math.max(0, lines.length - MSG_LINES), lines.length));
      byte[] b = tail.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      return b.length <= MSG_BYTES
          ? tail
          : new String(b, b.length - MSG_BYTES, MSG_BYTES, java.nio.charset.StandardCharsets.UTF_8);
    }
    return "";
  }

  private static String capability(String cap, boolean drop) {
    String c = cap.toUpperCase(Locale.ROOT).replaceFirst("^CAP_", "");
    if (drop && c.equals("ALL")) {
      return "all";
    }
    if (!CAPABILITIES.contains(c)) {
      throw new Unsupported("capability " + cap + (drop ? " (drop)" : " (add)"));
    }
    return c;
  }

  private static String toJsonArray(List<String> parts) {
    StringBuilder sb = new StringBuilder("[");
    for (String p : parts) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append('"').append(p.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return sb.append(']').toString();
  }

  private static <T> List<T> nn(List<T> l) {
    return l == null ? List.of() : l;
  }

  private static boolean notEmpty(List<?> l) {
    return l != null && !l.isEmpty();
  }
}

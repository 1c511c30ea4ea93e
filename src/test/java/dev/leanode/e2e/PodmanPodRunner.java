package dev.leanode.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * The kubelet's part for ordinary long-running pods (a Deployment's, e.g. the chart's operator):
 * each pod's one container runs with podman in a network namespace of its own, with the pod's
 * security context, env (values, downward API, ConfigMap/Secret keys), volumes (emptyDir,
 * ConfigMap, Secret, and the projected ServiceAccount token the API server's admission adds: a real
 * TokenRequest, {@code token}, {@code ca.crt} and {@code namespace} under
 * /var/run/secrets/kubernetes.io/serviceaccount), memory/CPU limits, and HTTP/TCP probes whose
 * results are the pod's Ready condition; liveness failures and exits restart the container ({@code
 * restartCount}, {@code lastState}) as {@code restartPolicy} says (Never/OnFailure end the pod
 * Failed or Succeeded); {@code activeDeadlineSeconds} ends it Failed with reason DeadlineExceeded;
 * one image pull Secret (dockerconfigjson) gives the pull its credentials; the container's output
 * is served by the node's log endpoint ({@code pods/log}); deletion stops it (SIGTERM, then SIGKILL
 * after the grace period) and confirms the deletion as the kubelet does.
 *
 * <p>Networking, an imitation with its reason: there is no CNI and no kube-proxy here, and the API
 * server binds 127.0.0.1 only. Each pod gets a veth pair (host end 10.232.N.1/30, pod end
 * 10.232.N.2/30 = the pod IP, default route via the host end), so two replicas can both listen on
 * 8080 and probes reach the pod IP as on a node. The {@code kubernetes} Service's ClusterIP
 * (10.96.0.1:443, in the API server's certificate) is DNAT-ed inside the pod's namespace, as
 * kube-proxy would, to a small TCP forwarder of this class on the host end, which relays to the API
 * server's loopback port. The pod sees the real KUBERNETES_SERVICE_HOST/PORT. The local registries'
 * loopback ports (127.0.0.1:5000/5001: what the tests' NodeAppImages name, and where the build
 * pods, run on the host network by the stand-in, push) are relayed the same way from the pod's own
 * loopback: the operator in the pod reads image sizes from the registry the builds pushed to, as it
 * would from a registry that every pod of a real cluster reaches under one name.
 *
 * <p>What it does not implement is refused loudly: the pod ends {@code Failed} with the reason in
 * its container status, and the reason is in {@link #errors()} (which every test asserts empty).
 */
public final class PodmanPodRunner implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PodmanPodRunner.class);
  static final String SERVICE_IP = "10.96.0.1";
  static final String TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
  static final String DEADLINE_EXCEEDED = "activeDeadlineSeconds exceeded";
  private static final AtomicInteger NEXT_NET =
      new AtomicInteger((int) (ProcessHandle.current().pid() % 100));

  private final KubernetesClient client;
  private final Path workRoot;
  private final ContainerLogs logs;
  private final InetSocketAddress apiServer;
  private final List<Integer> loopbackPorts;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final Map<String, PodRun> pods = new ConcurrentHashMap<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** An ordinary pod this runner refuses to run; the message names the field. */
  static final class Unsupported extends RuntimeException {
    Unsupported(String message) {
      super(message);
    }
  }

  public PodmanPodRunner(KubernetesClient client, Path workRoot) {
    this(client, workRoot, new ContainerLogs());
  }

  /** {@code logs}: where the containers' output goes, for the kubelet's log endpoint. */
  public PodmanPodRunner(KubernetesClient client, Path workRoot, ContainerLogs logs) {
    this.client = client;
    this.workRoot = workRoot;
    this.logs = logs;
    URI master = URI.create(client.getConfiguration().getMasterUrl());
    this.apiServer = new InetSocketAddress(master.getHost(), master.getPort());
    this.loopbackPorts =
        List.of(Tools.REGISTRY, Tools.AUTH_REGISTRY).stream()
            .filter(r -> r.startsWith("127.0.0.1:"))
            .map(r -> Integer.parseInt(r.substring(r.indexOf(':') + 1)))
            .toList();
  }

  /** Whether this runner (rather than the build stand-in) runs the pod: any but a Job's pod. */
  public static boolean owns(Pod pod) {
    var owners = pod.getMetadata().getOwnerReferences();
    return owners == null
        || owners.stream()
            .noneMatch(o -> Boolean.TRUE.equals(o.getController()) && "Job".equals(o.getKind()));
  }

  public List<String> errors() {
    return List.copyOf(errors);
  }

  public void forgetErrors(java.util.function.Predicate<String> which) {
    errors.removeIf(which);
  }

  /** The podman container currently running the pod's container, or null. */
  public String containerOf(String namespace, String pod) {
    PodRun run =
        pods.values().stream()
            .filter(r -> r.ns.equals(namespace) && r.name.equals(pod))
            .findFirst()
            .orElse(null);
    return run == null ? null : run.container;
  }

  /** An add or update of a pod bound to this node: start it, or stop it once it is deleted. */
  public void sync(Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      PodRun run = pods.get(uid);
      if (run == null) {
        confirmDeletion(pod);
      } else if (run.stopping.compareAndSet(false, true)) {
        threads.submit(() -> run.stopAndConfirm(pod));
      }
      return;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ((phase == null || phase.equals("Pending")) && !pods.containsKey(uid)) {
      PodRun run = new PodRun(pod);
      pods.put(uid, run);
      threads.submit(run::start);
    }
  }

  /** The pod object is gone (force deletion): make sure nothing of it keeps running. */
  public void forget(Pod pod) {
    PodRun run = pods.get(pod.getMetadata().getUid());
    if (run != null && run.stopping.compareAndSet(false, true)) {
      threads.submit(() -> run.stopAndConfirm(null));
    }
  }

  @Override
  public void close() {
    for (PodRun run : pods.values()) {
      run.stopping.set(true);
      run.teardown(2);
    }
    threads.shutdownNow();
  }

  /** One pod's sandbox (netns, forwarder, volumes) and its container's life. */
  private final class PodRun {
    final String ns;
    final String name;
    final String uid;
    final Pod spec;
    final Container c;
    final java.util.concurrent.atomic.AtomicBoolean stopping =
        new java.util.concurrent.atomic.AtomicBoolean();
    final Path dir;
    final int net = NEXT_NET.getAndIncrement() % 250 + 1;
    final String netns;
    final String hostIf;
    final String hostIp = "10.232." + net + ".1";
    final String podIp = "10.232." + net + ".2";
    final List<ServerSocket> forwarders = new CopyOnWriteArrayList<>();
    volatile String container;
    volatile int restarts;
    volatile ContainerStatus lastTerminated;
    volatile String startedAt;
    volatile boolean started;
    volatile boolean ready;
    final Instant podStart = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    PodRun(Pod pod) {
      this.spec = pod;
      this.ns = pod.getMetadata().getNamespace();
      this.name = pod.getMetadata().getName();
      this.uid = pod.getMetadata().getUid();
      this.c = pod.getSpec().getContainers().get(0);
      this.dir = workRoot.resolve("pods").resolve(uid);
      long pid = ProcessHandle.current().pid() % 10000;
      this.netns = "leanode-pod-" + pid + "-" + net;
      this.hostIf = "lnp" + net + "h" + pid;
    }

    void start() {
      List<String> run;
      try {
        run = podmanRun();
      } catch (Unsupported u) {
        refuse(u.getMessage());
        return;
      } catch (RuntimeException e) {
        refuse("cannot set the pod up: " + e.getMessage());
        return;
      }
      supervise(run);
    }

    /** Sandbox, volumes, image; the podman run command (without the container name). */
    List<String> podmanRun() {
      validate();
      String image = c.getImage();
      ImageRunner.pull(image, pullCredentials(image));
      String imageUser =
          Proc.run(
                  Duration.ofSeconds(30),
                  Tools.podman("image", "inspect", "--format", "{{.Config.User}}", image))
              .check()
              .output()
              .trim();
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "-d",
                  "--network",
                  "ns:/run/netns/" + netns,
                  "--hostname",
                  name,
                  "--ulimit",
                  "nofile=1024:1024",
                  "--ulimit",
                  "nproc=1024:1024"));
      cmd.addAll(securityFlags(imageUser));
      for (var e : env().entrySet()) {
        cmd.add("-e");
        cmd.add(e.getKey() + "=" + e.getValue());
      }
      cmd.addAll(resourceFlags());
      cmd.addAll(volumeFlags());
      if (c.getWorkingDir() != null && !c.getWorkingDir().isEmpty()) {
        cmd.add("--workdir");
        cmd.add(c.getWorkingDir());
      }
      if (c.getCommand() != null && !c.getCommand().isEmpty()) {
        cmd.add("--entrypoint");
        cmd.add(ProcJson.array(c.getCommand()));
      }
      cmd.add(image);
      if (c.getArgs() != null) {
        cmd.addAll(c.getArgs());
      }
      network();
      return cmd;
    }

    void validate() {
      var s = spec.getSpec();
      if (s.getContainers().size() != 1) {
        throw new Unsupported(
            "spec.containers: exactly one container (got " + s.getContainers().size() + ")");
      }
      if (s.getInitContainers() != null && !s.getInitContainers().isEmpty()) {
        throw new Unsupported("spec.initContainers on an ordinary pod");
      }
      if (Boolean.TRUE.equals(s.getHostNetwork()) || Boolean.TRUE.equals(s.getHostPID())) {
        throw new Unsupported("spec.hostNetwork/hostPID");
      }
      if (s.getImagePullSecrets() != null && s.getImagePullSecrets().size() > 1) {
        throw new Unsupported("spec.imagePullSecrets: more than one");
      }
      String policy = s.getRestartPolicy();
      if (policy != null && !List.of("Always", "OnFailure", "Never").contains(policy)) {
        throw new Unsupported("spec.restartPolicy " + policy);
      }
      if (c.getEnvFrom() != null && !c.getEnvFrom().isEmpty()) {
        throw new Unsupported("containers[0].envFrom");
      }
      if (c.getLifecycle() != null) {
        throw new Unsupported("containers[0].lifecycle");
      }
      if (s.getSecurityContext() != null && s.getSecurityContext().getFsGroup() != null) {
        throw new Unsupported("spec.securityContext.fsGroup");
      }
      for (Probe p :
          new Probe[] {c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe()}) {
        if (p != null && p.getHttpGet() == null && p.getTcpSocket() == null) {
          throw new Unsupported("probes other than httpGet/tcpSocket");
        }
        if (p != null
            && p.getHttpGet() != null
            && p.getHttpGet().getScheme() != null
            && !p.getHttpGet().getScheme().equals("HTTP")) {
          throw new Unsupported("httpGet probe scheme " + p.getHttpGet().getScheme());
        }
      }
    }

    List<String> securityFlags(String imageUser) {
      var pod = spec.getSpec().getSecurityContext();
      SecurityContext sc =
          c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
      if (Boolean.TRUE.equals(sc.getPrivileged())) {
        throw new Unsupported("containers[0].securityContext.privileged");
      }
      Long user =
          sc.getRunAsUser() != null ? sc.getRunAsUser() : pod == null ? null : pod.getRunAsUser();
      Long group =
          sc.getRunAsGroup() != null
              ? sc.getRunAsGroup()
              : pod == null ? null : pod.getRunAsGroup();
      Boolean nonRoot =
          sc.getRunAsNonRoot() != null
              ? sc.getRunAsNonRoot()
              : pod == null ? null : pod.getRunAsNonRoot();
      List<String> flags = new ArrayList<>();
      if (Boolean.TRUE.equals(nonRoot) && user == null) {
        // the kubelet's check: it can only verify a numeric image user
        String u = imageUser.split(":", 2)[0];
        if (!u.matches("\\d+")) {
          throw new Unsupported(
              "CreateContainerConfigError: image has non-numeric user ("
                  + imageUser
                  + "), cannot verify user is non-root");
        }
        if (u.equals("0")) {
          throw new Unsupported(
              "CreateContainerConfigError: container has runAsNonRoot and image will run as root");
        }
      }
      if (Boolean.TRUE.equals(nonRoot) && user != null && user == 0) {
        throw new Unsupported("CreateContainerConfigError: runAsNonRoot and runAsUser 0");
      }
      if (user != null) {
        flags.add("--user");
        flags.add(user + (group != null ? ":" + group : ""));
      } else if (group != null) {
        throw new Unsupported("runAsGroup without runAsUser");
      }
      if (Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
        // podman adds tmpfs on /tmp, /run, /var/tmp by default; the kubelet adds nothing
        flags.add("--read-only");
        flags.add("--read-only-tmpfs=false");
      }
      if (Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
        flags.add("--security-opt");
        flags.add("no-new-privileges");
      }
      if (sc.getCapabilities() != null) {
        for (String d : nn(sc.getCapabilities().getDrop())) {
          flags.add("--cap-drop");
          flags.add(d);
        }
        for (String a : nn(sc.getCapabilities().getAdd())) {
          flags.add("--cap-add");
          flags.add(a);
        }
      }
      var seccomp =
          sc.getSeccompProfile() != null
              ? sc.getSeccompProfile()
              : pod == null ? null : pod.getSeccompProfile();
      if (seccomp != null) {
        switch (seccomp.getType()) {
          case "RuntimeDefault" -> {} // podman's default profile
          case "Unconfined" -> {
            flags.add("--security-opt");
            flags.add("seccomp=unconfined");
          }
          default -> throw new Unsupported("seccompProfile.type " + seccomp.getType());
        }
      }
      return flags;
    }

    Map<String, String> env() {
      Map<String, String> env = new LinkedHashMap<>();
      // what the kubelet adds for the kubernetes Service (enableServiceLinks adds the same for
      // every Service of the namespace; the chart's pods use only these)
      env.put("KUBERNETES_SERVICE_HOST", SERVICE_IP);
      env.put("KUBERNETES_SERVICE_PORT", "443");
      env.put("KUBERNETES_SERVICE_PORT_HTTPS", "443");
      env.put("KUBERNETES_PORT", "tcp://" + SERVICE_IP + ":443");
      env.put("KUBERNETES_PORT_443_TCP", "tcp://" + SERVICE_IP + ":443");
      env.put("KUBERNETES_PORT_443_TCP_PROTO", "tcp");
      env.put("KUBERNETES_PORT_443_TCP_PORT", "443");
      env.put("KUBERNETES_PORT_443_TCP_ADDR", SERVICE_IP);
      for (EnvVar e : nn(c.getEnv())) {
        if (e.getValueFrom() == null) {
          env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
          continue;
        }
        var from = e.getValueFrom();
        if (from.getFieldRef() != null) {
          env.put(e.getName(), field(from.getFieldRef().getFieldPath()));
        } else if (from.getConfigMapKeyRef() != null) {
          var ref = from.getConfigMapKeyRef();
          var cm = client.configMaps().inNamespace(ns).withName(ref.getName()).get();
          String v = cm == null || cm.getData() == null ? null : cm.getData().get(ref.getKey());
          if (v == null && !Boolean.TRUE.equals(ref.getOptional())) {
            throw new Unsupported(
                "env "
                    + e.getName()
                    + ": configmap "
                    + ref.getName()
                    + " key "
                    + ref.getKey()
                    + " not found");
          }
          if (v != null) {
            env.put(e.getName(), v);
          }
        } else if (from.getSecretKeyRef() != null) {
          var ref = from.getSecretKeyRef();
          var sec = client.secrets().inNamespace(ns).withName(ref.getName()).get();
          String v = sec == null || sec.getData() == null ? null : sec.getData().get(ref.getKey());
          if (v == null && !Boolean.TRUE.equals(ref.getOptional())) {
            throw new Unsupported(
                "env "
                    + e.getName()
                    + ": secret "
                    + ref.getName()
                    + " key "
                    + ref.getKey()
                    + " not found");
          }
          if (v != null) {
            env.put(e.getName(), new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8));
          }
        } else {
          throw new Unsupported(
              "env "
                  + e.getName()
                  + ": valueFrom other than fieldRef/configMapKeyRef/secretKeyRef");
        }
      }
      return env;
    }

    String field(String path) {
      var md = spec.getMetadata();
      return switch (path) {
        case "metadata.name" -> md.getName();
        case "metadata.namespace" -> md.getNamespace();
        case "metadata.uid" -> md.getUid();
        case "spec.nodeName" -> spec.getSpec().getNodeName();
        case "spec.serviceAccountName" -> spec.getSpec().getServiceAccountName();
        case "status.podIP" -> podIp;
        case "status.hostIP" -> "127.0.0.1";
        default -> throw new Unsupported("env fieldRef " + path);
      };
    }

    List<String> resourceFlags() {
      List<String> flags = new ArrayList<>();
      var r = c.getResources();
      if (r != null && r.getLimits() != null) {
        Quantity mem = r.getLimits().get("memory");
        if (mem != null) {
          flags.add("--memory");
          flags.add(Quantity.getAmountInBytes(mem).toBigInteger() + "b");
        }
        Quantity cpu = r.getLimits().get("cpu");
        if (cpu != null) {
          flags.add("--cpus");
          flags.add(Quantity.getAmountInBytes(cpu).toPlainString());
        }
      }
      return flags;
    }

    List<String> volumeFlags() {
      Map<String, Path> dirs = new LinkedHashMap<>();
      for (Volume v : nn(spec.getSpec().getVolumes())) {
        dirs.put(v.getName(), volume(v));
      }
      List<String> flags = new ArrayList<>();
      for (VolumeMount m : nn(c.getVolumeMounts())) {
        Path host = dirs.get(m.getName());
        if (host == null) {
          throw new Unsupported("volumeMount " + m.getName() + ": no such volume");
        }
        if (m.getSubPath() != null && !m.getSubPath().isEmpty()) {
          throw new Unsupported("volumeMount " + m.getName() + ": subPath");
        }
        flags.add("-v");
        flags.add(
            host + ":" + m.getMountPath() + (Boolean.TRUE.equals(m.getReadOnly()) ? ":ro" : ""));
      }
      return flags;
    }

    Path volume(Volume v) {
      Path d = dir.resolve("volumes").resolve(v.getName());
      try {
        if (v.getEmptyDir() != null) {
          if ("Memory".equals(v.getEmptyDir().getMedium())) {
            throw new Unsupported("volume " + v.getName() + ": emptyDir medium Memory");
          }
          Files.createDirectories(d);
          // the kubelet makes an emptyDir world-writable, so any runAsUser can write it
          Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
          return d;
        }
        if (v.getConfigMap() != null) {
          var cm = client.configMaps().inNamespace(ns).withName(v.getConfigMap().getName()).get();
          if (cm == null) {
            throw new Unsupported(
                "volume "
                    + v.getName()
                    + ": configmap "
                    + v.getConfigMap().getName()
                    + " not found");
          }
          return KubeletVolumes.materialise(
              d,
              bytes(cm.getData()),
              v.getConfigMap().getItems(),
              v.getConfigMap().getDefaultMode());
        }
        if (v.getSecret() != null) {
          var s = client.secrets().inNamespace(ns).withName(v.getSecret().getSecretName()).get();
          if (s == null) {
            throw new Unsupported(
                "volume "
                    + v.getName()
                    + ": secret "
                    + v.getSecret().getSecretName()
                    + " not found");
          }
          Map<String, byte[]> data = new LinkedHashMap<>();
          nnm(s.getData()).forEach((k, val) -> data.put(k, Base64.getDecoder().decode(val)));
          return KubeletVolumes.materialise(
              d, data, v.getSecret().getItems(), v.getSecret().getDefaultMode());
        }
        if (v.getProjected() != null) {
          return projected(v, d);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      throw new Unsupported(
          "volume " + v.getName() + ": only emptyDir, configMap, secret and projected");
    }

    /** The admission-added kube-api-access volume: token (TokenRequest), ca.crt, namespace. */
    Path projected(Volume v, Path d) {
      Map<String, byte[]> data = new LinkedHashMap<>();
      for (var src : v.getProjected().getSources()) {
        if (src.getServiceAccountToken() != null) {
          var t = src.getServiceAccountToken();
          var req =
              new TokenRequestBuilder()
                  .withNewSpec()
                  .withAudiences(t.getAudience() == null ? List.of() : List.of(t.getAudience()))
                  .withExpirationSeconds(t.getExpirationSeconds())
                  .withNewBoundObjectRef()
                  .withApiVersion("v1")
                  .withKind("Pod")
                  .withName(name)
                  .withUid(uid)
                  .endBoundObjectRef()
                  .endSpec()
                  .build();
          var token =
              client
                  .serviceAccounts()
                  .inNamespace(ns)
                  .withName(spec.getSpec().getServiceAccountName())
                  .tokenRequest(req);
          data.put(t.getPath(), token.getStatus().getToken().getBytes(StandardCharsets.UTF_8));
        } else if (src.getConfigMap() != null) {
          var cm = client.configMaps().inNamespace(ns).withName(src.getConfigMap().getName()).get();
          if (cm == null) {
            throw new Unsupported(
                "projected volume "
                    + v.getName()
                    + ": configmap "
                    + src.getConfigMap().getName()
                    + " not found (yet)");
          }
          Map<String, byte[]> all = bytes(cm.getData());
          for (var item : nn(src.getConfigMap().getItems())) {
            data.put(item.getPath(), all.get(item.getKey()));
          }
        } else if (src.getDownwardAPI() != null) {
          for (var item : src.getDownwardAPI().getItems()) {
            if (item.getFieldRef() == null) {
              throw new Unsupported(
                  "projected downwardAPI item " + item.getPath() + ": fieldRef only");
            }
            data.put(
                item.getPath(),
                field(item.getFieldRef().getFieldPath()).getBytes(StandardCharsets.UTF_8));
          }
        } else {
          throw new Unsupported(
              "projected volume "
                  + v.getName()
                  + ": source other than serviceAccountToken/configMap/downwardAPI");
        }
      }
      return KubeletVolumes.materialise(d, data, null, v.getProjected().getDefaultMode());
    }

    /** The pod's veth pair, the Service DNAT and the forwarders to the API server, registries. */
    void network() {
      ip("netns", "add", netns);
      ip("link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", netns);
      ip("addr", "add", hostIp + "/30", "dev", hostIf);
      ip("link", "set", hostIf, "up");
      ip("-n", netns, "addr", "add", podIp + "/30", "dev", "eth0");
      ip("-n", netns, "link", "set", "eth0", "up");
      ip("-n", netns, "link", "set", "lo", "up");
      ip("-n", netns, "route", "add", "default", "via", hostIp);
      // DNAT of the pod's own 127.0.0.1 to the host end needs route_localnet (all, lo and eth0)
      for (String dev : List.of("all", "lo", "eth0")) {
        netnsExec("sysctl", "-qw", "net.ipv4.conf." + dev + ".route_localnet=1");
      }
      relay(SERVICE_IP, 443, apiServer);
      for (int port : loopbackPorts) {
        relay("127.0.0.1", port, new InetSocketAddress("127.0.0.1", port));
      }
      // connections DNAT-ed away from the pod's loopback leave with the pod's address
      netnsExec(
          "iptables",
          "-t",
          "nat",
          "-A",
          "POSTROUTING",
          "-o",
          "eth0",
          "-s",
          "127.0.0.1",
          "-j",
          "SNAT",
          "--to-source",
          podIp);
    }

    /** In the pod, dst:port is DNAT-ed to a forwarder of ours on the host end that dials target. */
    void relay(String dst, int port, InetSocketAddress target) {
      ServerSocket server;
      try {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(hostIp), 0));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      forwarders.add(server);
      netnsExec(
          "iptables",
          "-t",
          "nat",
          "-A",
          "OUTPUT",
          "-d",
          dst,
          "-p",
          "tcp",
          "--dport",
          Integer.toString(port),
          "-j",
          "DNAT",
          "--to-destination",
          hostIp + ":" + server.getLocalPort());
      threads.submit(() -> forward(server, target));
    }

    void forward(ServerSocket server, InetSocketAddress target) {
      while (!server.isClosed()) {
        try {
          Socket in = server.accept();
          Socket out = new Socket();
          out.connect(target, 5000);
          threads.submit(() -> pipe(in, out));
          threads.submit(() -> pipe(out, in));
        } catch (IOException e) {
          if (!server.isClosed()) {
            LOG.debugf("forwarder of %s/%s to %s: %s", ns, name, target, e);
          }
        }
      }
    }

    void netnsExec(String... command) {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns));
      cmd.addAll(List.of(command));
      Proc.run(Duration.ofSeconds(30), cmd).check();
    }

    /** Runs the container, probes it, restarts it (liveness, exit) until the pod is deleted. */
    void supervise(List<String> runArgs) {
      try {
        while (!stopping.get()) {
          container = "k8s_" + c.getName() + "_" + name + "_" + ns + "_" + restarts;
          List<String> run = new ArrayList<>(Tools.podman("run", "--name", container));
          run.addAll(runArgs);
          Proc.run(Duration.ofMinutes(3), run).check();
          startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
          started = c.getStartupProbe() == null;
          ready = false;
          followLog();
          writeStatus();
          String why = probeUntilFailure();
          if (stopping.get()) {
            return;
          }
          boolean deadline = why.equals(DEADLINE_EXCEEDED);
          int exit = stopContainer(deadline ? grace() : 30);
          String policy = spec.getSpec().getRestartPolicy();
          if (deadline || "Never".equals(policy) || ("OnFailure".equals(policy) && exit == 0)) {
            // the kubelet does not restart it: the pod ends, its log stays readable
            end(exit, why, deadline);
            return;
          }
          lastTerminated = terminated(exit, why, startedAt);
          LOG.infof("pod %s/%s: container %s restarts (%s)", ns, name, c.getName(), why);
          restarts++;
          ready = false;
          started = false;
          writeStatus();
          Thread.sleep(
              Math.min(10_000L, 1000L << Math.min(restarts, 4))); // CrashLoopBackOff, short
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          errors.add(ns + "/" + name + ": pod runner failed to talk to the API server: " + e);
        }
      } catch (RuntimeException e) {
        if (!stopping.get()) {
          errors.add(ns + "/" + name + ": pod runner: " + e.getMessage());
          LOG.errorf(e, "pod runner crashed on %s/%s", ns, name);
        }
      }
    }

    /** Probes on their periods; returns why the container must restart (liveness, exit). */
    String probeUntilFailure() throws InterruptedException {
      Instant t0 = Instant.now();
      Map<Probe, Instant> next = new LinkedHashMap<>();
      Map<Probe, int[]> counts = new LinkedHashMap<>(); // [consecutive failures, successes]
      for (Probe p :
          new Probe[] {c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe()}) {
        if (p != null) {
          next.put(p, t0.plusSeconds(nz(p.getInitialDelaySeconds(), 0)));
          counts.put(p, new int[2]);
        }
      }
      if (c.getReadinessProbe() == null && !ready) {
        ready = started;
        writeStatus();
      }
      Long deadline = spec.getSpec().getActiveDeadlineSeconds();
      while (!stopping.get()) {
        String state = state();
        if (!state.equals("running")) {
          return "container exited (" + state + ")";
        }
        if (deadline != null && !Instant.now().isBefore(podStart.plusSeconds(deadline))) {
          return DEADLINE_EXCEEDED;
        }
        Instant now = Instant.now();
        for (var e : next.entrySet()) {
          Probe p = e.getKey();
          boolean isStartup = p == c.getStartupProbe();
          if (now.isBefore(e.getValue()) || (!isStartup && !started) || (isStartup && started)) {
            continue;
          }
          e.setValue(now.plusSeconds(nz(p.getPeriodSeconds(), 10)));
          boolean ok = probe(p);
          int[] n = counts.get(p);
          n[0] = ok ? 0 : n[0] + 1;
          n[1] = ok ? n[1] + 1 : 0;
          if (isStartup) {
            if (ok) {
              started = true;
              if (c.getReadinessProbe() == null) {
                ready = true;
              }
              writeStatus();
            } else if (n[0] >= nz(p.getFailureThreshold(), 3)) {
              return "startup probe failed " + n[0] + " times";
            }
          } else if (p == c.getLivenessProbe()) {
            if (!ok && n[0] >= nz(p.getFailureThreshold(), 3)) {
              return "liveness probe failed " + n[0] + " times";
            }
          } else {
            boolean was = ready;
            if (ok && n[1] >= nz(p.getSuccessThreshold(), 1)) {
              ready = true;
            } else if (!ok && n[0] >= nz(p.getFailureThreshold(), 3)) {
              ready = false;
            }
            if (was != ready) {
              writeStatus();
            }
          }
        }
        Thread.sleep(250);
      }
      return "stopping";
    }

    boolean probe(Probe p) {
      int timeout = nz(p.getTimeoutSeconds(), 1);
      try {
        if (p.getTcpSocket() != null) {
          try (Socket s = new Socket()) {
            s.connect(
                new InetSocketAddress(podIp, port(p.getTcpSocket().getPort())), timeout * 1000);
            return true;
          }
        }
        var g = p.getHttpGet();
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://"
                                + podIp
                                + ":"
                                + port(g.getPort())
                                + (g.getPath() == null ? "/" : g.getPath())))
                    .timeout(Duration.ofSeconds(timeout))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        return r.statusCode() >= 200 && r.statusCode() < 400;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    int port(io.fabric8.kubernetes.api.model.IntOrString port) {
      if (port.getIntVal() != null) {
        return port.getIntVal();
      }
      return nn(c.getPorts()).stream()
          .filter(p -> port.getStrVal().equals(p.getName()))
          .map(p -> p.getContainerPort())
          .findFirst()
          .orElseThrow(
              () -> new Unsupported("probe port " + port.getStrVal() + ": no such named port"));
    }

    String state() {
      return Proc.run(
              Duration.ofSeconds(30),
              Tools.podman("inspect", "--format", "{{.State.Status}}", container))
          .output()
          .trim();
    }

    /** podman stop (SIGTERM, SIGKILL after grace seconds); returns the exit code. */
    int stopContainer(long grace) {
      Proc.run(
          Duration.ofSeconds(grace + 60),
          Tools.podman("stop", "-t", Long.toString(grace), container));
      String code =
          Proc.run(
                  Duration.ofSeconds(30),
                  Tools.podman("inspect", "--format", "{{.State.ExitCode}}", container))
              .output()
              .trim();
      // podman logs -f ends once it has read everything of the stopped container; removing the
      // container first loses what it has not read yet (a crash right after the start logged
      // "nothing"). A kubelet's CRI log file is complete when the exit is reported: so here.
      awaitFollower();
      Proc.run(Duration.ofSeconds(60), Tools.podman("rm", "-f", container));
      if (log != null) {
        log.finish();
      }
      return code.matches("-?\\d+") ? Integer.parseInt(code) : 137;
    }

    long grace() {
      Long g = spec.getSpec().getTerminationGracePeriodSeconds();
      return g == null ? 30 : g;
    }

    void stopAndConfirm(Pod deleted) {
      long grace =
          deleted != null && deleted.getMetadata().getDeletionGracePeriodSeconds() != null
              ? deleted.getMetadata().getDeletionGracePeriodSeconds()
              : 30;
      teardown(grace);
      logs.forget(ns, name);
      pods.remove(uid);
      if (deleted != null) {
        confirmDeletion(deleted);
      }
    }

    void teardown(long grace) {
      if (container != null) {
        stopContainer(grace);
      }
      for (ServerSocket f : forwarders) {
        try {
          f.close();
        } catch (IOException e) {
          // closing
        }
      }
      Proc.run(Duration.ofSeconds(30), "ip", "netns", "del", netns);
      Proc.run(Duration.ofSeconds(30), "ip", "link", "del", hostIf);
      // a kubelet keeps images until its image GC; here the store is the tests' shared disk, and
      // an image this runner pulled goes with the pod (what was already there stays)
      ImageRunner.forget(c.getImage());
    }

    volatile ContainerLogs.Log log;
    volatile java.util.concurrent.Future<?> follower;

    /** Waits (at most 30 s) for {@code podman logs -f} of the current container to end. */
    void awaitFollower() {
      var f = follower;
      if (f == null) {
        return;
      }
      try {
        f.get(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        LOG.warnf("podman logs of %s did not end: %s", container, e);
      }
    }

    /**
     * The container's output into {@link ContainerLogs} as it comes ({@code podman logs -f}), so
     * that {@code pods/log} through the API server reads it, during the run and after the end.
     */
    void followLog() {
      logs.admit(ns, name);
      ContainerLogs.Log current = logs.start(ns, name, c.getName());
      log = current;
      String which = container;
      follower =
          threads.submit(
              () -> {
                try {
                  Process p =
                      new ProcessBuilder(Tools.podman("logs", "-f", which))
                          .redirectErrorStream(true)
                          .start();
                  try (var r =
                      new java.io.BufferedReader(
                          new java.io.InputStreamReader(
                              p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                      current.append(line);
                    }
                  }
                  p.waitFor();
                } catch (IOException e) {
                  LOG.debugf("podman logs of %s ended: %s", which, e.getMessage());
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
    }

    /** The pod is over (restartPolicy, activeDeadlineSeconds): phase, reason, exit code. */
    void end(int exit, String why, boolean deadline) {
      String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
      String phase = deadline || exit != 0 ? "Failed" : "Succeeded";
      ContainerStatus cs =
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(c.getImage())
              .withImageID(c.getImage())
              .withContainerID("podman://" + container)
              .withReady(false)
              .withStarted(false)
              .withRestartCount(restarts)
              .withNewState()
              .withNewTerminated()
              .withExitCode(exit)
              .withReason(exit == 0 ? "Completed" : "Error")
              .withMessage(why)
              .withStartedAt(startedAt)
              .withFinishedAt(now)
              .endTerminated()
              .endState()
              .build();
      LOG.infof("pod %s/%s ends %s (%s, exit %d)", ns, name, phase, why, exit);
      update(
          s -> {
            var b = new PodStatusBuilder(s).withPhase(phase).withContainerStatuses(cs);
            if (deadline) {
              b.withReason("DeadlineExceeded")
                  .withMessage("Pod was active on the node longer than the specified deadline");
            }
            return b.build();
          });
    }

    /** The user:password of the pod's image pull Secret for the image's registry, or null. */
    String pullCredentials(String image) {
      var secrets = spec.getSpec().getImagePullSecrets();
      if (secrets == null || secrets.isEmpty()) {
        return null;
      }
      String secretName = secrets.get(0).getName();
      var secret = client.secrets().inNamespace(ns).withName(secretName).get();
      if (secret == null
          || secret.getData() == null
          || secret.getData().get(".dockerconfigjson") == null) {
        // the kubelet pulls without it (and fails on a registry that needs it)
        LOG.warnf(
            "pod %s/%s: image pull Secret %s missing or not dockerconfigjson",
            ns, name, secretName);
        return null;
      }
      String host = image.substring(0, image.indexOf('/'));
      try {
        var config =
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(
                    java.util.Base64.getDecoder()
                        .decode(secret.getData().get(".dockerconfigjson")));
        var auth = config.path("auths").path(host);
        if (auth.hasNonNull("auth")) {
          return new String(
              java.util.Base64.getDecoder().decode(auth.get("auth").asText()),
              java.nio.charset.StandardCharsets.UTF_8);
        }
        if (auth.hasNonNull("username")) {
          return auth.get("username").asText() + ":" + auth.path("password").asText();
        }
        return null;
      } catch (IOException e) {
        throw new Unsupported("image pull Secret " + secretName + ": " + e.getMessage());
      }
    }

    void refuse(String message) {
      String full = ns + "/" + name + ": node agent (pods): unsupported " + message;
      errors.add(full);
      LOG.error(full);
      String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
      update(
          s ->
              new PodStatusBuilder(s)
                  .withPhase("Failed")
                  .withReason("Unsupported")
                  .withMessage(full)
                  .withContainerStatuses(
                      new ContainerStatusBuilder()
                          .withName(c.getName())
                          .withImage(c.getImage())
                          .withImageID("")
                          .withReady(false)
                          .withRestartCount(0)
                          .withNewState()
                          .withNewTerminated()
                          .withExitCode(128)
                          .withReason("StartError")
                          .withMessage(full)
                          .withStartedAt(now)
                          .withFinishedAt(now)
                          .endTerminated()
                          .endState()
                          .build())
                  .build());
    }

    void writeStatus() {
      String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
      var cs =
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(c.getImage())
              .withImageID(c.getImage())
              .withContainerID("podman://" + container)
              .withReady(ready)
              .withStarted(started)
              .withRestartCount(restarts)
              .withState(
                  new ContainerStateBuilder()
                      .withNewRunning()
                      .withStartedAt(startedAt)
                      .endRunning()
                      .build());
      if (lastTerminated != null) {
        cs.withNewLastStateLike(lastTerminated.getState()).endLastState();
      }
      ContainerStatus status = cs.build();
      boolean r = ready;
      update(
          s -> {
            List<PodCondition> conds = new ArrayList<>();
            conds.add(keep(s, "PodScheduled", "True", podStart.toString()));
            conds.add(keep(s, "Initialized", "True", podStart.toString()));
            conds.add(keep(s, "ContainersReady", r ? "True" : "False", now));
            conds.add(keep(s, "Ready", r ? "True" : "False", now));
            return new PodStatusBuilder(s)
                .withPhase("Running")
                .withHostIP("127.0.0.1")
                .withHostIPs(new HostIP("127.0.0.1"))
                .withPodIP(podIp)
                .withPodIPs(new PodIP(podIp))
                .withStartTime(podStart.toString())
                .withConditions(conds)
                .withContainerStatuses(status)
                .build();
          });
    }

    void update(UnaryOperator<PodStatus> change) {
      client
          .pods()
          .inNamespace(ns)
          .withName(name)
          .editStatus(
              (UnaryOperator<Pod>)
                  p -> {
                    p.setStatus(
                        change.apply(p.getStatus() == null ? new PodStatus() : p.getStatus()));
                    return p;
                  });
    }
  }

  private void confirmDeletion(Pod pod) {
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .withGracePeriod(0)
          .delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        errors.add(pod.getMetadata().getName() + ": cannot confirm deletion: " + e);
      }
    }
  }

  private static PodCondition keep(PodStatus s, String type, String status, String now) {
    PodCondition old =
        nn(s.getConditions()).stream()
            .filter(c -> c.getType().equals(type))
            .findFirst()
            .orElse(null);
    String t = old != null && status.equals(old.getStatus()) ? old.getLastTransitionTime() : now;
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withLastTransitionTime(t)
        .build();
  }

  private static ContainerStatus terminated(int exit, String reason, String startedAt) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    return new ContainerStatusBuilder()
        .withNewState()
        .withNewTerminated()
        .withExitCode(exit)
        .withReason(exit == 0 ? "Completed" : "Error")
        .withMessage(reason)
        .withStartedAt(startedAt)
        .withFinishedAt(now)
        .endTerminated()
        .endState()
        .build();
  }

  private static void pipe(Socket from, Socket to) {
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // one side closed
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException e) {
        // closed
      }
    }
  }

  private static Map<String, byte[]> bytes(Map<String, String> data) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    nnm(data).forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
    return out;
  }

  private static void ip(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Proc.run(Duration.ofSeconds(30), cmd).check();
  }

  private static int nz(Integer v, int dflt) {
    return v == null || v == 0 ? dflt : v;
  }

  private static <T> List<T> nn(List<T> l) {
    return l == null ? List.of() : l;
  }

  private static <K, V> Map<K, V> nnm(Map<K, V> m) {
    return m == null ? Map.of() : m;
  }

  /** JSON array of strings, for podman's exec-form --entrypoint. */
  static final class ProcJson {
    static String array(List<String> items) {
      try {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(items);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}

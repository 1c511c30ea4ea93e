package dev.leanode.e2e;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Build ConfigMap + Job written by hand in the shape docs/architecture.md documents, for the
 * stand-in's self-test (it must not depend on the operator's Job builder, which it checks).
 */
final class DocumentedJobShape {
  static final Map<String, String> LABELS =
      Map.of(
          "app.kubernetes.io/managed-by", "leanode",
          "app.kubernetes.io/component", "build",
          "leanode.dev/nodeappimage", "selftest");

  private DocumentedJobShape() {}

  /** Inline files of an app folder (relative path → content). */
  static Map<String, String> files(Path app) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    try (Stream<Path> s = Files.walk(app)) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        files.put(app.relativize(p).toString(), Files.readString(p));
      }
    }
    return files;
  }

  static String key(String path) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-1").digest(path.getBytes(StandardCharsets.UTF_8));
      return "src." + HexFormat.of().formatHex(h).substring(0, 12);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static ConfigMap configMap(String name, String dockerfile, Map<String, String> files, String ca) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("Dockerfile", dockerfile);
    files.forEach((p, c) -> data.put(key(p), c));
    if (ca != null) {
      data.put("ca.crt", ca);
    }
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(LABELS)
        .endMetadata()
        .withData(data)
        .build();
  }

  static Secret pushSecret(String name, String registry, String user, String password) {
    String auth =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    String json = "{\"auths\":{\"" + registry + "\":{\"auth\":\"" + auth + "\"}}}";
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withType("kubernetes.io/dockerconfigjson")
        .withData(
            Map.of(
                ".dockerconfigjson",
                Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))))
        .build();
  }

  /**
   * The Job for an inline source ({@code files} non-null) or a git context ({@code gitContext} like
   * git://host/path#ref#commit). {@code extraArgs} are appended to the kaniko args.
   */
  static Job job(
      String name,
      String destination,
      Map<String, String> files,
      String gitContext,
      String subPath,
      String pushSecret,
      boolean ca,
      List<String> extraArgs) {
    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> kanikoMounts = new ArrayList<>();
    volumes.add(
        new VolumeBuilder()
            .withName("dockerfile")
            .withNewConfigMap()
            .withName(name)
            .withItems(new KeyToPath("Dockerfile", null, "Dockerfile"))
            .endConfigMap()
            .build());
    kanikoMounts.add(mount("dockerfile", "/leanode/dockerfile", true));
    List<String> args = new ArrayList<>(List.of("--dockerfile=/leanode/dockerfile/Dockerfile"));
    var init = new ArrayList<io.fabric8.kubernetes.api.model.Container>();
    List<io.fabric8.kubernetes.api.model.EnvVar> env = new ArrayList<>();
    if (files != null) {
      List<KeyToPath> items = new ArrayList<>();
      files.keySet().forEach(p -> items.add(new KeyToPath(key(p), null, p)));
      volumes.add(
          new VolumeBuilder()
              .withName("inline")
              .withNewConfigMap()
              .withName(name)
              .withItems(items)
              .endConfigMap()
              .build());
      volumes.add(new VolumeBuilder().withName("context").withNewEmptyDir().endEmptyDir().build());
      init.add(
          new ContainerBuilder()
              .withName("prepare-context")
              .withImage("busybox:1.37.0")
              .withCommand(
                  "sh", "-c", "cp -RL /leanode/inline/. /workspace/ && rm -rf /workspace/..?*")
              .withVolumeMounts(
                  mount("inline", "/leanode/inline", true), mount("context", "/workspace", false))
              // like the operator's Job: copying files needs no privilege
              .withNewSecurityContext()
              .withRunAsUser(65532L)
              .withRunAsGroup(65532L)
              .withRunAsNonRoot(true)
              .endSecurityContext()
              .build());
      kanikoMounts.add(mount("context", "/workspace", false));
      args.add("--context=dir:///workspace");
    } else {
      args.add("--context=" + gitContext);
      env.add(new io.fabric8.kubernetes.api.model.EnvVar("GIT_PULL_METHOD", "http", null));
      if (subPath != null) {
        args.add("--context-sub-path=" + subPath);
      }
    }
    args.add("--destination=" + destination);
    args.add("--digest-file=/dev/termination-log");
    if (pushSecret != null) {
      volumes.add(
          new VolumeBuilder()
              .withName("docker-config")
              .withNewSecret()
              .withSecretName(pushSecret)
              .withItems(new KeyToPath(".dockerconfigjson", null, "config.json"))
              .endSecret()
              .build());
      kanikoMounts.add(mount("docker-config", "/kaniko/.docker", true));
    }
    args.add("--insecure");
    args.add("--skip-tls-verify");
    if (ca) {
      volumes.add(
          new VolumeBuilder()
              .withName("ca-bundle")
              .withNewConfigMap()
              .withName(name)
              .withItems(new KeyToPath("ca.crt", null, "ca.crt"))
              .endConfigMap()
              .build());
      kanikoMounts.add(mount("ca-bundle", "/leanode/ca", true));
      args.add(
          "--registry-certificate="
              + KanikoStandIn.registryHost(destination)
              + "=/leanode/ca/ca.crt");
    }
    args.addAll(extraArgs);
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(LABELS)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds(900L)
        .withTtlSecondsAfterFinished(3600)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(LABELS)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withAutomountServiceAccountToken(false)
        .withVolumes(volumes)
        .withInitContainers(init)
        .withContainers(
            new ContainerBuilder()
                .withName("kaniko")
                .withImage("ghcr.io/osscontainertools/kaniko:v1.26.2")
                .withArgs(args)
                .withEnv(env)
                .withVolumeMounts(kanikoMounts)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static VolumeMount mount(String name, String path, boolean ro) {
    VolumeMount m = new VolumeMount();
    m.setName(name);
    m.setMountPath(path);
    m.setReadOnly(ro);
    return m;
  }
}

package dev.leanode.build;

import dev.leanode.api.v1alpha1.NodeAppImage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds with the Kaniko executor in a Job, following docs/architecture.md ("The build ConfigMap
 * and Job"): the ConfigMap carries the Dockerfiles, CA bundle and inline files, the Job runs {@code
 * kaniko} (and {@code kaniko-single-stage}) and reports the digest through the termination message.
 * The parts: {@link BuildInputs} (settings, checks, input hash), {@link BuildConfigMap}, {@link
 * KanikoArgs}, {@link KanikoJob} (volumes, containers, posture), {@link KanikoJobObserver}.
 */
public final class KanikoBuildRunner implements ImageBuildRunner {
  public static final String CONTAINER = "kaniko";
  public static final String SINGLE_STAGE_CONTAINER = "kaniko-single-stage";
  public static final String INIT_CONTAINER = "prepare-context";

  /**
   * What Kaniko needs as root with everything else dropped (Shipwright's Kaniko strategy; Kaniko
   * issues #778 and #1171): CHOWN/FOWNER/DAC_OVERRIDE to unpack base-image filesystems and apply
   * ownership, SETUID/SETGID to run RUN steps as the Dockerfile's USER (node), SETFCAP to extract
   * files carrying file capabilities, KILL to stop RUN processes.
   */
  public static final List<String> KANIKO_CAPABILITIES =
      List.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID", "SETFCAP", "KILL");

  @Override
  public BuildPlan plan(BuildRequest request) {
    NodeAppImage resource = request.resource();
    String resourceName = resource.getMetadata().getName();
    BuildInputs inputs = BuildInputs.of(request);
    String inputHash = inputs.hash();
    String name = BuildNames.jobName(resourceName, inputHash);
    Map<String, String> labels = Labels.forBuild(resourceName, inputHash);
    OwnerReference owner = ownerReference(resource);
    String namespace = resource.getMetadata().getNamespace();

    BuildConfigMap data = BuildConfigMap.of(inputs);
    ConfigMap configMap =
        new ConfigMapBuilder()
            .withMetadata(meta(name, namespace, labels, owner))
            .withData(data.data())
            .build();
    Job job =
        KanikoJob.of(
            meta(name, namespace, labels, owner),
            resourceName,
            inputs,
            data,
            request.settings().contextInitImage());
    return new BuildPlan(name, inputHash, configMap, job);
  }

  @Override
  public BuildState observe(Job job, List<Pod> pods) {
    return KanikoJobObserver.observe(job, pods);
  }

  private static ObjectMeta meta(
      String name, String namespace, Map<String, String> labels, OwnerReference owner) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(new LinkedHashMap<>(labels))
        .withOwnerReferences(owner)
        .build();
  }

  /** The controller owner reference of every object made for a NodeAppImage. */
  public static OwnerReference ownerReference(NodeAppImage resource) {
    return new OwnerReferenceBuilder()
        .withApiVersion(resource.getApiVersion())
        .withKind(resource.getKind())
        .withName(resource.getMetadata().getName())
        .withUid(Objects.requireNonNull(resource.getMetadata().getUid(), "metadata.uid"))
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}

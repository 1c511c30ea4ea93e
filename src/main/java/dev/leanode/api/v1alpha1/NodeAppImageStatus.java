package dev.leanode.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Observed state of a NodeAppImage: conditions plus what was built and measured. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeAppImageStatus {
  public static final String READY = "Ready";
  public static final String BUILDING = "Building";
  public static final String VERIFIED = "Verified";

  @JsonPropertyDescription("metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Ready: image for the current generation pushed and measured. Building: a build Job for the"
          + " current generation runs.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The exact source that was built.")
  private SourceStatus source;

  @JsonPropertyDescription("The generated Dockerfile: ConfigMap holding it and its SHA-256.")
  private DockerfileStatus dockerfile;

  @JsonPropertyDescription("The build Job of the current build inputs.")
  private BuildStatus build;

  @JsonPropertyDescription("The pushed image: reference, digest and compressed size.")
  private OutputStatus output;

  @JsonPropertyDescription("Single-stage vs Leanode size (only with build.compareSingleStage).")
  private ComparisonStatus comparison;

  @JsonPropertyDescription(
      "The base image of every stage and the digest it was pinned to (FROM <image>@<digest>).")
  private BaseImageStatus baseImage;

  @JsonPropertyDescription(
      "The last builds, newest first, at most as many as the operator keeps build Jobs"
          + " (leanode.build.keep-jobs, at least 1): why each ran, what it built from, its result.")
  private List<BuildRecord> history;

  @JsonPropertyDescription(
      "While the operator polls for something it cannot watch (a missing push or git Secret, a"
          + " registry that does not answer the size): the Ready reason retried and how many times."
          + " The backoff follows from it, so it survives an operator restart; absent otherwise.")
  private RetryStatus retry;

  @JsonPropertyDescription(
      "The check of spec.verify for the image digest built last: its Pod, when it started, how"
          + " long the image took to answer, and the outcome. Absent without spec.verify.")
  private VerifyStatus verify;

  public VerifyStatus getVerify() {
    return verify;
  }

  public void setVerify(VerifyStatus verify) {
    this.verify = verify;
  }

  @JsonIgnore
  public Optional<Condition> condition(String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public SourceStatus getSource() {
    return source;
  }

  public void setSource(SourceStatus source) {
    this.source = source;
  }

  public DockerfileStatus getDockerfile() {
    return dockerfile;
  }

  public void setDockerfile(DockerfileStatus dockerfile) {
    this.dockerfile = dockerfile;
  }

  public BuildStatus getBuild() {
    return build;
  }

  public void setBuild(BuildStatus build) {
    this.build = build;
  }

  public OutputStatus getOutput() {
    return output;
  }

  public void setOutput(OutputStatus output) {
    this.output = output;
  }

  public ComparisonStatus getComparison() {
    return comparison;
  }

  public void setComparison(ComparisonStatus comparison) {
    this.comparison = comparison;
  }

  public RetryStatus getRetry() {
    return retry;
  }

  public BaseImageStatus getBaseImage() {
    return baseImage;
  }

  public void setBaseImage(BaseImageStatus baseImage) {
    this.baseImage = baseImage;
  }

  public List<BuildRecord> getHistory() {
    return history;
  }

  public void setHistory(List<BuildRecord> history) {
    this.history = history;
  }

  public void setRetry(RetryStatus retry) {
    this.retry = retry;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeAppImageStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(conditions, s.conditions)
        && Objects.equals(source, s.source)
        && Objects.equals(dockerfile, s.dockerfile)
        && Objects.equals(build, s.build)
        && Objects.equals(output, s.output)
        && Objects.equals(comparison, s.comparison)
        && Objects.equals(retry, s.retry)
        && Objects.equals(baseImage, s.baseImage)
        && Objects.equals(history, s.history)
        && Objects.equals(verify, s.verify);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        observedGeneration,
        conditions,
        source,
        dockerfile,
        build,
        output,
        retry,
        baseImage,
        verify);
  }

  /** The base image and the digest its tag resolved to. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BaseImageStatus {
    @JsonPropertyDescription(
        "The base image as the spec names it: node:<nodeVersion>-alpine or spec.app.baseImage.")
    private String image;

    @JsonPropertyDescription("The digest it resolved to (sha256:...), written into every FROM.")
    private String digest;

    public BaseImageStatus() {}

    public BaseImageStatus(String image, String digest) {
      this.image = image;
      this.digest = digest;
    }

    public String getImage() {
      return image;
    }

    public void setImage(String image) {
      this.image = image;
    }

    public String getDigest() {
      return digest;
    }

    public void setDigest(String digest) {
      this.digest = digest;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BaseImageStatus s
          && Objects.equals(image, s.image)
          && Objects.equals(digest, s.digest);
    }

    @Override
    public int hashCode() {
      return Objects.hash(image, digest);
    }
  }

  /** What spec.verify found for one image digest. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class VerifyStatus {
    @JsonPropertyDescription("The image digest checked (sha256:...).")
    private String digest;

    @JsonPropertyDescription("The Pod that ran it (deleted once the check ended).")
    private String pod;

    @JsonPropertyDescription("Passed or Failed; absent while the check runs.")
    private String outcome;

    @JsonPropertyDescription(
        "Milliseconds from the container's start (its startedAt, 1 s resolution) to the first"
            + " answer 200-399.")
    private Long answeredAfterMillis;

    @JsonPropertyDescription("When the check ended (RFC 3339).")
    private String completionTime;

    public VerifyStatus() {}

    public VerifyStatus(String digest, String pod) {
      this.digest = digest;
      this.pod = pod;
    }

    public String getDigest() {
      return digest;
    }

    public void setDigest(String digest) {
      this.digest = digest;
    }

    public String getPod() {
      return pod;
    }

    public void setPod(String pod) {
      this.pod = pod;
    }

    public String getOutcome() {
      return outcome;
    }

    public void setOutcome(String outcome) {
      this.outcome = outcome;
    }

    public Long getAnsweredAfterMillis() {
      return answeredAfterMillis;
    }

    public void setAnsweredAfterMillis(Long answeredAfterMillis) {
      this.answeredAfterMillis = answeredAfterMillis;
    }

    public String getCompletionTime() {
      return completionTime;
    }

    public void setCompletionTime(String completionTime) {
      this.completionTime = completionTime;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof VerifyStatus s
          && Objects.equals(digest, s.digest)
          && Objects.equals(pod, s.pod)
          && Objects.equals(outcome, s.outcome)
          && Objects.equals(answeredAfterMillis, s.answeredAfterMillis)
          && Objects.equals(completionTime, s.completionTime);
    }

    @Override
    public int hashCode() {
      return Objects.hash(digest, pod, outcome, answeredAfterMillis, completionTime);
    }
  }

  /** One build: why it ran, what it was built from, how it ended. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BuildRecord {
    @JsonPropertyDescription("Name of the build Job.")
    private String job;

    @JsonPropertyDescription(
        "Why it ran: Created, SpecChanged, NewCommit, BaseImageUpdated or RebuildRequested.")
    private String trigger;

    @JsonPropertyDescription("metadata.generation of the spec it built.")
    private Long generation;

    @JsonPropertyDescription("The git commit built (git sources).")
    private String commit;

    @JsonPropertyDescription("The base image digest every FROM was pinned to.")
    private String baseImageDigest;

    @JsonPropertyDescription("The leanode.dev/rebuild annotation's value when it started, if set.")
    private String rebuild;

    @JsonPropertyDescription(
        "Running, Succeeded, Failed, TimedOut, Suspended (its Job deleted by spec.suspend) or"
            + " Superseded (its inputs changed before it finished).")
    private String outcome;

    @JsonPropertyDescription("Digest of the pushed image (succeeded builds).")
    private String digest;

    @JsonPropertyDescription("Compressed size of the pushed image in bytes (succeeded builds).")
    private Long sizeBytes;

    @JsonPropertyDescription("When the build started (RFC 3339).")
    private String startTime;

    @JsonPropertyDescription("When it finished (RFC 3339).")
    private String completionTime;

    public String getJob() {
      return job;
    }

    public void setJob(String job) {
      this.job = job;
    }

    public String getTrigger() {
      return trigger;
    }

    public void setTrigger(String trigger) {
      this.trigger = trigger;
    }

    public Long getGeneration() {
      return generation;
    }

    public void setGeneration(Long generation) {
      this.generation = generation;
    }

    public String getCommit() {
      return commit;
    }

    public void setCommit(String commit) {
      this.commit = commit;
    }

    public String getBaseImageDigest() {
      return baseImageDigest;
    }

    public void setBaseImageDigest(String baseImageDigest) {
      this.baseImageDigest = baseImageDigest;
    }

    public String getRebuild() {
      return rebuild;
    }

    public void setRebuild(String rebuild) {
      this.rebuild = rebuild;
    }

    public String getOutcome() {
      return outcome;
    }

    public void setOutcome(String outcome) {
      this.outcome = outcome;
    }

    public String getDigest() {
      return digest;
    }

    public void setDigest(String digest) {
      this.digest = digest;
    }

    public Long getSizeBytes() {
      return sizeBytes;
    }

    public void setSizeBytes(Long sizeBytes) {
      this.sizeBytes = sizeBytes;
    }

    public String getStartTime() {
      return startTime;
    }

    public void setStartTime(String startTime) {
      this.startTime = startTime;
    }

    public String getCompletionTime() {
      return completionTime;
    }

    public void setCompletionTime(String completionTime) {
      this.completionTime = completionTime;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BuildRecord r
          && Objects.equals(job, r.job)
          && Objects.equals(trigger, r.trigger)
          && Objects.equals(generation, r.generation)
          && Objects.equals(commit, r.commit)
          && Objects.equals(baseImageDigest, r.baseImageDigest)
          && Objects.equals(rebuild, r.rebuild)
          && Objects.equals(outcome, r.outcome)
          && Objects.equals(digest, r.digest)
          && Objects.equals(sizeBytes, r.sizeBytes)
          && Objects.equals(startTime, r.startTime)
          && Objects.equals(completionTime, r.completionTime);
    }

    @Override
    public int hashCode() {
      return Objects.hash(job, trigger, commit, outcome, digest, startTime, completionTime);
    }
  }

  /** A problem the operator retries on its own, and how often it tried. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RetryStatus {
    @JsonPropertyDescription("The Ready reason being retried, e.g. SecretNotFound or SizeUnknown.")
    private String reason;

    @JsonPropertyDescription("How many times it was tried so far: 1 after the first failure.")
    private Integer attempt;

    public RetryStatus() {}

    public RetryStatus(String reason, Integer attempt) {
      this.reason = reason;
      this.attempt = attempt;
    }

    public String getReason() {
      return reason;
    }

    public void setReason(String reason) {
      this.reason = reason;
    }

    public Integer getAttempt() {
      return attempt;
    }

    public void setAttempt(Integer attempt) {
      this.attempt = attempt;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RetryStatus s
          && Objects.equals(reason, s.reason)
          && Objects.equals(attempt, s.attempt);
    }

    @Override
    public int hashCode() {
      return Objects.hash(reason, attempt);
    }
  }

  /** The exact source that was built. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SourceStatus {
    @JsonPropertyDescription("Full commit SHA the git revision resolved to.")
    private String commit;

    @JsonPropertyDescription("The revision as written in the spec (or HEAD).")
    private String revision;

    public SourceStatus() {}

    public SourceStatus(String commit, String revision) {
      this.commit = commit;
      this.revision = revision;
    }

    public String getCommit() {
      return commit;
    }

    public void setCommit(String commit) {
      this.commit = commit;
    }

    public String getRevision() {
      return revision;
    }

    public void setRevision(String revision) {
      this.revision = revision;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SourceStatus s
          && Objects.equals(commit, s.commit)
          && Objects.equals(revision, s.revision);
    }

    @Override
    public int hashCode() {
      return Objects.hash(commit, revision);
    }
  }

  /** Where the generated Dockerfile is kept. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class DockerfileStatus {
    @JsonPropertyDescription("ConfigMap holding the Dockerfile (and inline files) of this build.")
    private String configMap;

    @JsonPropertyDescription("SHA-256 of the generated Dockerfile.")
    private String sha256;

    @JsonPropertyDescription(
        "The image's exec-form command (its CMD), as spec.app.command gave it or as decided from"
            + " the app's own files (package.json scripts.start, start:prod, main, ...).")
    private List<String> startCommand;

    @JsonPropertyDescription(
        "Where startCommand comes from and why, e.g. 'package.json scripts.start: \"node"
            + " ./bin/www\" runs node directly'; also names a build script run for it.")
    private String startCommandSource;

    public DockerfileStatus() {}

    public DockerfileStatus(String configMap, String sha256) {
      this(configMap, sha256, null, null);
    }

    public DockerfileStatus(
        String configMap, String sha256, List<String> startCommand, String startCommandSource) {
      this.configMap = configMap;
      this.sha256 = sha256;
      this.startCommand = startCommand == null ? null : List.copyOf(startCommand);
      this.startCommandSource = startCommandSource;
    }

    public List<String> getStartCommand() {
      return startCommand;
    }

    public void setStartCommand(List<String> startCommand) {
      this.startCommand = startCommand;
    }

    public String getStartCommandSource() {
      return startCommandSource;
    }

    public void setStartCommandSource(String startCommandSource) {
      this.startCommandSource = startCommandSource;
    }

    public String getConfigMap() {
      return configMap;
    }

    public void setConfigMap(String configMap) {
      this.configMap = configMap;
    }

    public String getSha256() {
      return sha256;
    }

    public void setSha256(String sha256) {
      this.sha256 = sha256;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof DockerfileStatus s
          && Objects.equals(configMap, s.configMap)
          && Objects.equals(sha256, s.sha256)
          && Objects.equals(startCommand, s.startCommand)
          && Objects.equals(startCommandSource, s.startCommandSource);
    }

    @Override
    public int hashCode() {
      return Objects.hash(configMap, sha256, startCommand, startCommandSource);
    }
  }

  /** The build Job. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BuildStatus {
    @JsonPropertyDescription("Name of the build Job.")
    private String job;

    @JsonPropertyDescription("Hash of the build inputs; the Job name ends with its first 10 chars.")
    private String inputHash;

    @JsonPropertyDescription("When the Job started (RFC 3339).")
    private String startTime;

    @JsonPropertyDescription("When the Job finished (RFC 3339).")
    private String completionTime;

    @JsonPropertyDescription(
        "How many times the operator created the Job of these inputs: 1, or 2 after the Job was"
            + " deleted before it finished. After a second loss the build fails; set annotation"
            + " leanode.dev/rebuild to a new value to retry.")
    private Integer attempt;

    @JsonPropertyDescription(
        "Why this build ran: Created, SpecChanged, NewCommit, BaseImageUpdated or"
            + " RebuildRequested (annotation leanode.dev/rebuild).")
    private String trigger;

    public String getTrigger() {
      return trigger;
    }

    public void setTrigger(String trigger) {
      this.trigger = trigger;
    }

    public Integer getAttempt() {
      return attempt;
    }

    public void setAttempt(Integer attempt) {
      this.attempt = attempt;
    }

    public String getJob() {
      return job;
    }

    public void setJob(String job) {
      this.job = job;
    }

    public String getInputHash() {
      return inputHash;
    }

    public void setInputHash(String inputHash) {
      this.inputHash = inputHash;
    }

    public String getStartTime() {
      return startTime;
    }

    public void setStartTime(String startTime) {
      this.startTime = startTime;
    }

    public String getCompletionTime() {
      return completionTime;
    }

    public void setCompletionTime(String completionTime) {
      this.completionTime = completionTime;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BuildStatus s
          && Objects.equals(job, s.job)
          && Objects.equals(inputHash, s.inputHash)
          && Objects.equals(startTime, s.startTime)
          && Objects.equals(completionTime, s.completionTime)
          && Objects.equals(attempt, s.attempt)
          && Objects.equals(trigger, s.trigger);
    }

    @Override
    public int hashCode() {
      return Objects.hash(job, inputHash, startTime, completionTime, attempt, trigger);
    }
  }

  /** The pushed image. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class OutputStatus {
    @JsonPropertyDescription("Image reference that was pushed.")
    private String image;

    @JsonPropertyDescription("Digest of the pushed manifest (sha256:...).")
    private String digest;

    @JsonPropertyDescription(
        "Compressed size in bytes: config + layers as the registry stores them.")
    private Long sizeBytes;

    @JsonPropertyDescription("sizeBytes for people, e.g. 52.1 MiB.")
    private String size;

    @JsonPropertyDescription(
        "Platform measured when the digest is an image index, e.g. linux/amd64.")
    private String platform;

    @JsonPropertyDescription(
        "Compressed bytes by part, from the registry manifest and the known order of Leanode's"
            + " layers: base, production dependencies, app.")
    private LayersStatus layers;

    @JsonPropertyDescription(
        "Change of sizeBytes since the previous build's image (absent for the first build).")
    private SizeChangeStatus change;

    public LayersStatus getLayers() {
      return layers;
    }

    public void setLayers(LayersStatus layers) {
      this.layers = layers;
    }

    public SizeChangeStatus getChange() {
      return change;
    }

    public void setChange(SizeChangeStatus change) {
      this.change = change;
    }

    public String getImage() {
      return image;
    }

    public void setImage(String image) {
      this.image = image;
    }

    public String getDigest() {
      return digest;
    }

    public void setDigest(String digest) {
      this.digest = digest;
    }

    public Long getSizeBytes() {
      return sizeBytes;
    }

    public void setSizeBytes(Long sizeBytes) {
      this.sizeBytes = sizeBytes;
    }

    public String getSize() {
      return size;
    }

    public void setSize(String size) {
      this.size = size;
    }

    public String getPlatform() {
      return platform;
    }

    public void setPlatform(String platform) {
      this.platform = platform;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof OutputStatus s
          && Objects.equals(image, s.image)
          && Objects.equals(digest, s.digest)
          && Objects.equals(sizeBytes, s.sizeBytes)
          && Objects.equals(size, s.size)
          && Objects.equals(platform, s.platform)
          && Objects.equals(layers, s.layers)
          && Objects.equals(change, s.change);
    }

    @Override
    public int hashCode() {
      return Objects.hash(image, digest, sizeBytes, size, platform, layers, change);
    }
  }

  /** The image's compressed bytes by part (the config blob is in none of them). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class LayersStatus {
    @JsonPropertyDescription(
        "Layers before the production dependencies: the base image's (standard runtime) or the"
            + " minimal runtime's one layer, then WORKDIR and the signal shim (< 1 KiB together).")
    private Long baseBytes;

    @JsonPropertyDescription("The production node_modules layer.")
    private Long dependenciesBytes;

    @JsonPropertyDescription("The runtime files' layers (after node_modules).")
    private Long appBytes;

    public Long getBaseBytes() {
      return baseBytes;
    }

    public void setBaseBytes(Long baseBytes) {
      this.baseBytes = baseBytes;
    }

    public Long getDependenciesBytes() {
      return dependenciesBytes;
    }

    public void setDependenciesBytes(Long dependenciesBytes) {
      this.dependenciesBytes = dependenciesBytes;
    }

    public Long getAppBytes() {
      return appBytes;
    }

    public void setAppBytes(Long appBytes) {
      this.appBytes = appBytes;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof LayersStatus l
          && Objects.equals(baseBytes, l.baseBytes)
          && Objects.equals(dependenciesBytes, l.dependenciesBytes)
          && Objects.equals(appBytes, l.appBytes);
    }

    @Override
    public int hashCode() {
      return Objects.hash(baseBytes, dependenciesBytes, appBytes);
    }
  }

  /** How the image's size moved since the previous build. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SizeChangeStatus {
    @JsonPropertyDescription("The previous image's digest.")
    private String previousDigest;

    @JsonPropertyDescription("sizeBytes minus the previous image's sizeBytes (negative = smaller).")
    private Long bytes;

    @JsonPropertyDescription("bytes as a percentage of the previous size, one decimal.")
    private Double percent;

    public String getPreviousDigest() {
      return previousDigest;
    }

    public void setPreviousDigest(String previousDigest) {
      this.previousDigest = previousDigest;
    }

    public Long getBytes() {
      return bytes;
    }

    public void setBytes(Long bytes) {
      this.bytes = bytes;
    }

    public Double getPercent() {
      return percent;
    }

    public void setPercent(Double percent) {
      this.percent = percent;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SizeChangeStatus c
          && Objects.equals(previousDigest, c.previousDigest)
          && Objects.equals(bytes, c.bytes)
          && Objects.equals(percent, c.percent);
    }

    @Override
    public int hashCode() {
      return Objects.hash(previousDigest, bytes, percent);
    }
  }

  /** Single-stage vs Leanode. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ComparisonStatus {
    @JsonPropertyDescription("Image the single-stage variant was pushed to.")
    private String singleStageImage;

    @JsonPropertyDescription("Compressed size of the single-stage variant in bytes.")
    private Long singleStageSizeBytes;

    @JsonPropertyDescription("singleStageSizeBytes - status.output.sizeBytes.")
    private Long savedBytes;

    @JsonPropertyDescription("savedBytes as a percentage of singleStageSizeBytes, one decimal.")
    private Double savedPercent;

    @JsonPropertyDescription(
        "The saving for people (the SAVED column of kubectl get nai), e.g. 24.1 MiB (30.6%).")
    private String saved;

    public String getSaved() {
      return saved;
    }

    public void setSaved(String saved) {
      this.saved = saved;
    }

    public String getSingleStageImage() {
      return singleStageImage;
    }

    public void setSingleStageImage(String singleStageImage) {
      this.singleStageImage = singleStageImage;
    }

    public Long getSingleStageSizeBytes() {
      return singleStageSizeBytes;
    }

    public void setSingleStageSizeBytes(Long singleStageSizeBytes) {
      this.singleStageSizeBytes = singleStageSizeBytes;
    }

    public Long getSavedBytes() {
      return savedBytes;
    }

    public void setSavedBytes(Long savedBytes) {
      this.savedBytes = savedBytes;
    }

    public Double getSavedPercent() {
      return savedPercent;
    }

    public void setSavedPercent(Double savedPercent) {
      this.savedPercent = savedPercent;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ComparisonStatus s
          && Objects.equals(singleStageImage, s.singleStageImage)
          && Objects.equals(singleStageSizeBytes, s.singleStageSizeBytes)
          && Objects.equals(savedBytes, s.savedBytes)
          && Objects.equals(savedPercent, s.savedPercent)
          && Objects.equals(saved, s.saved);
    }

    @Override
    public int hashCode() {
      return Objects.hash(singleStageImage, singleStageSizeBytes, savedBytes, savedPercent, saved);
    }
  }
}

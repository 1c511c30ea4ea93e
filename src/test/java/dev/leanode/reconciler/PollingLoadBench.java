package dev.leanode.reconciler;

import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.GitSource;
import dev.leanode.api.v1alpha1.NodeAppImageSpec;
import dev.leanode.observe.BaseImageResolver;
import dev.leanode.observe.PollSchedule;
import dev.leanode.registry.ImageReference;
import dev.leanode.registry.ImageSize;
import dev.leanode.registry.RegistryClient;
import dev.leanode.registry.RegistryCredentials;
import dev.leanode.source.GitCredentials;
import dev.leanode.source.GitRevisionResolver;
import dev.leanode.source.ResolvedSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/**
 * Polling load, simulated (a benchmark, not a test: its name matches neither *Test nor *IT): 1,000
 * NodeAppImages with git sources (each its own repository and branch, the worst case for ls-remote)
 * on two base images, all created in the same second, reconciled for one simulated hour at exactly
 * the times the operator asks for ({@link PollSchedule} slots of the shorter of the git
 * pollInterval and leanode.build.base-image-poll-interval, as {@code BuildInputsResolver.Inputs}
 * asks). The real {@link SourceResolver} (its 30 s cache) and {@link BaseImageResolver} (its
 * per-image cache) sit in front of counting stand-ins for the git servers and the registry, so what
 * is counted is what would leave the operator. For contrast, the same with the former fixed "5
 * minutes after each reconciliation".
 *
 * <pre>
 * ./mvnw -B -ntp -o test -Dtest=PollingLoadBench -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Figures land in target/polling-load-bench.txt (and docs/benchmarks.md, by hand).
 */
class PollingLoadBench {
  static final int RESOURCES = 1000;
  static final Duration HOUR = Duration.ofHours(1);
  static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");

  static final class SimClock extends Clock {
    Instant now = T0;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** Calls per second of the simulated hour. */
  record Counts(int[] lsRemote, int[] registry) {
    Counts() {
      this(new int[(int) HOUR.toSeconds() + 1], new int[(int) HOUR.toSeconds() + 1]);
    }
  }

  record Resource(String key, GitSource git, NodeAppImageSpec spec) {}

  record Due(Instant at, int index) {}

  Counts run(boolean slots, Duration gitPoll, Duration basePoll) {
    SimClock clock = new SimClock();
    Counts counts = new Counts();
    GitRevisionResolver git =
        new GitRevisionResolver() {
          @Override
          public ResolvedSource.Git resolve(GitSource spec, Optional<GitCredentials> creds) {
            counts.lsRemote[second(clock.now)]++;
            return new ResolvedSource.Git(
                spec.getUrl(), "refs/heads/main", "0".repeat(40), null, null);
          }
        };
    RegistryClient registry =
        new RegistryClient() {
          @Override
          public ImageSize measure(
              ImageReference ref, Optional<RegistryCredentials> c, boolean insecure) {
            throw new AssertionError("not polled");
          }

          @Override
          public String digest(
              ImageReference ref, Optional<RegistryCredentials> c, boolean insecure) {
            counts.registry[second(clock.now)]++;
            return "sha256:" + "a".repeat(64);
          }
        };
    var sources = new SourceResolver(git, Duration.ofSeconds(30), clock);
    var bases = new BaseImageResolver(registry, List.of(), basePoll, clock);
    List<Resource> resources = new ArrayList<>();
    for (int i = 0; i < RESOURCES; i++) {
      var g = new GitSource();
      g.setUrl("https://git.example.com/team-" + (i % 20) + "/app-" + i + ".git");
      g.setRevision("main");
      g.setPollInterval(gitPoll.toSeconds() + "s");
      var spec = new NodeAppImageSpec();
      var app = new AppSpec();
      app.setNodeVersion(i % 2 == 0 ? "22" : "20");
      spec.setApp(app);
      resources.add(new Resource("team-" + (i % 20) + "/app-" + i, g, spec));
    }
    PriorityQueue<Due> queue = new PriorityQueue<>((a, b) -> a.at().compareTo(b.at()));
    for (int i = 0; i < RESOURCES; i++) {
      queue.add(new Due(T0, i)); // all created in the same second (or an operator restart)
    }
    Instant end = T0.plus(HOUR);
    while (!queue.isEmpty() && queue.peek().at().isBefore(end)) {
      Due due = queue.poll();
      clock.now = due.at();
      Resource r = resources.get(due.index());
      try {
        sources.resolve(r.git(), Optional.empty());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      bases.resolve(r.spec(), null, Optional.empty(), false);
      Duration next =
          slots ? PollSchedule.next(r.key(), min(gitPoll, basePoll), clock.now) : gitPoll;
      queue.add(new Due(clock.now.plus(next), due.index()));
    }
    return counts;
  }

  static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  static int second(Instant t) {
    return (int) Duration.between(T0, t).toSeconds();
  }

  static String describe(String what, int[] perSecond) {
    int total = 0;
    int max = 0;
    int busySeconds = 0;
    int[] perMinute = new int[60];
    for (int s = 0; s < perSecond.length; s++) {
      total += perSecond[s];
      max = Math.max(max, perSecond[s]);
      busySeconds += perSecond[s] > 0 ? 1 : 0;
      if (s < 3600) {
        perMinute[s / 60] += perSecond[s];
      }
    }
    // steady state: minutes 15..59 (the first minutes hold the creation burst)
    int steadyMin = Integer.MAX_VALUE;
    int steadyMax = 0;
    int steadyMaxSecond = 0;
    long steadyTotal = 0;
    for (int m = 15; m < 60; m++) {
      steadyMin = Math.min(steadyMin, perMinute[m]);
      steadyMax = Math.max(steadyMax, perMinute[m]);
      steadyTotal += perMinute[m];
      for (int s = m * 60; s < m * 60 + 60; s++) {
        steadyMaxSecond = Math.max(steadyMaxSecond, perSecond[s]);
      }
    }
    return String.format(
        Locale.ROOT,
        "| %s | %d | %.1f | %d–%d | %d | %d | %d |",
        what,
        total,
        steadyTotal / 45.0,
        steadyMin,
        steadyMax,
        steadyMaxSecond,
        max,
        busySeconds);
  }

  @Test
  void thousandResourcesPollingForAnHour() throws Exception {
    Duration git = PollSchedule.DEFAULT_GIT_POLL;
    Duration base = dev.leanode.config.BuildSettings.DEFAULT_BASE_IMAGE_POLL_INTERVAL;
    Counts slotted = run(true, git, base);
    Counts fixed = run(false, git, base);
    Counts fast = run(true, Duration.ofMinutes(1), base);
    String header =
        "| run | calls in 1 h | per minute (steady, min 15–60) | per minute min–max | max in one"
            + " second (steady) | max in one second (whole hour, incl. the creation burst) |"
            + " seconds with a call |\n|---|---|---|---|---|---|---|";
    String text =
        String.join(
            "\n",
            "1,000 git NodeAppImages (1,000 repositories), 2 base images, created in the same"
                + " second, 1 simulated hour",
            header,
            describe("ls-remote, slots, pollInterval 5m (default)", slotted.lsRemote()),
            describe("registry (base digest), slots, 10m (default)", slotted.registry()),
            describe("ls-remote, fixed 5m after each reconciliation (before)", fixed.lsRemote()),
            describe("ls-remote, slots, pollInterval 1m", fast.lsRemote()),
            describe("registry (base digest), slots, with pollInterval 1m", fast.registry()),
            "");
    System.out.println(text);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/polling-load-bench.txt"), text);
  }
}

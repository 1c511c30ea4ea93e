package dev.leanode.reconciler;

import dev.leanode.api.v1alpha1.GitSource;
import dev.leanode.dockerfile.AppFiles;
import dev.leanode.source.GitAppFiles;
import dev.leanode.source.GitCredentials;
import dev.leanode.source.GitRevisionResolver;
import dev.leanode.source.ResolvedSource;
import dev.leanode.source.SourceUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves git revisions with {@code ls-remote}, remembering each answer briefly: every Job and Pod
 * event reconciles again, and asking the git server each time would hammer it for nothing. The
 * files of a commit (for the start command) never change, so the last few hundred are kept.
 */
public class SourceResolver {
  private static final int FILES_KEPT = 256;
  private final GitRevisionResolver resolver;
  private final GitAppFiles appFiles;
  private final Map<FilesKey, AppFiles> files =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<FilesKey, AppFiles> eldest) {
              return size() > FILES_KEPT;
            }
          });
  private final Duration ttl;
  private final Clock clock;
  private final Map<Key, Entry> cache = new ConcurrentHashMap<>();

  public SourceResolver(GitRevisionResolver resolver, Duration ttl, Clock clock) {
    this(resolver, new GitAppFiles(GitRevisionResolver.DEFAULT_TIMEOUT_SECONDS), ttl, clock);
  }

  public SourceResolver(
      GitRevisionResolver resolver, GitAppFiles appFiles, Duration ttl, Clock clock) {
    this.resolver = resolver;
    this.appFiles = appFiles;
    this.ttl = ttl;
    this.clock = clock;
  }

  public ResolvedSource.Git resolve(GitSource git, Optional<GitCredentials> creds)
      throws SourceUnavailableException {
    Key key =
        new Key(
            git.getUrl(),
            git.getRevision(),
            git.getSubPath(),
            git.getSecretRef() == null ? null : git.getSecretRef().getName(),
            creds.map(Object::hashCode).orElse(0));
    Instant now = clock.instant();
    // a poll interval shorter than the cache's lifetime asks sooner (the cache must not hide it)
    Duration maxAge =
        dev.leanode.observe.PollSchedule.gitInterval(git)
            .filter(d -> d.compareTo(ttl) < 0)
            .orElse(ttl);
    Entry hit = cache.get(key);
    if (hit != null && hit.fetched.plus(maxAge).isAfter(now)) {
      return hit.value;
    }
    ResolvedSource.Git value = resolver.resolve(git, creds);
    cache.put(key, new Entry(value, now, now.plus(ttl)));
    if (cache.size() > 10_000) {
      cache.entrySet().removeIf(e -> !e.getValue().expires.isAfter(now));
    }
    return value;
  }

  /** The app's files at the resolved commit (shallow fetch of that commit, then kept). */
  public AppFiles files(ResolvedSource.Git git, Optional<GitCredentials> creds)
      throws SourceUnavailableException {
    FilesKey key =
        new FilesKey(git.url(), git.commit(), git.subPath(), creds.map(Object::hashCode).orElse(0));
    AppFiles hit = files.get(key);
    if (hit != null) {
      return hit;
    }
    AppFiles read = appFiles.read(git, creds);
    files.put(key, read);
    return read;
  }

  private record FilesKey(String url, String commit, String subPath, int credsHash) {}

  private record Key(String url, String revision, String subPath, String secret, int credsHash) {
    Key {
      Objects.requireNonNull(url);
    }
  }

  private record Entry(ResolvedSource.Git value, Instant fetched, Instant expires) {}
}

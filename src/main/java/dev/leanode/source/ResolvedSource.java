package dev.leanode.source;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The app source pinned to exact content: inline files, or a git commit. */
public sealed interface ResolvedSource permits ResolvedSource.Inline, ResolvedSource.Git {

  /** Inline files, relative path to content, sorted so that hashing is order-independent. */
  record Inline(SortedMap<String, String> files) implements ResolvedSource {
    public Inline {
      // natural key order whatever the caller's comparator, so the Job's volume items are stable
      TreeMap<String, String> sorted = new TreeMap<>();
      sorted.putAll(Objects.requireNonNull(files, "files"));
      files = Collections.unmodifiableSortedMap(sorted);
    }
  }

  /**
   * A git commit.
   *
   * @param url clone URL as written in the spec
   * @param ref full ref name the revision resolved to (refs/heads/main, refs/tags/v1), or null when
   *     the revision was a bare commit SHA (not verifiable without fetching)
   * @param commit 40 hex characters
   * @param subPath folder of the app inside the repository, or null
   * @param secretName Secret with the clone credentials, or null
   * @param secretLayout which keys of that Secret hold the credentials; null without a secret
   */
  record Git(
      String url,
      String ref,
      String commit,
      String subPath,
      String secretName,
      GitCredentials.Layout secretLayout)
      implements ResolvedSource {
    private static final Pattern SHA = Pattern.compile("^[0-9a-f]{40}$");

    public Git {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(commit, "commit");
      if (!SHA.matcher(commit).matches()) {
        throw new IllegalArgumentException("commit must be 40 lowercase hex characters: " + commit);
      }
      if (subPath != null && subPath.isEmpty()) {
        subPath = null;
      }
      if (secretName != null && secretName.isEmpty()) {
        secretName = null;
      }
      if (secretName == null) {
        secretLayout = null;
      } else if (secretLayout == null) {
        secretLayout = GitCredentials.Layout.USERNAME_PASSWORD;
      }
    }

    /** A Git source whose secret (if any) holds {@code username} + {@code password}. */
    public Git(String url, String ref, String commit, String subPath, String secretName) {
      this(url, ref, commit, subPath, secretName, null);
    }
  }
}

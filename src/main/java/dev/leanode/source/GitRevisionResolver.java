package dev.leanode.source;

import dev.leanode.api.v1alpha1.GitSource;
import dev.leanode.source.SourceUnavailableException.Kind;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.util.FS;

/**
 * Resolves spec.source.git.revision to an exact commit with {@code git ls-remote} (JGit, no clone),
 * so that the build input hash names a commit and a moving branch triggers a new build.
 *
 * <p>Revision forms: empty = the remote's HEAD (its symref target as ref); a full 40-hex SHA is
 * accepted as is (ref null: ls-remote only lists ref tips, so an arbitrary commit cannot be checked
 * without fetching; a wrong SHA fails in the build pod); {@code refs/...} is looked up as written;
 * any other name is tried as {@code refs/heads/<name>} first, then {@code refs/tags/<name>} (the
 * order of {@code git checkout} and of Kaniko's own branch lookup). Annotated tags resolve to the
 * commit they point to. Abbreviated SHAs are not supported.
 */
public class GitRevisionResolver {
  public static final int DEFAULT_TIMEOUT_SECONDS = 20;
  private static final Pattern FULL_SHA = Pattern.compile("^[0-9a-fA-F]{40}$");

  private final int timeoutSeconds;

  public GitRevisionResolver() {
    this(DEFAULT_TIMEOUT_SECONDS);
  }

  public GitRevisionResolver(int timeoutSeconds) {
    if (timeoutSeconds <= 0) {
      throw new IllegalArgumentException("timeoutSeconds must be positive");
    }
    this.timeoutSeconds = timeoutSeconds;
  }

  public ResolvedSource.Git resolve(GitSource spec, Optional<GitCredentials> creds)
      throws SourceUnavailableException {
    Objects.requireNonNull(spec, "spec");
    String url = spec.getUrl();
    if (url == null || url.isBlank()) {
      throw new SourceUnavailableException(Kind.OTHER, "source.git.url is empty");
    }
    String revision = spec.getRevision() == null ? "" : spec.getRevision().strip();
    String secretName = spec.getSecretRef() == null ? null : spec.getSecretRef().getName();
    GitCredentials.Layout layout =
        creds.map(GitCredentials::layout).orElse(GitCredentials.Layout.USERNAME_PASSWORD);

    if (FULL_SHA.matcher(revision).matches()) {
      return new ResolvedSource.Git(
          url,
          null,
          revision.toLowerCase(java.util.Locale.ROOT),
          spec.getSubPath(),
          secretName,
          layout);
    }

    Map<String, Ref> refs = lsRemote(url, revision, creds);
    String described = revision.isEmpty() ? "HEAD" : revision;
    Ref ref = revision.isEmpty() ? head(refs) : find(refs, revision);
    if (ref == null) {
      String hint =
          revision.matches("^[0-9a-fA-F]{4,39}$")
              ? " (abbreviated commit SHAs are not supported: use all 40 characters)"
              : "";
      throw new SourceUnavailableException(
          Kind.REVISION_NOT_FOUND,
          "revision '" + described + "' not found in " + redact(url, creds) + hint);
    }
    ObjectId commit = ref.getPeeledObjectId() != null ? ref.getPeeledObjectId() : ref.getObjectId();
    if (commit == null) {
      throw new SourceUnavailableException(
          Kind.REVISION_NOT_FOUND,
          "revision '" + described + "' in " + redact(url, creds) + " points to no commit");
    }
    String refName = ref.isSymbolic() ? ref.getTarget().getName() : ref.getName();
    if (Constants.HEAD.equals(refName)) {
      refName = null; // detached HEAD without a branch: build the commit only
    }
    return new ResolvedSource.Git(
        url, refName, commit.name(), spec.getSubPath(), secretName, layout);
  }

  private Map<String, Ref> lsRemote(String url, String revision, Optional<GitCredentials> creds)
      throws SourceUnavailableException {
    // An empty in-memory repository as the "local" side: JGit's dumb-HTTP transport needs one even
    // for ls-remote (Git.lsRemoteRepository() fails with an NPE there); nothing is fetched into it.
    InMemoryRepository scratch;
    try {
      scratch =
          new InMemoryRepository.Builder()
              .setRepositoryDescription(new DfsRepositoryDescription("ls-remote"))
              .setFS(FS.DETECTED) // the file:// transport resolves the remote path through it
              .build();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    var command = Git.wrap(scratch).lsRemote().setRemote(url).setTimeout(timeoutSeconds);
    creds.ifPresent(
        c ->
            command.setCredentialsProvider(
                new UsernamePasswordCredentialsProvider(c.username(), c.password())));
    try {
      return command.callAsMap();
    } catch (InvalidRemoteException e) {
      throw new SourceUnavailableException(
          Kind.REPOSITORY_NOT_FOUND,
          "repository " + redact(url, creds) + " not found or not accessible");
    } catch (GitAPIException | RuntimeException e) {
      throw classify(url, revision, creds, e);
    } finally {
      scratch.close();
    }
  }

  private static SourceUnavailableException classify(
      String url, String revision, Optional<GitCredentials> creds, Exception e) {
    String where = redact(url, creds);
    String what = revision.isEmpty() ? "HEAD" : "revision '" + revision + "'";
    String all = messages(e).toLowerCase(java.util.Locale.ROOT);
    if (hasCause(e, NoRemoteRepositoryException.class)) {
      return new SourceUnavailableException(
          Kind.REPOSITORY_NOT_FOUND,
          "cannot resolve " + what + ": repository " + where + " not found or not accessible");
    }
    if (all.contains("not authorized")
        || all.contains("authentication is required")
        || all.contains("authentication not supported")
        || all.contains(" 401")
        || all.contains(" 403")) {
      return new SourceUnavailableException(
          Kind.AUTH_FAILED,
          "cannot resolve "
              + what
              + ": authentication failed for "
              + where
              + (creds.isPresent()
                  ? " (check the username/password or token in source.git.secretRef)"
                  : " (a private repository needs source.git.secretRef)"));
    }
    if (hasCause(e, UnknownHostException.class)
        || hasCause(e, ConnectException.class)
        || hasCause(e, NoRouteToHostException.class)
        || hasCause(e, SocketTimeoutException.class)
        || all.contains("timed out")
        || all.contains("connection refused")
        || all.contains("unknownhost")
        || all.contains("unknown host")) {
      return new SourceUnavailableException(
          Kind.UNREACHABLE,
          "cannot resolve "
              + what
              + ": "
              + where
              + " is unreachable ("
              + firstLine(e, creds)
              + ")");
    }
    return new SourceUnavailableException(
        Kind.OTHER, "cannot resolve " + what + " in " + where + ": " + firstLine(e, creds));
  }

  private static Ref head(Map<String, Ref> refs) {
    Ref head = refs.get(Constants.HEAD);
    if (head == null) {
      return null;
    }
    if (head.isSymbolic()) {
      return head;
    }
    // The server did not advertise the symref (old servers, dumb HTTP): name the branch whose tip
    // is HEAD's commit, preferring main and master, so status shows a branch instead of a SHA.
    ObjectId id = head.getObjectId();
    return refs.values().stream()
        .filter(r -> r.getName().startsWith(Constants.R_HEADS))
        .filter(r -> id != null && id.equals(r.getObjectId()))
        .min(
            Comparator.comparing(
                    (Ref r) ->
                        !(r.getName().equals("refs/heads/main")
                            || r.getName().equals("refs/heads/master")))
                .thenComparing(Ref::getName))
        .orElse(head);
  }

  private static Ref find(Map<String, Ref> refs, String revision) {
    if (revision.startsWith("refs/")) {
      return refs.get(revision);
    }
    Ref branch = refs.get(Constants.R_HEADS + revision);
    return branch != null ? branch : refs.get(Constants.R_TAGS + revision);
  }

  /** The URL without user info, so neither a user name nor an embedded password is echoed. */
  static String redact(String url, Optional<GitCredentials> creds) {
    String out = url;
    try {
      URI uri = URI.create(url);
      if (uri.getRawUserInfo() != null) {
        out =
            new URI(
                    uri.getScheme(),
                    null,
                    uri.getHost(),
                    uri.getPort(),
                    uri.getPath(),
                    uri.getQuery(),
                    uri.getFragment())
                .toString();
      }
    } catch (Exception e) {
      out = url.replaceAll("//[^/@]*@", "//");
    }
    return scrub(out, creds);
  }

  private static String scrub(String text, Optional<GitCredentials> creds) {
    String out = text;
    if (creds.isPresent() && !creds.get().password().isEmpty()) {
      out = out.replace(creds.get().password(), "***");
    }
    return out.replaceAll("//[^/@\\s]*:[^/@\\s]*@", "//");
  }

  private static String firstLine(Exception e, Optional<GitCredentials> creds) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    int nl = msg.indexOf('\n');
    return scrub(nl >= 0 ? msg.substring(0, nl) : msg, creds);
  }

  private static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
    }
    return sb.toString();
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}

package dev.leanode.source;

import dev.leanode.dockerfile.AppFiles;
import dev.leanode.source.SourceUnavailableException.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * Reads an app's files at one git commit, so that the operator decides the start command from the
 * same package.json the build will see: a shallow fetch (depth 1) of exactly that commit into a
 * scratch repository, the names of every file under subPath, and the text of the few files the
 * decision reads ({@link AppFiles#READ}). Nothing is checked out; the scratch repository is deleted
 * before returning.
 */
public class GitAppFiles {
  private static final String LOCAL_REF = "refs/leanode/commit";
  private final int timeoutSeconds;

  public GitAppFiles(int timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }

  public AppFiles read(ResolvedSource.Git source, Optional<GitCredentials> creds)
      throws SourceUnavailableException {
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("leanode-git-files-");
      try (Git git = Git.init().setBare(true).setDirectory(scratch.toFile()).call()) {
        // no auto-gc (fetch.autogc, gc.auto): JGit runs it in a background thread after a fetch,
        // and its gc.log.lock would race the deletion of this scratch repository below
        var config = git.getRepository().getConfig();
        config.setInt("gc", null, "auto", 0);
        config.setBoolean("fetch", null, "autogc", false);
        config.save();
        ObjectId commit = fetch(git, source, creds);
        return list(git.getRepository(), commit, source);
      }
    } catch (IOException | GitAPIException e) {
      throw unavailable(source, creds, e);
    } finally {
      delete(scratch);
    }
  }

  /** The commit itself; servers that refuse a bare SHA (no protocol v2) get the ref, checked. */
  private ObjectId fetch(Git git, ResolvedSource.Git source, Optional<GitCredentials> creds)
      throws GitAPIException, SourceUnavailableException, IOException {
    ObjectId want = ObjectId.fromString(source.commit());
    try {
      fetch(git, source, creds, source.commit());
      return want;
    } catch (GitAPIException | RuntimeException e) {
      if (source.ref() == null) {
        throw e;
      }
    }
    fetch(git, source, creds, source.ref());
    ObjectId tip = git.getRepository().resolve(LOCAL_REF + "^{commit}");
    if (!want.equals(tip)) {
      throw new SourceUnavailableException(
          Kind.OTHER,
          "cannot read package.json of commit "
              + source.commit()
              + ": the server does not serve commits by SHA and "
              + source.ref()
              + " has moved on; it is read again at the next poll");
    }
    return want;
  }

  private void fetch(
      Git git, ResolvedSource.Git source, Optional<GitCredentials> creds, String what)
      throws GitAPIException {
    var fetch =
        git.fetch()
            .setRemote(source.url())
            .setRefSpecs(new RefSpec("+" + what + ":" + LOCAL_REF))
            .setDepth(1)
            .setTagOpt(org.eclipse.jgit.transport.TagOpt.NO_TAGS)
            .setTimeout(timeoutSeconds);
    creds.ifPresent(
        c ->
            fetch.setCredentialsProvider(
                new UsernamePasswordCredentialsProvider(c.username(), c.password())));
    fetch.call();
  }

  private static AppFiles list(Repository repo, ObjectId id, ResolvedSource.Git source)
      throws IOException, SourceUnavailableException {
    String sub = source.subPath() == null ? "" : source.subPath().replaceAll("^/+|/+$", "");
    Set<String> paths = new TreeSet<>();
    Map<String, String> texts = new TreeMap<>();
    try (RevWalk walk = new RevWalk(repo);
        TreeWalk tree = new TreeWalk(repo)) {
      RevCommit commit = walk.parseCommit(id);
      tree.addTree(commit.getTree());
      tree.setRecursive(true);
      if (!sub.isEmpty()) {
        tree.setFilter(PathFilter.create(sub));
      }
      while (tree.next()) {
        if (tree.getFileMode(0).getObjectType() != org.eclipse.jgit.lib.Constants.OBJ_BLOB) {
          continue; // submodules (gitlinks) have no content here
        }
        String path = tree.getPathString();
        String rel = sub.isEmpty() ? path : path.substring(sub.length() + 1);
        if (rel.startsWith("node_modules/") || rel.contains("/node_modules/")) {
          continue;
        }
        paths.add(rel);
        if (AppFiles.READ.contains(rel)) {
          ObjectLoader blob = repo.open(tree.getObjectId(0));
          if (blob.getSize() <= AppFiles.MAX_TEXT_BYTES) {
            texts.put(rel, new String(blob.getBytes(), StandardCharsets.UTF_8));
          }
        }
      }
    }
    if (!sub.isEmpty() && paths.isEmpty()) {
      throw new SourceUnavailableException(
          Kind.OTHER,
          "spec.source.git.subPath: no folder " + sub + " in commit " + source.commit());
    }
    return new AppFiles(paths, texts, sub.isEmpty() ? Map.of() : root(repo, id));
  }

  /** The root's workspace files (a subPath app may be a workspace member). */
  private static Map<String, String> root(Repository repo, ObjectId id) throws IOException {
    Map<String, String> root = new TreeMap<>();
    try (RevWalk walk = new RevWalk(repo);
        TreeWalk tree = new TreeWalk(repo)) {
      tree.addTree(walk.parseCommit(id).getTree());
      tree.setRecursive(false);
      while (tree.next()) {
        String name = tree.getPathString();
        if (!AppFiles.ROOT_READ.contains(name)
            || tree.getFileMode(0).getObjectType() != org.eclipse.jgit.lib.Constants.OBJ_BLOB) {
          continue;
        }
        boolean text = name.equals("package.json") || name.equals("pnpm-workspace.yaml");
        ObjectLoader blob = repo.open(tree.getObjectId(0));
        root.put(
            name,
            text && blob.getSize() <= AppFiles.MAX_TEXT_BYTES
                ? new String(blob.getBytes(), StandardCharsets.UTF_8)
                : "");
      }
    }
    return root;
  }

  private static SourceUnavailableException unavailable(
      ResolvedSource.Git source, Optional<GitCredentials> creds, Exception e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return new SourceUnavailableException(
        Kind.OTHER,
        "cannot read package.json of commit "
            + source.commit()
            + " from "
            + GitRevisionResolver.redact(source.url(), creds)
            + ": "
            + GitRevisionResolver.redact(msg.lines().findFirst().orElse(msg), creds));
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a file that vanished while walking, or a leftover temp folder, is harmless
    }
  }
}

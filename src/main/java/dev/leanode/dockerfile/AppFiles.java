package dev.leanode.dockerfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the start-command decision may read of an app, whatever the source kind: the relative paths
 * of all its files (to know whether an entry file is in the source or a build output) and the text
 * of the few files that decide (package.json, tsconfig.json, nest-cli.json, next.config.*, the npm
 * and pnpm lockfiles for native addons). Built from a local folder ({@code leanode dockerfile}),
 * from inline files, or from one git commit ({@code dev.leanode.source.GitAppFiles}).
 *
 * @param paths every file's path relative to the app folder, {@code /}-separated, no node_modules
 * @param root for an app in a subfolder of a git commit (subPath): the repository root's workspace
 *     files ({@link #ROOT_READ}) by name → text (lockfiles by name → ""), to tell a workspace
 *     member from a plain subfolder; empty otherwise
 * @param texts content of the files in {@link #READ}, when present; for the lockfiles ({@code
 *     package-lock.json}, {@code npm-shrinkwrap.json}, {@code pnpm-lock.yaml}) only the few lines
 *     {@link NativeAddons} needs (a lockfile may be MiBs, and the operator caches files per commit)
 */
public record AppFiles(Set<String> paths, Map<String, String> texts, Map<String, String> root) {
  /** What of the repository root {@link Workspace} reads (lockfiles: presence only). */
  public static final Set<String> ROOT_READ =
      Set.of(
          "package.json",
          "pnpm-workspace.yaml",
          "package-lock.json",
          "npm-shrinkwrap.json",
          "yarn.lock",
          "pnpm-lock.yaml",
          ".yarnrc.yml");

  /** The files whose content the decision reads; everything else is known by name only. */
  public static final Set<String> READ =
      Set.of(
          "package.json",
          "tsconfig.json",
          "nest-cli.json",
          "next.config.js",
          "next.config.mjs",
          "next.config.cjs",
          "next.config.ts",
          "package-lock.json",
          "npm-shrinkwrap.json",
          "pnpm-lock.yaml");

  /**
   * A file larger than this is not read (a package.json is a few KiB, the lockfile of a large app a
   * few MiB); an unread lockfile means no native-addon toolchain ({@code nativeBuild: always}).
   */
  public static final int MAX_TEXT_BYTES = 16 << 20;

  public AppFiles {
    paths = Set.copyOf(new TreeSet<>(paths));
    Map<String, String> kept = new TreeMap<>(texts);
    for (String lock : NativeAddons.LOCKFILES) {
      kept.computeIfPresent(lock, NativeAddons::digest);
    }
    texts = Map.copyOf(kept);
    root = root == null ? Map.of() : Map.copyOf(root);
  }

  /** An app at the root of its source (no subPath): nothing above it. */
  public AppFiles(Set<String> paths, Map<String, String> texts) {
    this(paths, texts, Map.of());
  }

  /** The text of one of the {@link #READ} files. */
  public Optional<String> text(String path) {
    return Optional.ofNullable(texts.get(path));
  }

  public boolean has(String path) {
    return paths.contains(path);
  }

  /** Whether any file lies in this folder (or below it). */
  public boolean hasFolder(String folder) {
    String prefix = folder.endsWith("/") ? folder : folder + "/";
    return paths.stream().anyMatch(p -> p.startsWith(prefix));
  }

  /** Inline files: relative path → content. */
  public static AppFiles ofInline(Map<String, String> files) {
    Map<String, String> texts = new TreeMap<>();
    Set<String> paths = new TreeSet<>();
    files.forEach(
        (path, content) -> {
          String p = AppDirInspector.normalize(path);
          if (p.startsWith("node_modules/")) {
            return;
          }
          paths.add(p);
          if (READ.contains(p) && content != null) {
            texts.put(p, content);
          }
        });
    return new AppFiles(paths, texts);
  }

  /** A local app folder; node_modules and .git are not walked. */
  public static AppFiles ofDirectory(Path dir) {
    Set<String> paths = new TreeSet<>();
    Map<String, String> texts = new TreeMap<>();
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
              String name = d.getFileName() == null ? "" : d.getFileName().toString();
              return !d.equals(dir) && (name.equals("node_modules") || name.equals(".git"))
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
              String rel = dir.relativize(f).toString().replace('\\', '/');
              paths.add(rel);
              if (READ.contains(rel) && attrs.size() <= MAX_TEXT_BYTES) {
                texts.put(rel, Files.readString(f, StandardCharsets.UTF_8));
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
    }
    return new AppFiles(paths, texts);
  }
}

package dev.leanode.e2e;

import io.fabric8.kubernetes.api.model.KeyToPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lays ConfigMap and Secret volumes out on disk exactly as the kubelet's AtomicWriter does, so that
 * whatever reads them (the init container's {@code cp}, Kaniko's {@code COPY . .}) meets the real
 * layout:
 *
 * <pre>
 * VOLUME/..2026_11_28_00_27_00.123456789/   the payload, real files (nested paths as folders)
 * VOLUME/..data -> ..2026_11_28_00_27_00.123456789
 * VOLUME/KEY_OR_FIRST_PATH_SEGMENT -> ..data/KEY_OR_FIRST_PATH_SEGMENT
 * </pre>
 *
 * A context copied naively from such a directory ships the hidden folders and the links; only a
 * dereferencing copy that drops {@code ..*} yields the plain files.
 */
public final class KubeletVolumes {
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("'..'yyyy_MM_dd_HH_mm_ss.SSSSSSSSS");

  private KubeletVolumes() {}

  /**
   * Writes {@code data} (key → bytes) into {@code dir} with the kubelet layout. With {@code items}
   * only the listed keys are projected, each to its path; a listed key missing from {@code data} is
   * an error (the kubelet would not start the pod). {@code mode} is the file mode (defaultMode or
   * the item's mode), 0644 when null.
   */
  public static Path materialise(
      Path dir, Map<String, byte[]> data, List<KeyToPath> items, Integer defaultMode) {
    Map<String, byte[]> payload = new LinkedHashMap<>();
    Map<String, Integer> modes = new LinkedHashMap<>();
    if (items == null || items.isEmpty()) {
      data.forEach(
          (k, v) -> {
            payload.put(k, v);
            modes.put(k, defaultMode);
          });
    } else {
      for (KeyToPath item : items) {
        byte[] v = data.get(item.getKey());
        if (v == null) {
          throw new IllegalArgumentException(
              "volume item key " + item.getKey() + " not found in the ConfigMap/Secret");
        }
        String path = item.getPath();
        if (path == null || path.isEmpty() || path.startsWith("/") || path.contains("..")) {
          throw new IllegalArgumentException("invalid volume item path: " + path);
        }
        payload.put(path, v);
        modes.put(path, item.getMode() != null ? item.getMode() : defaultMode);
      }
    }
    try {
      Files.createDirectories(dir);
      String tsName = LocalDateTime.now().format(TS);
      Path ts = dir.resolve(tsName);
      Files.createDirectory(ts);
      Set<String> topLevel = new LinkedHashSet<>();
      for (var e : payload.entrySet()) {
        Path file = ts.resolve(e.getKey());
        Files.createDirectories(file.getParent());
        Files.write(file, e.getValue());
        Files.setPosixFilePermissions(file, perms(modes.get(e.getKey())));
        topLevel.add(e.getKey().split("/", 2)[0]);
      }
      Files.createSymbolicLink(dir.resolve("..data"), Path.of(tsName));
      for (String name : topLevel) {
        Files.createSymbolicLink(dir.resolve(name), Path.of("..data", name));
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot materialise volume in " + dir, e);
    }
  }

  private static Set<PosixFilePermission> perms(Integer mode) {
    int m = mode == null ? 0644 : mode;
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_EXECUTE
    };
    for (int i = 0; i < 9; i++) {
      if ((m & (1 << (8 - i))) != 0) {
        set.add(order[i]);
      }
    }
    return set;
  }
}

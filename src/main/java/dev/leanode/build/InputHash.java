package dev.leanode.build;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * SHA-256 over build inputs, stable across runs and JVMs. Every value is written with a type tag
 * and a length prefix, so ("ab", "c") and ("a", "bc") differ, null differs from "", and maps are
 * hashed in key order so their iteration order does not matter.
 */
public final class InputHash {
  private InputHash() {}

  /**
   * Hash of the parts in order. A part may be null, a String, Boolean, Number, an enum, a Map
   * (string keys, sorted before hashing) or a Collection (order kept) of those.
   */
  public static String of(Object... parts) {
    MessageDigest digest = sha256();
    write(digest, parts.length);
    for (Object part : parts) {
      write(digest, part);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void write(MessageDigest d, Object value) {
    if (value == null) {
      d.update((byte) 'N');
    } else if (value instanceof CharSequence s) {
      d.update((byte) 'S');
      bytes(d, s.toString().getBytes(StandardCharsets.UTF_8));
    } else if (value instanceof Boolean b) {
      d.update((byte) 'B');
      d.update((byte) (b ? 1 : 0));
    } else if (value instanceof Number n) {
      d.update((byte) 'I');
      bytes(d, n.toString().getBytes(StandardCharsets.UTF_8));
    } else if (value instanceof Enum<?> e) {
      d.update((byte) 'E');
      bytes(d, e.name().getBytes(StandardCharsets.UTF_8));
    } else if (value instanceof Map<?, ?> m) {
      d.update((byte) 'M');
      TreeMap<String, Object> sorted = new TreeMap<>();
      m.forEach((k, v) -> sorted.put(String.valueOf(k), v));
      write(d, sorted.size());
      sorted.forEach(
          (k, v) -> {
            write(d, k);
            write(d, v);
          });
    } else if (value instanceof Collection<?> c) {
      d.update((byte) 'L');
      write(d, c.size());
      c.forEach(v -> write(d, v));
    } else if (value instanceof Object[] a) {
      write(d, java.util.Arrays.asList(a));
    } else {
      throw new IllegalArgumentException("cannot hash a " + value.getClass().getName());
    }
  }

  private static void write(MessageDigest d, int n) {
    d.update((byte) (n >>> 24));
    d.update((byte) (n >>> 16));
    d.update((byte) (n >>> 8));
    d.update((byte) n);
  }

  private static void bytes(MessageDigest d, byte[] b) {
    write(d, b.length);
    d.update(b);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

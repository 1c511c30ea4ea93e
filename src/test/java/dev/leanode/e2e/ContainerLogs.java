package dev.leanode.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a container runtime keeps of each container's output, for the node agent's kubelet log
 * endpoint ({@link KubeletLogServer}): one log per (namespace, pod, container), line by line with
 * the time each line was written, growing while the container runs. A container without a log has
 * not started yet (the kubelet then answers "waiting to start"). Forgotten when the pod is deleted,
 * as the kubelet removes a deleted pod's logs.
 */
public final class ContainerLogs {

  /** One line of output and when it was written. */
  public record Line(Instant time, String text) {}

  /** One container's output; readers may wait for more while it runs. */
  public static final class Log {
    private final List<Line> lines = new ArrayList<>();
    private boolean finished;

    /** Appends one line (without its newline) and wakes followers. */
    public synchronized void append(String text) {
      lines.add(new Line(Instant.now(), text));
      notifyAll();
    }

    /** The container ended: followers get the rest and then the end of the stream. */
    public synchronized void finish() {
      finished = true;
      notifyAll();
    }

    public synchronized boolean finished() {
      return finished;
    }

    /** Every line so far. */
    public synchronized List<Line> lines() {
      return List.copyOf(lines);
    }

    /**
     * The lines from index {@code from} on; while there are none and the container runs, waits up
     * to {@code wait} for one. An empty list from a finished log means the end.
     */
    public synchronized List<Line> after(int from, Duration wait) throws InterruptedException {
      long until = System.nanoTime() + wait.toNanos();
      while (lines.size() <= from && !finished) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          break;
        }
        wait(Math.max(1, left / 1_000_000));
      }
      return lines.size() <= from ? List.of() : List.copyOf(lines.subList(from, lines.size()));
    }
  }

  private final Map<String, Log> logs = new ConcurrentHashMap<>();
  private final java.util.Set<String> pods = ConcurrentHashMap.newKeySet();

  /** The pod runs on this node from now on (its containers may not have started yet). */
  public void admit(String namespace, String pod) {
    pods.add(namespace + "/" + pod);
  }

  /** Whether the pod runs, or ran, on this node and is not deleted. */
  public boolean knows(String namespace, String pod) {
    return pods.contains(namespace + "/" + pod);
  }

  /** A new, empty log for a container that starts now (replacing an earlier one of that name). */
  public Log start(String namespace, String pod, String container) {
    Log log = new Log();
    logs.put(key(namespace, pod, container), log);
    return log;
  }

  /** The container's log, or empty when it has not started (or its pod is gone). */
  public Optional<Log> find(String namespace, String pod, String container) {
    return Optional.ofNullable(logs.get(key(namespace, pod, container)));
  }

  /** Drops every log of a deleted pod. */
  public void forget(String namespace, String pod) {
    String prefix = namespace + "/" + pod + "/";
    pods.remove(namespace + "/" + pod);
    logs.keySet().removeIf(k -> k.startsWith(prefix));
  }

  private static String key(String namespace, String pod, String container) {
    return namespace + "/" + pod + "/" + container;
  }
}

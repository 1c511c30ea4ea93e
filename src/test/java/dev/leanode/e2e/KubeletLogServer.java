package dev.leanode.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.client.internal.CertUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jboss.logging.Logger;

/**
 * The kubelet's container-log endpoint, so that {@code kubectl logs} (the API server's {@code
 * pods/log}) works on the test cluster: {@code GET
 * /containerLogs/{namespace}/{pod}/{container}?follow=&tailLines=&sinceSeconds=&sinceTime=&timestamps=&limitBytes=}
 * over HTTPS on an ephemeral loopback port (several node agents share a machine), serving the
 * output the {@link KanikoStandIn} kept in {@link ContainerLogs}.
 *
 * <p>As the kubelet: its serving certificate is signed by the cluster CA (SAN 127.0.0.1; the API
 * server checks it with {@code --kubelet-certificate-authority}), the caller must present a client
 * certificate of that CA (the API server's {@code --kubelet-client-certificate}); errors are plain
 * text with the kubelet's status codes and words (400 "… is waiting to start: PodInitializing", 404
 * for a pod it does not run), which the API server hands on to kubectl. Unlike a kubelet it does
 * not ask the API server whether the caller may read the node's logs (a SubjectAccessReview): only
 * the API server holds such a certificate here.
 */
public final class KubeletLogServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KubeletLogServer.class);
  private static final String PREFIX = "/containerLogs/";

  private final ContainerLogs logs;
  private final HttpsServer server;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "kubelet-logs");
            t.setDaemon(true);
            return t;
          });

  /**
   * Listens on 127.0.0.1, an ephemeral port, with {@code pki/kubelet.{crt,key}} as serving
   * certificate and {@code pki/ca.crt} for client certificates ({@code hack/cluster.sh} writes
   * them).
   */
  public KubeletLogServer(ContainerLogs logs, Path pki) {
    this.logs = logs;
    try {
      SSLContext tls = tls(pki);
      server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setHttpsConfigurator(
          new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
              var p = tls.getDefaultSSLParameters();
              p.setNeedClientAuth(true);
              params.setSSLParameters(p);
            }
          });
      server.createContext("/", this::handle);
      server.setExecutor(threads);
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bound port: what the Node's {@code status.daemonEndpoints.kubeletEndpoint} says. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private static SSLContext tls(Path pki) {
    Path cert = pki.resolve("kubelet.crt");
    Path key = pki.resolve("kubelet.key");
    Path ca = pki.resolve("ca.crt");
    for (Path p : List.of(cert, key, ca)) {
      if (!Files.isReadable(p)) {
        throw new AssertionError(
            p
                + " is missing: the cluster predates the kubelet log endpoint; restart it with"
                + " 'bash hack/cluster.sh stop && bash hack/cluster.sh start'");
      }
    }
    try {
      char[] pass = "kubelet".toCharArray();
      KeyStore keys =
          CertUtils.createKeyStore(
              null, cert.toString(), null, key.toString(), "RSA", "kubelet", null, "kubelet");
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, pass);
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      try (InputStream in = Files.newInputStream(ca)) {
        trust.setCertificateEntry(
            "cluster-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the kubelet certificate from " + pki, e);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (!"GET".equals(ex.getRequestMethod()) || !path.startsWith(PREFIX)) {
        text(ex, 404, "404 page not found\n");
        return;
      }
      String[] parts = path.substring(PREFIX.length()).split("/");
      if (parts.length != 3) {
        text(ex, 400, "expected /containerLogs/{namespace}/{pod}/{container}\n");
        return;
      }
      serve(ex, parts[0], parts[1], parts[2], query(ex.getRequestURI().getRawQuery()));
    } catch (IOException e) {
      // the caller went away (a follower pressed Ctrl-C): nothing to answer
      LOG.debugf("log request ended: %s", e.getMessage());
    }
  }

  private void serve(
      HttpExchange ex, String ns, String pod, String container, Map<String, String> q)
      throws IOException {
    if (!logs.knows(ns, pod)) {
      text(ex, 404, "pod \"" + pod + "\" does not exist\n");
      return;
    }
    if ("true".equals(q.get("previous"))) {
      text(
          ex,
          400,
          "previous terminated container \"" + container + "\" in pod \"" + pod + "\" not found\n");
      return;
    }
    var found = logs.find(ns, pod, container);
    if (found.isEmpty()) {
      text(
          ex,
          400,
          "container \""
              + container
              + "\" in pod \""
              + pod
              + "\" is waiting to start: PodInitializing\n");
      return;
    }
    Options o;
    try {
      o = Options.of(q);
    } catch (IllegalArgumentException e) {
      text(ex, 400, e.getMessage() + "\n");
      return;
    }
    ContainerLogs.Log log = found.get();
    ex.getResponseHeaders().set("Content-Type", "text/plain");
    ex.sendResponseHeaders(200, 0); // chunked: the length is unknown while following
    OutputStream out = ex.getResponseBody();
    List<ContainerLogs.Line> all = log.lines();
    int next = all.size();
    int first = o.tailLines == null ? 0 : Math.max(0, all.size() - o.tailLines);
    long budget = o.limitBytes == null ? Long.MAX_VALUE : o.limitBytes;
    budget = write(out, all.subList(first, all.size()), o, budget);
    out.flush();
    while (o.follow && budget > 0) {
      List<ContainerLogs.Line> more;
      try {
        more = log.after(next, Duration.ofSeconds(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (more.isEmpty() && log.finished() && log.lines().size() <= next) {
        return;
      }
      next += more.size();
      budget = write(out, more, o, budget);
      out.flush();
    }
  }

  private static long write(
      OutputStream out, List<ContainerLogs.Line> lines, Options o, long budget) throws IOException {
    for (ContainerLogs.Line l : lines) {
      if (o.since != null && l.time().isBefore(o.since)) {
        continue;
      }
      String s = (o.timestamps ? l.time() + " " : "") + l.text() + "\n";
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      int n = (int) Math.min(b.length, budget);
      out.write(b, 0, n);
      budget -= n;
      if (budget <= 0) {
        break;
      }
    }
    return budget;
  }

  /** The kubelet's log options (PodLogOptions as query parameters). */
  private record Options(
      boolean follow, Integer tailLines, Instant since, boolean timestamps, Long limitBytes) {
    static Options of(Map<String, String> q) {
      Instant since = null;
      if (q.containsKey("sinceSeconds")) {
        since = Instant.now().minusSeconds(Long.parseLong(q.get("sinceSeconds")));
      } else if (q.containsKey("sinceTime")) {
        try {
          since = Instant.parse(q.get("sinceTime"));
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("sinceTime: " + e.getMessage());
        }
      }
      try {
        return new Options(
            "true".equals(q.get("follow")),
            q.containsKey("tailLines") ? Integer.valueOf(q.get("tailLines")) : null,
            since,
            "true".equals(q.get("timestamps")),
            q.containsKey("limitBytes") ? Long.valueOf(q.get("limitBytes")) : null);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a number: " + e.getMessage());
      }
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String kv : raw.split("&")) {
      int i = kv.indexOf('=');
      String k = URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8);
      String v = i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8);
      q.put(k, v);
    }
    return q;
  }

  private static void text(HttpExchange ex, int code, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(code, b.length);
    ex.getResponseBody().write(b);
  }
}

package dev.leanode.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Against a real HTTP server on loopback: what counts as an answer, and trying again. */
class HttpProbeTest {
  final HttpProbe probe = new HttpProbe(Clock.systemUTC());

  @Test
  void firstAnswer200To399CountsAfterErrorsAndRefusals() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/healthz",
        x -> {
          // 503 twice, then a redirect (counts, as for a kubelet probe, and is not followed)
          x.getResponseHeaders().add("Location", "/elsewhere");
          x.sendResponseHeaders(calls.incrementAndGet() <= 2 ? 503 : 302, -1);
          x.close();
        });
    server.start();
    try {
      var r =
          probe.ask("127.0.0.1", server.getAddress().getPort(), "/healthz", Duration.ofSeconds(10));
      assertThat(r.answered()).isTrue();
      assertThat(r.last()).isEqualTo("HTTP 302");
      assertThat(calls.get()).isEqualTo(3);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void givesUpWithTheLastFailure() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    var r = probe.ask("127.0.0.1", port, "/", Duration.ofMillis(300));
    assertThat(r.answered()).isFalse();
    assertThat(r.last()).startsWith("ConnectException");

    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        x -> {
          x.sendResponseHeaders(404, -1);
          x.close();
        });
    server.start();
    try {
      var notFound =
          probe.ask("127.0.0.1", server.getAddress().getPort(), "/", Duration.ofMillis(300));
      assertThat(notFound.answered()).isFalse();
      assertThat(notFound.last()).isEqualTo("HTTP 404");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void bracketsIpv6() {
    assertThat(HttpProbe.uri("fd00::7", 3000, "/x").toString())
        .isEqualTo("http://[fd00::7]:3000/x");
  }
}

package dev.leanode.verify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Asks {@code http://<pod IP>:<port><path>} with GET, as a kubelet's httpGet probe does: an answer
 * 200-399 counts. Tries again every {@link #INTERVAL} for at most a given time, so that one
 * reconciliation measures the first answer to a tenth of a second without a status write per try.
 */
public class HttpProbe {
  static final Duration INTERVAL = Duration.ofMillis(100);
  static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(1);

  private final HttpClient client =
      HttpClient.newBuilder()
          .connectTimeout(ATTEMPT_TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .version(HttpClient.Version.HTTP_1_1)
          .build();
  private final Clock clock;

  public HttpProbe(Clock clock) {
    this.clock = clock;
  }

  /** The result of asking for a while: the first answer that counts, else the last failure. */
  public record Result(boolean answered, Instant at, String last) {}

  /** Asks until an answer 200-399 comes or {@code within} has passed. */
  public Result ask(String ip, int port, String path, Duration within) {
    URI uri = uri(ip, port, path);
    Instant end = clock.instant().plus(within);
    String last = "no answer yet";
    while (true) {
      try {
        HttpResponse<Void> r =
            client.send(
                HttpRequest.newBuilder(uri).timeout(ATTEMPT_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        Instant at = clock.instant();
        if (r.statusCode() >= 200 && r.statusCode() < 400) {
          return new Result(true, at, "HTTP " + r.statusCode());
        }
        last = "HTTP " + r.statusCode();
      } catch (IOException e) {
        last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Result(false, clock.instant(), "interrupted");
      }
      if (!clock.instant().plus(INTERVAL).isBefore(end)) {
        return new Result(false, clock.instant(), last);
      }
      try {
        Thread.sleep(INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Result(false, clock.instant(), "interrupted");
      }
    }
  }

  static URI uri(String ip, int port, String path) {
    String host = ip.contains(":") ? "[" + ip + "]" : ip; // IPv6 pod IPs
    return URI.create("http://" + host + ":" + port + path);
  }
}

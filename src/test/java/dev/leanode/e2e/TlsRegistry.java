package dev.leanode.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A throw-away CNCF distribution registry over TLS on 127.0.0.1 with its own CA (made with openssl
 * here): what a private registry behind a corporate CA looks like to a build. Nobody trusts the CA
 * unless told to ({@link #caPem()}).
 */
public final class TlsRegistry implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final Process process;

  private TlsRegistry(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  public static TlsRegistry start(Path dir) throws IOException, InterruptedException {
    for (String tool : List.of("openssl", "docker-registry", "curl")) {
      if (!Proc.run(Duration.ofSeconds(10), "sh", "-c", "command -v " + tool).ok()) {
        throw new AssertionError(
            tool + " not found. Run: bash hack/install-tools.sh (apt-get install openssl)");
      }
    }
    Files.createDirectories(dir);
    Path ca = dir.resolve("ca.crt");
    Path caKey = dir.resolve("ca.key");
    Path key = dir.resolve("server.key");
    Path csr = dir.resolve("server.csr");
    Path cert = dir.resolve("server.crt");
    Path ext = dir.resolve("server.ext");
    Duration t = Duration.ofSeconds(60);
    Proc.run(
            t,
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=Leanode test CA",
            "-keyout",
            caKey.toString(),
            "-out",
            ca.toString())
        .check();
    Proc.run(
            t,
            "openssl",
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            key.toString(),
            "-out",
            csr.toString())
        .check();
    Files.writeString(
        ext,
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
    Proc.run(
            t,
            "openssl",
            "x509",
            "-req",
            "-in",
            csr.toString(),
            "-CA",
            ca.toString(),
            "-CAkey",
            caKey.toString(),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            ext.toString(),
            "-out",
            cert.toString())
        .check();
    int port = ImageRunner.freePort();
    Path config = dir.resolve("config.yml");
    Files.writeString(
        config,
        """
        version: 0.1
        log:
          level: warn
        storage:
          filesystem:
            rootdirectory: %s
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:%d
          tls:
            certificate: %s
            key: %s
        """
            .formatted(dir.resolve("storage"), port, cert, key));
    Process p =
        new ProcessBuilder("docker-registry", "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("registry.log").toFile())
            .start();
    TlsRegistry r = new TlsRegistry(dir, port, p);
    Instant until = Instant.now().plusSeconds(20);
    while (true) {
      // observable state: /v2/ answers 200 over TLS verified against our CA
      Proc.Result probe =
          Proc.run(
              Duration.ofSeconds(5),
              "curl",
              "-s",
              "-o",
              "/dev/null",
              "-w",
              "%{http_code}",
              "--cacert",
              ca.toString(),
              "https://" + r.hostPort() + "/v2/");
      if (probe.output().trim().equals("200")) {
        return r;
      }
      if (!p.isAlive() || Instant.now().isAfter(until)) {
        r.close();
        throw new AssertionError(
            "TLS registry did not come up: " + Files.readString(dir.resolve("registry.log")));
      }
      Thread.sleep(100);
    }
  }

  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  public String caPem() throws IOException {
    return Files.readString(dir.resolve("ca.crt"));
  }

  public Path caFile() {
    return dir.resolve("ca.crt");
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

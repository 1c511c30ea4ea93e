package dev.leanode.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

  private static final String SHA = "sha256:" + "a".repeat(64);

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      nullValues = "null",
      value = {
        "ubuntu,                               docker.io,        library/ubuntu,   latest, null",
        "ubuntu:22.04,                         docker.io,        library/ubuntu,   22.04,  null",
        "acme/app,                             docker.io,        acme/app,         latest, null",
        "docker.io/ubuntu,                     docker.io,        library/ubuntu,   latest, null",
        "index.docker.io/acme/app:1,           docker.io,        acme/app,         1,      null",
        "localhost/app,                        localhost,        app,              latest, null",
        "localhost:5000/a/b:c,                 localhost:5000,   a/b,              c,      null",
        "127.0.0.1:5000/x,                     127.0.0.1:5000,   x,                latest, null",
        "registry.example.com/team/express-app:1.0.0, registry.example.com, team/express-app, 1.0.0, null",
        "ghcr.io/o/r:v1.2_3-rc.1,              ghcr.io,          o/r,              v1.2_3-rc.1, null",
        "my-registry:8443/deep/path/to/img,    my-registry:8443, deep/path/to/img, latest, null",
        "a.b/c__d/e-f.g,                       a.b,              c__d/e-f.g,       latest, null",
      })
  void parsesLikeTheDockerCli(
      String ref, String registry, String repository, String tag, String digest) {
    assertThat(ImageReference.parse(ref))
        .isEqualTo(new ImageReference(registry, repository, tag, digest));
  }

  @Test
  void digestWithoutTagHasNoTag() {
    ImageReference r = ImageReference.parse("ghcr.io/o/r@" + SHA);
    assertThat(r.registry()).isEqualTo("ghcr.io");
    assertThat(r.repository()).isEqualTo("o/r");
    assertThat(r.tag()).isNull();
    assertThat(r.digest()).isEqualTo(SHA);
    assertThat(r.manifestReference()).isEqualTo(SHA);
    assertThat(r).hasToString("ghcr.io/o/r@" + SHA);
  }

  @Test
  void tagAndDigestAreBothKept() {
    ImageReference r = ImageReference.parse("localhost:5000/a/b:c@" + SHA);
    assertThat(r.tag()).isEqualTo("c");
    assertThat(r.digest()).isEqualTo(SHA);
    assertThat(r).hasToString("localhost:5000/a/b:c@" + SHA);
  }

  @Test
  void canonicalFormRoundTrips() {
    for (String ref :
        new String[] {"ubuntu", "acme/app:2", "127.0.0.1:5000/x", "ghcr.io/o/r@" + SHA}) {
      ImageReference parsed = ImageReference.parse(ref);
      assertThat(ImageReference.parse(parsed.toString())).isEqualTo(parsed);
    }
    assertThat(ImageReference.parse("ubuntu")).hasToString("docker.io/library/ubuntu:latest");
  }

  @Test
  void withDigestPinsTheImageAndKeepsTheTag() {
    ImageReference r = ImageReference.parse("registry.example.com/team/app:1.0.0").withDigest(SHA);
    assertThat(r).hasToString("registry.example.com/team/app:1.0.0@" + SHA);
    assertThat(r.manifestReference()).isEqualTo(SHA);
    assertThatThrownBy(() -> r.withDigest("sha256:abc"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(
      strings = {
        "",
        " ",
        " ubuntu",
        "Ubuntu",
        "acme/App",
        "ubuntu:",
        ":tag",
        "ubuntu@",
        "ubuntu@sha256:abc",
        "ubuntu@sha256:" + "g234567890123456789012345678901234567890123456789012345678901234",
        "host.com/",
        "host.com//x",
        "a/-b",
        "a/b-",
        "ubuntu:-tag",
        "ubuntu:tag with space",
        "ubuntu:"
            + "t12345678901234567890123456789012345678901234567890123456789012345"
            + "678901234567890123456789012345678901234567890123456789012345678901234",
        "ex ample.com/a",
        "example.com:port/a",
        "a/b/c;rm -rf",
      })
  void rejectsInvalidReferences(String ref) {
    assertThatThrownBy(() -> ImageReference.parse(ref))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> ImageReference.parse(null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

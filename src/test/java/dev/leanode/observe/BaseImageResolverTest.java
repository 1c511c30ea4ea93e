package dev.leanode.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.AppSpec;
import dev.leanode.api.v1alpha1.BaseImagePolicy;
import dev.leanode.api.v1alpha1.BuildSpec;
import dev.leanode.api.v1alpha1.NodeAppImageSpec;
import dev.leanode.api.v1alpha1.NodeAppImageStatus.BaseImageStatus;
import dev.leanode.registry.ImageReference;
import dev.leanode.registry.ImageSize;
import dev.leanode.registry.RegistryClient;
import dev.leanode.registry.RegistryCredentials;
import dev.leanode.registry.RegistryException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tag → digest: one registry answer per interval, pin, mirrors first, clear failures. */
class BaseImageResolverTest {
  static final String D1 = "sha256:" + "1".repeat(64);
  static final String D2 = "sha256:" + "2".repeat(64);

  final Map<String, String> tags = new HashMap<>();
  final List<String> asked = new ArrayList<>();
  final List<Optional<RegistryCredentials>> creds = new ArrayList<>();
  Instant now = Instant.parse("2026-12-02T07:00:00Z");

  final RegistryClient registry =
      new RegistryClient() {
        @Override
        public ImageSize measure(
            ImageReference ref, Optional<RegistryCredentials> c, boolean insecure) {
          throw new AssertionError("not asked");
        }

        @Override
        public String digest(ImageReference ref, Optional<RegistryCredentials> c, boolean insecure)
            throws RegistryException {
          asked.add(ref + (insecure ? " (insecure)" : ""));
          creds.add(c);
          String d = tags.get(ref.toString());
          if (d == null) {
            throw new RegistryException("reading " + ref + ": not found", 404, false, null);
          }
          return d;
        }
      };

  BaseImageResolver resolver(List<String> mirrors) {
    Clock clock =
        new Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now;
          }
        };
    return new BaseImageResolver(registry, mirrors, Duration.ofMinutes(10), clock);
  }

  static NodeAppImageSpec spec(String baseImage, BaseImagePolicy policy) {
    var spec = new NodeAppImageSpec();
    var app = new AppSpec();
    app.setBaseImage(baseImage);
    spec.setApp(app);
    var build = new BuildSpec();
    build.setBaseImagePolicy(policy);
    spec.setBuild(build);
    return spec;
  }

  static String digestOf(BaseImageResolver.Result r) {
    return ((BaseImageResolver.Resolved) r).baseImage().getDigest();
  }

  @Test
  void trackAsksOncePerIntervalForAllResourcesAndSeesTheTagMove() {
    tags.put("registry.example.com/base/node:22", D1);
    var r = resolver(List.of());
    var spec = spec("registry.example.com/base/node:22", null);
    for (int i = 0; i < 100; i++) {
      assertThat(digestOf(r.resolve(spec, null, Optional.empty(), false))).isEqualTo(D1);
    }
    assertThat(asked).hasSize(1);
    tags.put("registry.example.com/base/node:22", D2);
    now = now.plus(Duration.ofMinutes(9));
    assertThat(digestOf(r.resolve(spec, null, Optional.empty(), false))).isEqualTo(D1);
    now = now.plus(Duration.ofMinutes(2));
    assertThat(digestOf(r.resolve(spec, null, Optional.empty(), false))).isEqualTo(D2);
    assertThat(r.registryCalls()).isEqualTo(2);
  }

  @Test
  void pinKeepsTheRecordedDigestUntilTheImageChanges() {
    tags.put("registry.example.com/base/node:22", D2);
    var r = resolver(List.of());
    var previous = new BaseImageStatus("registry.example.com/base/node:22", D1);
    var pinned = spec("registry.example.com/base/node:22", BaseImagePolicy.PIN);
    assertThat(digestOf(r.resolve(pinned, previous, Optional.empty(), false))).isEqualTo(D1);
    assertThat(asked).isEmpty();
    tags.put("registry.example.com/base/node:24", D2);
    var other = spec("registry.example.com/base/node:24", BaseImagePolicy.PIN);
    assertThat(digestOf(r.resolve(other, previous, Optional.empty(), false))).isEqualTo(D2);
  }

  @Test
  void aDigestInTheSpecIsUsedAsItIsWithoutAsking() {
    var r = resolver(List.of());
    var spec = spec("registry.example.com/base/node@" + D1, null);
    assertThat(digestOf(r.resolve(spec, null, Optional.empty(), false))).isEqualTo(D1);
    assertThat(asked).isEmpty();
  }

  @Test
  void dockerHubImagesAreAskedThroughTheMirrorsInOrderWithTheirCredentials() {
    tags.put("mirror.example.com/hub/library/node:22-alpine", D1);
    var r = resolver(List.of("127.0.0.1:5999", "mirror.example.com/hub"));
    String config = "{\"auths\":{\"mirror.example.com\":{\"auth\":\"dTpw\"}}}";
    var result = r.resolve(spec(null, null), null, Optional.of(config), false);
    assertThat(digestOf(result)).isEqualTo(D1);
    assertThat(((BaseImageResolver.Resolved) result).baseImage().getImage())
        .isEqualTo("node:22-alpine");
    assertThat(asked)
        .containsExactly(
            "127.0.0.1:5999/library/node:22-alpine (insecure)",
            "mirror.example.com/hub/library/node:22-alpine");
    assertThat(creds.get(1)).contains(new RegistryCredentials("u", "p"));
  }

  @Test
  void anUnresolvableBaseNamesTheFieldAndEveryAnswer() {
    var r = resolver(List.of("127.0.0.1:5999"));
    var viaNodeVersion = r.resolve(spec(null, null), null, Optional.empty(), false);
    assertThat(viaNodeVersion)
        .isInstanceOfSatisfying(
            BaseImageResolver.Unavailable.class,
            u ->
                assertThat(u.message())
                    .startsWith("spec.app.nodeVersion: cannot resolve base image node:22-alpine")
                    .contains("127.0.0.1:5999/library/node:22-alpine")
                    .contains("docker.io/library/node:22-alpine"));
    var viaBaseImage =
        r.resolve(spec("registry.example.com/x:1", null), null, Optional.empty(), false);
    assertThat(((BaseImageResolver.Unavailable) viaBaseImage).message())
        .startsWith("spec.app.baseImage: cannot resolve base image registry.example.com/x:1");
    // failures are not cached: the next look asks again
    int before = asked.size();
    r.resolve(spec("registry.example.com/x:1", null), null, Optional.empty(), false);
    assertThat(asked).hasSize(before + 1);
  }
}

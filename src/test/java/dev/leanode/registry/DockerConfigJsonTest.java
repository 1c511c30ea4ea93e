package dev.leanode.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DockerConfigJsonTest {

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String auths(String key, String entry) {
    return "{\"auths\":{\"" + key + "\":" + entry + "}}";
  }

  @Test
  void decodesAuthField() {
    String json = auths("registry.example.com", "{\"auth\":\"" + b64("bob:s3:cr3t") + "\"}");
    assertThat(DockerConfigJson.credentialsFor(json, "registry.example.com"))
        .contains(new RegistryCredentials("bob", "s3:cr3t"));
  }

  @Test
  void readsUsernameAndPassword() {
    String json = auths("127.0.0.1:5001", "{\"username\":\"leanode\",\"password\":\"pw\"}");
    assertThat(DockerConfigJson.credentialsFor(json, "127.0.0.1:5001"))
        .contains(new RegistryCredentials("leanode", "pw"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://index.docker.io/v1/",
        "index.docker.io",
        "docker.io",
        "https://docker.io",
        "registry-1.docker.io"
      })
  void dockerHubAliasesMatch(String key) {
    String json = auths(key, "{\"auth\":\"" + b64("u:p") + "\"}");
    assertThat(DockerConfigJson.credentialsFor(json, "docker.io"))
        .contains(new RegistryCredentials("u", "p"));
    assertThat(DockerConfigJson.credentialsFor(json, "index.docker.io"))
        .contains(new RegistryCredentials("u", "p"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://ghcr.io",
        "http://ghcr.io/",
        "ghcr.io/v2/",
        "GHCR.IO",
        "https://ghcr.io/v1/"
      })
  void schemeAndPathAreIgnored(String key) {
    String json = auths(key, "{\"auth\":\"" + b64("u:p") + "\"}");
    assertThat(DockerConfigJson.credentialsFor(json, "ghcr.io")).isPresent();
  }

  @Test
  void portIsPartOfTheHost() {
    String json = auths("registry.example.com:5000", "{\"auth\":\"" + b64("u:p") + "\"}");
    assertThat(DockerConfigJson.credentialsFor(json, "registry.example.com")).isEmpty();
    assertThat(DockerConfigJson.credentialsFor(json, "registry.example.com:5000")).isPresent();
  }

  @Test
  void exactKeyWinsOverNormalisedMatch() {
    String json =
        "{\"auths\":{\"https://ghcr.io\":{\"auth\":\""
            + b64("loose:1")
            + "\"},\"ghcr.io\":{\"auth\":\""
            + b64("exact:2")
            + "\"}}}";
    assertThat(DockerConfigJson.credentialsFor(json, "ghcr.io"))
        .contains(new RegistryCredentials("exact", "2"));
  }

  @Test
  void otherRegistriesDoNotMatch() {
    String json = auths("quay.io", "{\"auth\":\"" + b64("u:p") + "\"}");
    assertThat(DockerConfigJson.credentialsFor(json, "ghcr.io")).isEqualTo(Optional.empty());
    assertThat(DockerConfigJson.credentialsFor("{\"auths\":{}}", "ghcr.io")).isEmpty();
  }

  @Test
  void legacyDockercfgFormatIsRead() {
    String json = "{\"quay.io\":{\"auth\":\"" + b64("u:p") + "\",\"email\":\"x@y\"}}";
    assertThat(DockerConfigJson.credentialsFor(json, "quay.io"))
        .contains(new RegistryCredentials("u", "p"));
  }

  @Test
  void malformedInputIsAnErrorWithoutSecretsInTheMessage() {
    assertThatThrownBy(() -> DockerConfigJson.credentialsFor("not json", "ghcr.io"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                DockerConfigJson.credentialsFor(
                    auths("ghcr.io", "{\"auth\":\"" + b64("no-colon-secret") + "\"}"), "ghcr.io"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("no-colon-secret");
    assertThatThrownBy(
            () ->
                DockerConfigJson.credentialsFor(auths("ghcr.io", "{\"auth\":\"%%%\"}"), "ghcr.io"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> DockerConfigJson.credentialsFor(auths("ghcr.io", "{\"email\":\"a\"}"), "ghcr.io"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void credentialsNeverPrintThePassword() {
    assertThat(new RegistryCredentials("bob", "hunter2").toString()).doesNotContain("hunter2");
  }
}

package dev.leanode.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GitCredentialsTest {
  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void usernameAndPassword() {
    assertThat(GitCredentials.fromSecretData(Map.of("username", b64("u"), "password", b64("p"))))
        .contains(new GitCredentials("u", "p", GitCredentials.Layout.USERNAME_PASSWORD));
  }

  @Test
  void tokenAloneUsesTheAccessTokenUsername() {
    assertThat(GitCredentials.fromSecretData(Map.of("token", b64("ghp_x\n"))))
        .contains(new GitCredentials("x-access-token", "ghp_x", GitCredentials.Layout.TOKEN));
  }

  @Test
  void usernameAndToken() {
    assertThat(GitCredentials.fromSecretData(Map.of("username", b64("oauth2"), "token", b64("t"))))
        .contains(new GitCredentials("oauth2", "t", GitCredentials.Layout.USERNAME_TOKEN));
  }

  @Test
  void nothingUsable() {
    assertThat(GitCredentials.fromSecretData(Map.of("username", b64("u")))).isEmpty();
    assertThat(GitCredentials.fromSecretData(Map.of("password", b64("")))).isEmpty();
    assertThat(GitCredentials.fromSecretData(null)).isEmpty();
  }

  @Test
  void toStringHidesThePassword() {
    assertThat(new GitCredentials("u", "topsecret").toString()).doesNotContain("topsecret");
  }
}

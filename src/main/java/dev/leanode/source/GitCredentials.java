package dev.leanode.source;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * HTTP basic credentials for a git remote, read from the Secret named by spec.source.git.secretRef.
 *
 * <p>Accepted Secret layouts: {@code username} + {@code password}; {@code token} alone (sent as
 * password with the username {@value #TOKEN_USERNAME}); {@code username} + {@code token}. Why
 * {@value #TOKEN_USERNAME}: GitHub requires it for App installation tokens and ignores the username
 * for personal access tokens; GitLab, Gitea and Forgejo accept any non-blank username with a
 * personal/project/group access token. Bitbucket wants {@code x-token-auth}, so Bitbucket users set
 * {@code username} explicitly. Kaniko's own {@code GIT_TOKEN} is not used because it sends the
 * token as the username with an empty password, which GitLab rejects.
 *
 * @param username basic-auth user
 * @param password basic-auth password or token
 * @param layout which Secret keys the values came from, so the build Job reads the same keys
 */
public record GitCredentials(String username, String password, Layout layout) {
  public static final String TOKEN_USERNAME = "x-access-token";

  /** Which keys of the Secret carry the credentials. */
  public enum Layout {
    /** keys {@code username} and {@code password} */
    USERNAME_PASSWORD("username", "password"),
    /** keys {@code username} and {@code token} */
    USERNAME_TOKEN("username", "token"),
    /** key {@code token} only; the username is {@value GitCredentials#TOKEN_USERNAME} */
    TOKEN(null, "token");

    private final String usernameKey;
    private final String passwordKey;

    Layout(String usernameKey, String passwordKey) {
      this.usernameKey = usernameKey;
      this.passwordKey = passwordKey;
    }

    /** Secret key of the username, or null when the username is {@value #TOKEN_USERNAME}. */
    public String usernameKey() {
      return usernameKey;
    }

    /** Secret key of the password or token. */
    public String passwordKey() {
      return passwordKey;
    }
  }

  public GitCredentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(layout, "layout");
  }

  public GitCredentials(String username, String password) {
    this(username, password, Layout.USERNAME_PASSWORD);
  }

  /**
   * Credentials from a Secret's {@code data} (base64 values, as the API server returns them). Empty
   * when the Secret holds neither a password nor a token.
   */
  public static Optional<GitCredentials> fromSecretData(Map<String, String> base64Data) {
    if (base64Data == null) {
      return Optional.empty();
    }
    String username = decode(base64Data.get("username"));
    String password = decode(base64Data.get("password"));
    String token = decode(base64Data.get("token"));
    if (password != null && username != null) {
      return Optional.of(new GitCredentials(username, password, Layout.USERNAME_PASSWORD));
    }
    if (token != null) {
      return Optional.of(
          username != null
              ? new GitCredentials(username, token, Layout.USERNAME_TOKEN)
              : new GitCredentials(TOKEN_USERNAME, token, Layout.TOKEN));
    }
    return Optional.empty();
  }

  private static String decode(String base64) {
    if (base64 == null) {
      return null;
    }
    String value =
        new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8).strip();
    return value.isEmpty() ? null : value;
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "GitCredentials[username=" + username + ", password=***, layout=" + layout + "]";
  }
}

package dev.leanode.registry;

import java.util.Objects;

/** A user name and password (or token) for one registry, as found in a push secret. */
public record RegistryCredentials(String username, String password) {

  public RegistryCredentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  /** Never prints the password: records end up in logs and exception messages. */
  @Override
  public String toString() {
    return "RegistryCredentials[username=" + username + ", password=***]";
  }
}

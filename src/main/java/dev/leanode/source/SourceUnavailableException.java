package dev.leanode.source;

/**
 * The git source cannot be resolved to a commit: revision not found, authentication failed or the
 * remote is unreachable. The message names the URL (without credentials) and the revision, never
 * the password.
 */
public class SourceUnavailableException extends Exception {
  /** Why the source is unavailable, so callers can pick a condition reason. */
  public enum Kind {
    REVISION_NOT_FOUND,
    REPOSITORY_NOT_FOUND,
    AUTH_FAILED,
    UNREACHABLE,
    OTHER
  }

  private final Kind kind;

  public SourceUnavailableException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public SourceUnavailableException(String message) {
    this(Kind.OTHER, message);
  }

  public Kind kind() {
    return kind;
  }
}

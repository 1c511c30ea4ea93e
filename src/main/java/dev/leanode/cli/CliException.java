package dev.leanode.cli;

/** A user error: printed as one line naming the field, exit code 2, no stack trace. */
final class CliException extends Exception {
  CliException(String message) {
    super(message);
  }
}

package dev.leanode.validation;

/**
 * One rule a spec value breaks.
 *
 * @param field full path of the value, e.g. {@code spec.app.files[2]}
 * @param message the rule it breaks, e.g. {@code must be a relative path without '..'}
 */
public record FieldError(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}

package dev.leanode.e2e;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After every test class (registered for all of them through {@code
 * META-INF/services/org.junit.jupiter.api.extension.Extension}; quarkus-junit turns JUnit's
 * extension autodetection on): the images the class's tests pulled into the shared podman store are
 * removed, so that a whole IT run does not fill the disk with image copies nobody reads again.
 */
public final class ForgetPulledImages implements AfterAllCallback {
  @Override
  public void afterAll(ExtensionContext context) {
    ImageRunner.forgetPulled();
  }
}

package dev.leanode.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the artifact version from the jar manifest, or "dev" in a source checkout. */
public class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = LeanodeCommand.class.getPackage().getImplementationVersion();
    return new String[] {"leanode " + (v == null ? "dev" : v)};
  }
}

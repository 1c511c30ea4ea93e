package dev.leanode.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkspaceTest {
  static final String APP =
      "{\"name\": \"@ws/api\", \"dependencies\": {\"@ws/greeting\": \"1.0.0\"}}";

  static AppFiles member(Map<String, String> root) {
    return new AppFiles(Set.of("package.json", "index.js"), Map.of("package.json", APP), root);
  }

  @Test
  void npmAndYarnWorkspacesFromTheRootPackageJson() {
    Workspace w =
        Workspace.decide(
            "services/api",
            member(Map.of("package.json", "{\"workspaces\": [\"packages/*\", \"services/*\"]}")));
    assertThat(w.appPath()).isEqualTo("services/api");
    assertThat(w.packageName()).isEqualTo("@ws/api");
    assertThat(w.why())
        .isEqualTo("the repository root's package.json workspaces lists services/api (@ws/api)");
    // yarn's object form, ** and a trailing slash on subPath
    assertThat(
            Workspace.decide(
                "/apps/web/api/",
                member(Map.of("package.json", "{\"workspaces\": {\"packages\": [\"apps/**\"]}}"))))
        .isNotNull();
  }

  @Test
  void pnpmWorkspaceYaml() {
    Workspace w =
        Workspace.decide(
            "services/api",
            member(
                Map.of(
                    "package.json", "{}",
                    "pnpm-workspace.yaml",
                        "packages:\n  - 'packages/*'\n  - \"services/*\"\ncatalog:\n  - nope/*\n")));
    assertThat(w.why()).contains("pnpm-workspace.yaml packages");
  }

  @Test
  void aPlainSubfolderOrNoRootIsNotAWorkspace() {
    assertThat(Workspace.decide("services/api", member(Map.of("package.json", "{}")))).isNull();
    assertThat(Workspace.decide("services/api", member(Map.of()))).isNull();
    assertThat(
            Workspace.decide(
                "tools/x", member(Map.of("package.json", "{\"workspaces\": [\"services/*\"]}"))))
        .isNull();
    assertThat(Workspace.decide(null, member(Map.of("package.json", "{\"workspaces\": [\"*\"]}"))))
        .isNull();
    // * is one folder level
    assertThat(Workspace.matches("services/*", "services/api/v2")).isFalse();
    assertThat(Workspace.matches("!services/old", "services/old")).isFalse();
  }

  @Test
  void aMemberWithoutAValidNameIsAnErrorNamingTheField() {
    AppFiles nameless =
        new AppFiles(
            Set.of("package.json"),
            Map.of("package.json", "{\"name\": \"Bad Name; rm -rf /\"}"),
            Map.of("package.json", "{\"workspaces\": [\"services/*\"]}"));
    assertThatThrownBy(() -> Workspace.decide("services/api", nameless))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("spec.source.git.subPath: the workspace member services/api needs");
  }

  @Test
  void theGeneratedDockerfileInstallsOnlyTheMember() throws Exception {
    Workspace w =
        new Workspace(
            "services/api",
            "@ws/api",
            "the repository root's package.json workspaces lists services/api (@ws/api)");
    var app = new dev.leanode.api.v1alpha1.AppSpec();
    app.setCommand(java.util.List.of("node", "index.js"));
    String df =
        new DockerfileGenerator()
            .generate(
                app, DockerfileOptions.none(), StartCommand.fromSpec(app), NativeAddons.NONE, w);
    DockerfileGeneratorTest.assertGolden("workspace-member.Dockerfile", df);
    assertThat(df)
        .contains("npm ci --omit=dev --workspace='services/api'")
        .contains("corepack yarn workspaces focus '@ws/api' --production")
        .contains("WORKDIR /app/services/api")
        .contains("COPY --from=deps /leanode/node_modules-tree/ /app/")
        .contains("COPY --from=workspace /leanode/image/ /app/");
    app.setBuildScript("build");
    assertThatThrownBy(
            () ->
                new DockerfileGenerator()
                    .generate(
                        app,
                        DockerfileOptions.none(),
                        StartCommand.fromSpec(app),
                        NativeAddons.NONE,
                        w))
        .hasMessageStartingWith("spec.app.buildScript:");
  }
}

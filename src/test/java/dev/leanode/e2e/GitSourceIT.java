package dev.leanode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.NodeAppImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A monorepo served over smart HTTP without auth: the app in services/api, built from a branch,
 * then from a tag; status.source.commit names the exact commit and the image serves that commit.
 */
class GitSourceIT extends OnRealCluster {
  static Path root;
  static GitHttpServer git;
  static List<String> shas;

  @BeforeAll
  static void repo() throws Exception {
    root = Files.createTempDirectory("leanode-git-");
    git = new GitHttpServer(root);
    Path api = OperatorE2E.APPS.resolve("monorepo/services/api/index.js");
    shas =
        git.createRepo(
            "monorepo.git",
            OperatorE2E.APPS.resolve("monorepo"),
            "services/api/index.js",
            Files.readString(api).replace("hello from monorepo-api", "hello from feature"));
  }

  @AfterAll
  static void stop() {
    git.close();
    KanikoStandIn.deleteTree(root);
  }

  @Test
  void branchThenTagWithSubPath() {
    String image = Tools.REGISTRY + "/e2e/monorepo-api:feature";
    client
        .resource(
            OperatorE2E.resource(
                "monorepo-api",
                Map.of(
                    "source",
                        Map.of(
                            "git",
                            Map.of(
                                "url",
                                git.url("monorepo.git"),
                                "revision",
                                "feature",
                                "subPath",
                                "services/api")),
                    "output", Map.of("image", image, "insecure", true))))
        .create();
    NodeAppImage r = OperatorE2E.awaitCondition(client, "monorepo-api", "Ready", "True");
    assertThat(r.getStatus().getSource().getCommit()).isEqualTo(shas.get(1));
    OperatorE2E.assertMeasuredAndRuns(r, "hello from feature");

    // same resource, now the tag (the main commit): a new build input, a new Job, the old text
    String tagImage = Tools.REGISTRY + "/e2e/monorepo-api:v1";
    client
        .resources(NodeAppImage.class)
        .withName("monorepo-api")
        .edit(
            n -> {
              n.getSpec().getSource().getGit().setRevision("v1");
              n.getSpec().getOutput().setImage(tagImage);
              return n;
            });
    NodeAppImage tagged = OperatorE2E.awaitCondition(client, "monorepo-api", "Ready", "True");
    assertThat(tagged.getStatus().getSource().getCommit()).isEqualTo(shas.get(0));
    OperatorE2E.assertMeasuredAndRuns(tagged, "hello from monorepo-api");
  }
}

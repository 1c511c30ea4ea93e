package dev.leanode.build;

import dev.leanode.api.v1alpha1.BuildSpec;
import dev.leanode.api.v1alpha1.GitSource;
import dev.leanode.api.v1alpha1.InlineSource;
import dev.leanode.api.v1alpha1.LocalObjectRef;
import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.api.v1alpha1.NodeAppImageSpec;
import dev.leanode.api.v1alpha1.OutputSpec;
import dev.leanode.api.v1alpha1.Source;
import dev.leanode.config.BuildSettings;
import dev.leanode.source.GitCredentials;
import dev.leanode.source.ResolvedSource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Resources and requests shared by the build tests. */
final class BuildFixtures {
  static final String UID = "6f1c2a9e-3b7d-4c55-9a0e-2d1f8b7c6e54";
  static final String COMMIT = "3f786850e387550fdab836ed7e6dc881de23001b";

  static final String DOCKERFILE =
      """
      # syntax=docker/dockerfile:1
      FROM node:22-alpine AS deps
      WORKDIR /app
      COPY package*.json ./
      RUN npm ci --omit=dev

      FROM node:22-alpine
      WORKDIR /app
      COPY --from=deps --chown=node:node /app/node_modules ./node_modules
      COPY --chown=node:node . .
      USER node
      EXPOSE 3000
      CMD ["node", "index.js"]
      """;

  static final String SINGLE_STAGE =
      """
      FROM node:22
      WORKDIR /app
      COPY . .
      RUN npm install
      CMD ["node", "index.js"]
      """;

  static Map<String, String> expressFiles() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(
        "package.json",
        """
        {"name":"hello-express","version":"1.0.0","main":"index.js",\
        "dependencies":{"express":"^4.21.2"}}
        """);
    files.put(
        "index.js",
        """
        const express = require('express');
        const app = express();
        app.get('/', (req, res) => res.send('hello'));
        app.listen(process.env.PORT || 3000);
        """);
    files.put("public/robots.txt", "User-agent: *\n");
    return files;
  }

  static NodeAppImage resource(String name) {
    NodeAppImage r = new NodeAppImage();
    r.setMetadata(
        new ObjectMetaBuilder().withName(name).withNamespace("demo").withUid(UID).build());
    NodeAppImageSpec spec = new NodeAppImageSpec();
    Source source = new Source();
    InlineSource inline = new InlineSource();
    inline.setFiles(expressFiles());
    source.setInline(inline);
    spec.setSource(source);
    OutputSpec output = new OutputSpec();
    output.setImage("registry.example.com/team/hello-express:1.0.0");
    output.setPushSecretRef(new LocalObjectRef("regcred"));
    spec.setOutput(output);
    spec.setBuild(new BuildSpec());
    r.setSpec(spec);
    return r;
  }

  static NodeAppImage gitResource(String name) {
    NodeAppImage r = resource(name);
    Source source = new Source();
    GitSource git = new GitSource();
    git.setUrl("https://github.com/acme/monorepo.git");
    git.setRevision("main");
    git.setSubPath("apps/web");
    git.setSecretRef(new LocalObjectRef("git-creds"));
    source.setGit(git);
    r.getSpec().setSource(source);
    return r;
  }

  static BuildRequest inlineRequest() {
    NodeAppImage r = resource("hello-express");
    r.getSpec().getBuild().setCompareSingleStage(true);
    return new BuildRequest(
        r,
        DOCKERFILE,
        SINGLE_STAGE,
        new ResolvedSource.Inline(new TreeMap<>(expressFiles())),
        "regcred",
        BuildSettings.defaults());
  }

  static ResolvedSource.Git git(String ref, GitCredentials.Layout layout) {
    return new ResolvedSource.Git(
        "https://github.com/acme/monorepo.git", ref, COMMIT, "apps/web", "git-creds", layout);
  }

  static BuildRequest gitRequest() {
    return new BuildRequest(
        gitResource("web"),
        DOCKERFILE,
        null,
        git("refs/heads/main", GitCredentials.Layout.USERNAME_PASSWORD),
        "regcred",
        BuildSettings.defaults());
  }

  /** A deep copy, so one base resource can be mutated per case. */
  static NodeAppImage clone(NodeAppImage r) {
    return SERIALIZATION.clone(r);
  }

  private static final io.fabric8.kubernetes.client.utils.KubernetesSerialization SERIALIZATION =
      new io.fabric8.kubernetes.client.utils.KubernetesSerialization();

  private BuildFixtures() {}
}

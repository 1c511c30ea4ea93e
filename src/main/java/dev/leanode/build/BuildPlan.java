package dev.leanode.build;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * The desired objects of one build.
 *
 * @param name name of both the ConfigMap and the Job
 * @param inputHash SHA-256 hex of the build inputs; the name ends with its first 10 characters
 * @param configMap Dockerfile(s), CA bundle and inline files
 * @param job the Kaniko Job
 */
public record BuildPlan(String name, String inputHash, ConfigMap configMap, Job job) {}

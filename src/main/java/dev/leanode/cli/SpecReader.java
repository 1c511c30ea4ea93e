package dev.leanode.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.leanode.api.v1alpha1.NodeAppImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Reads a NodeAppImage from YAML strictly: a misspelt field is an error naming it, not a silently
 * ignored setting (the API server would prune it; a CLI should say so).
 */
final class SpecReader {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
          .findAndRegisterModules();

  private SpecReader() {}

  static NodeAppImage read(Path file) throws CliException {
    if (!Files.isRegularFile(file)) {
      throw new CliException("-f " + file + ": no such file");
    }
    NodeAppImage resource;
    try {
      resource = YAML.readValue(file.toFile(), NodeAppImage.class);
    } catch (UnrecognizedPropertyException e) {
      throw new CliException(path(e) + ": unknown field (known: " + e.getKnownPropertyIds() + ")");
    } catch (JsonMappingException e) {
      throw new CliException(path(e) + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CliException(file + ": not valid YAML: " + e.getMessage());
    }
    if (resource == null) {
      throw new CliException(file + ": empty document");
    }
    if (!"NodeAppImage".equals(resource.getKind())) {
      throw new CliException("kind: expected NodeAppImage, got " + resource.getKind());
    }
    if (resource.getMetadata() == null || resource.getMetadata().getName() == null) {
      throw new CliException("metadata.name: is required");
    }
    if (resource.getMetadata().getNamespace() == null) {
      resource.getMetadata().setNamespace("default");
    }
    if (resource.getMetadata().getGeneration() == null) {
      resource.getMetadata().setGeneration(1L);
    }
    return resource;
  }

  static String path(JsonMappingException e) {
    String p =
        e.getPath().stream()
            .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining());
    return p.startsWith(".") ? p.substring(1) : p.isEmpty() ? "(document)" : p;
  }
}

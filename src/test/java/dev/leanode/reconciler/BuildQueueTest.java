package dev.leanode.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.build.Labels;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildQueueTest {
  @Test
  void aBuildPodMapsToItsResourceByTheAnnotationEvenForLongNames() {
    String name = "a-very-long-nodeappimage-name-".repeat(4) + "end"; // > 63: label is hashed
    var pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("p")
            .withNamespace("team")
            .withLabels(Map.of(Labels.RESOURCE, Labels.resourceValue(name)))
            .withAnnotations(Map.of(Labels.RESOURCE_NAME_ANNOTATION, name))
            .endMetadata()
            .build();
    assertThat(BuildQueue.ownerOfPod(pod)).containsExactly(new ResourceID(name, "team"));
  }

  @Test
  void aPodWithoutTheAnnotationMapsToNothing() {
    var pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("p")
            .withNamespace("team")
            .endMetadata()
            .build();
    assertThat(BuildQueue.ownerOfPod(pod)).isEmpty();
  }
}

package dev.leanode.reconciler;

import dev.leanode.api.v1alpha1.NodeAppImage;
import dev.leanode.build.Labels;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates of a NodeAppImage start a reconciliation: a spec change (generation bump), a new
 * {@code leanode.dev/rebuild} value, or the start of deletion. Status and other metadata writes —
 * most of them our own status patches — do not.
 */
public class SpecOrRebuildChanged implements OnUpdateFilter<NodeAppImage> {
  @Override
  public boolean accept(NodeAppImage newResource, NodeAppImage oldResource) {
    return !Objects.equals(
            oldResource.getMetadata().getGeneration(), newResource.getMetadata().getGeneration())
        || !Objects.equals(rebuild(oldResource), rebuild(newResource))
        || (newResource.isMarkedForDeletion() && !oldResource.isMarkedForDeletion());
  }

  static String rebuild(NodeAppImage r) {
    Map<String, String> annotations = r.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(Labels.REBUILD_ANNOTATION);
  }
}

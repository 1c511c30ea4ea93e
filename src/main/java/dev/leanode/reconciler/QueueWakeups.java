package dev.leanode.reconciler;

import dev.leanode.api.v1alpha1.NodeAppImage;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Wakes queued NodeAppImages (reason {@code Queued}) as soon as build slots free up, oldest first,
 * instead of leaving them to their periodic re-check: with a limit of 50 and 1,000 resources, a
 * 10-second re-check alone would add minutes of idle slots.
 */
class QueueWakeups extends AbstractEventSource<Void, NodeAppImage> {
  private final LinkedHashSet<ResourceID> waiting = new LinkedHashSet<>();

  QueueWakeups() {
    super(Void.class, "queue-wakeups");
  }

  synchronized void waiting(ResourceID id) {
    waiting.add(id);
  }

  synchronized void started(ResourceID id) {
    waiting.remove(id);
  }

  /** Reconcile up to {@code free} of the longest-waiting resources now. */
  void wake(int free) {
    List<ResourceID> woken = new ArrayList<>();
    synchronized (this) {
      Iterator<ResourceID> it = waiting.iterator();
      while (it.hasNext() && woken.size() < free) {
        woken.add(it.next());
        it.remove();
      }
    }
    if (isRunning()) {
      woken.forEach(id -> getEventHandler().handleEvent(new Event(id)));
    }
  }

  @Override
  public java.util.Set<Void> getSecondaryResources(NodeAppImage primary) {
    return java.util.Set.of(); // an event source of wake-ups only: no secondary resources
  }

  synchronized int size() {
    return waiting.size();
  }
}

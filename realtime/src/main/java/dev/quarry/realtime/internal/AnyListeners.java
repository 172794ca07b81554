package dev.quarry.realtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Registration;
import dev.quarry.realtime.AnyListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * The catch-all listeners of a {@link RealRealtimeClient}: {@code onAny} (incoming events, queued
 * on the event lane before the event's own listeners, as socket.io calls them first) and {@code
 * onAnyOutgoing} (events written on the connection, queued on the control lane). The notify methods
 * run under the client's lock and only queue deliveries.
 */
final class AnyListeners {
  private final RealRealtimeClient client;
  private final CopyOnWriteArrayList<Listeners.ListenerEntry<Event>> incoming =
      new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Listeners.ListenerEntry<Event>> outgoing =
      new CopyOnWriteArrayList<>();

  private record Event(String name, EventArgs args) {}

  AnyListeners(RealRealtimeClient client) {
    this.client = client;
  }

  Registration addIncoming(AnyListener listener) {
    return add(incoming, listener);
  }

  Registration addOutgoing(AnyListener listener) {
    return add(outgoing, listener);
  }

  private static Registration add(
      CopyOnWriteArrayList<Listeners.ListenerEntry<Event>> list, AnyListener listener) {
    Listeners.ListenerEntry<Event> r =
        new Listeners.ListenerEntry<>(e -> listener.onEvent(e.name(), e.args().nodes()), () -> {});
    list.add(r);
    return () -> {
      r.close();
      list.remove(r);
    };
  }

  /** Whether any incoming listener is registered. */
  boolean hasIncoming() {
    return !incoming.isEmpty();
  }

  /** Queues an incoming event for the catch-all listeners on the event lane; under the lock. */
  void incoming(String event, EventArgs args) {
    deliver(incoming, new Event(event, args), "realtime onAny listener", true);
  }

  /**
   * Queues an event just written ({@code data} is the packet's array: the name, then the arguments)
   * for the outgoing listeners on the control lane; under the lock.
   */
  void outgoing(@Nullable JsonNode data) {
    if (outgoing.isEmpty() || data == null || data.isEmpty()) {
      return;
    }
    List<JsonNode> args = new ArrayList<>(data.size() - 1);
    for (int i = 1; i < data.size(); i++) {
      args.add(data.get(i));
    }
    deliver(
        outgoing,
        new Event(data.get(0).asText(), EventArgs.of(args)),
        "realtime onAnyOutgoing listener",
        false);
  }

  private void deliver(
      List<Listeners.ListenerEntry<Event>> list, Event e, String context, boolean eventLane) {
    for (Listeners.ListenerEntry<Event> r : list) {
      Runnable task =
          () -> {
            try {
              r.deliver(e);
            } catch (RuntimeException ex) {
              client.errors.safeHandle(context, ex);
            }
          };
      if (eventLane) {
        client.callbacks.enqueueEvent(task);
      } else {
        client.callbacks.enqueue(task);
      }
    }
  }
}

package dev.quarry.realtime.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.quarry.core.Subscription;
import dev.quarry.realtime.EventListener;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicEvent;
import dev.quarry.realtime.TopicSubscription;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The active topic set, ref-counted by handle. Everything except listener delivery runs under the
 * client's lock.
 */
final class Topics {
  private final RealRealtimeClient client;
  private final Map<Topic, Entry> active = new LinkedHashMap<>();
  private final Set<Topic> pendingUnsubscribes = new LinkedHashSet<>();

  Topics(RealRealtimeClient client) {
    this.client = client;
  }

  /** One server membership and the handles sharing it. */
  static final class Entry {
    final Topic topic;
    final CompletableFuture<JsonNode> confirmed = new CompletableFuture<>();
    final CopyOnWriteArrayList<Handle> handles = new CopyOnWriteArrayList<>();
    boolean everSent;

    Entry(Topic topic) {
      this.topic = topic;
    }
  }

  TopicSubscription subscribe(Topic topic) {
    Entry e = active.get(topic);
    if (e == null) {
      e = new Entry(topic);
      active.put(topic, e);
      pendingUnsubscribes.remove(topic);
      if (client.isConnectedLocked()) {
        sendSubscribe(e);
      }
    }
    Handle h = new Handle(e);
    e.handles.add(h);
    return h;
  }

  private ArrayNode payload(String event, Topic topic) {
    ArrayNode data = client.mapper.createArrayNode();
    data.add(event);
    data.add(topic.params());
    return data;
  }

  private void sendSubscribe(Entry e) {
    String event = client.options.subscribeEvent();
    ArrayNode data = payload(event, e.topic);
    e.everSent = true;
    if (client.options.subscribeAcks()) {
      CompletableFuture<ArrayNode> ack = new CompletableFuture<>();
      var unused =
          ack.whenComplete(
              (args, err) -> {
                if (err != null) {
                  e.confirmed.completeExceptionally(err);
                } else {
                  e.confirmed.complete(args.isEmpty() ? NullNode.getInstance() : args.get(0));
                }
              });
      client.sendWithAck(event, data, client.options.ackTimeout(), ack, true);
    } else {
      client.sendIfConnected(new Packet(Packet.Type.EVENT, client.namespace(), -1, data));
      client.callbacks.enqueue(() -> e.confirmed.complete(NullNode.getInstance()));
    }
  }

  private void sendUnsubscribe(Topic topic) {
    ArrayNode data = payload(client.options.unsubscribeEvent(), topic);
    client.sendIfConnected(new Packet(Packet.Type.EVENT, client.namespace(), -1, data));
  }

  /** After a CONNECT reply; under the lock. */
  void onConnected(boolean recovered, boolean reconnect) {
    if (recovered) {
      for (Topic t : pendingUnsubscribes) {
        sendUnsubscribe(t);
      }
      pendingUnsubscribes.clear();
      for (Entry e : active.values()) {
        if (!e.everSent) {
          sendSubscribe(e);
        }
      }
      return;
    }
    pendingUnsubscribes.clear();
    for (Entry e : active.values()) {
      boolean hadMembership = e.everSent;
      sendSubscribe(e);
      if (reconnect && hadMembership) {
        TopicEvent gap = new TopicEvent.Gap(e.topic, "reconnected without recovery");
        for (Handle h : e.handles) {
          client.callbacks.enqueue(() -> h.deliver(gap));
        }
      }
    }
  }

  /** Queues routing of an event to the topics; under the lock. */
  void route(String event, List<JsonNode> args) {
    if (active.isEmpty()) {
      return;
    }
    List<Entry> snapshot = new ArrayList<>(active.values());
    client.callbacks.enqueue(
        () -> {
          for (Entry e : snapshot) {
            boolean routed;
            try {
              routed = client.options.routingRule().routes(e.topic, event, args);
            } catch (RuntimeException ex) {
              client.errors.safeHandle("realtime routing rule for " + e.topic, ex);
              continue;
            }
            if (routed) {
              TopicEvent.Message m = new TopicEvent.Message(e.topic, event, args);
              for (Handle h : e.handles) {
                h.deliver(m);
              }
            }
          }
        });
  }

  /** One handle on a topic. */
  final class Handle implements TopicSubscription {
    private final Entry entry;
    private final CopyOnWriteArrayList<Listeners.Registration<TopicEvent>> listeners =
        new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    Handle(Entry entry) {
      this.entry = entry;
    }

    void deliver(TopicEvent event) {
      if (closed) {
        return;
      }
      for (Listeners.Registration<TopicEvent> r : listeners) {
        try {
          r.deliver(event);
        } catch (RuntimeException ex) {
          client.errors.safeHandle("realtime listener of topic " + entry.topic, ex);
        }
      }
    }

    @Override
    public Topic topic() {
      return entry.topic;
    }

    @Override
    public CompletableFuture<JsonNode> confirmed() {
      return entry.confirmed;
    }

    @Override
    public Subscription listen(Consumer<? super TopicEvent> listener) {
      Listeners.Registration<TopicEvent> r =
          new Listeners.Registration<>(listener::accept, () -> {});
      listeners.add(r);
      return () -> {
        r.close();
        listeners.remove(r);
      };
    }

    @Override
    public <T> Subscription on(String event, Class<T> type, EventListener<? super T> listener) {
      RealRealtimeClient.checkEventName(event);
      JavaType jt = client.mapper.constructType(type);
      return listen(
          e -> {
            if (e instanceof TopicEvent.Message m && m.event().equals(event)) {
              T value = client.mapper.convertValue(m.payload(), jt);
              listener.onEvent(value);
            }
          });
    }

    @Override
    public void close() {
      synchronized (client.lock()) {
        if (closed) {
          return;
        }
        closed = true;
        entry.handles.remove(this);
        if (entry.handles.isEmpty() && active.get(entry.topic) == entry) {
          active.remove(entry.topic);
          if (!client.isClosedLocked()) {
            if (client.isConnectedLocked()) {
              sendUnsubscribe(entry.topic);
            } else if (entry.everSent) {
              pendingUnsubscribes.add(entry.topic);
            }
          }
        }
      }
      client.callbacks.flush();
    }

    @Override
    public String toString() {
      return "TopicSubscription" + entry.topic;
    }
  }
}

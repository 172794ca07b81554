package dev.quarry.realtime.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.quarry.core.Cancellable;
import dev.quarry.core.Registration;
import dev.quarry.realtime.AckTimeoutException;
import dev.quarry.realtime.DisconnectedException;
import dev.quarry.realtime.EventListener;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicEvent;
import dev.quarry.realtime.TopicRefusedException;
import dev.quarry.realtime.TopicStatus;
import dev.quarry.realtime.TopicSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The active topic set, ref-counted by handle. Everything except listener delivery runs under the
 * client's lock.
 *
 * <p>A topic's subscribe is sent when the namespace connects (or at once if connected), again after
 * every reconnect that was not recovered, and, with acks on, again after an ack timeout (after the
 * reconnect backoff, while the connection lasts). {@code confirmed} completes on the first
 * successful ack and fails on a refusal ({@code {"ok":false}}), on close, or when the last handle
 * closes first.
 */
final class Topics {
  private final RealRealtimeClient client;
  private final Map<Topic, Entry> active = new LinkedHashMap<>();
  private final Set<Topic> pendingUnsubscribes = new LinkedHashSet<>();

  /**
   * Bumped after every change to which topics have a listener (a listener added or removed, on any
   * thread; a handle closed, which may drop its topic), so that {@link #listened} walks the topics
   * only after a change, not for every incoming event. Subscribing changes nothing by itself: a new
   * handle has no listener.
   */
  private final AtomicInteger listenersChanged = new AtomicInteger();

  /** The last {@link #listened} result; guarded by the client's lock. */
  private List<Entry> listened = List.of();

  /**
   * {@link #listened} indexed by the built-in routing rule's values, or null if the rule is the
   * user's own; guarded by the lock, made with {@link #listened}.
   */
  private ParamsRouting.@Nullable Index<Entry> listenedIndex;

  /** The {@link #listenersChanged} count {@link #listened} was computed at; guarded by the lock. */
  private int listenedAt = -1;

  Topics(RealRealtimeClient client) {
    this.client = client;
  }

  /** One server membership and the handles sharing it. */
  static final class Entry {
    final Topic topic;
    final CompletableFuture<JsonNode> confirmed = new CompletableFuture<>();
    final CopyOnWriteArrayList<Handle> handles = new CopyOnWriteArrayList<>();
    boolean everSent;

    /** Whether {@link #confirmed} is settled (the future itself completes later, off the lock). */
    boolean acked;

    boolean failed;

    /** Refused by the server: not sent again. */
    boolean refused;

    /** A subscribe was sent and no successful ack has answered it since. */
    boolean unsure;

    /** The ack awaited for the latest subscribe; an outcome of an older one is ignored. */
    @Nullable SubscribeAck inFlight;

    /** Ack timeouts in a row, for the backoff before the next re-send. */
    int timeouts;

    @Nullable Cancellable retry;

    /** Whether a handle of this topic has a listener. */
    boolean listened() {
      for (Handle h : handles) {
        if (h.listened()) {
          return true;
        }
      }
      return false;
    }

    Entry(Topic topic) {
      this.topic = topic;
    }

    void cancelRetry() {
      Cancellable r = retry;
      if (r != null) {
        r.cancel();
        retry = null;
      }
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
    // no change to what is listened to: a new handle has no listener yet
    return h;
  }

  private ArrayNode payload(String event, Topic topic) {
    ArrayNode data = client.mapper.createArrayNode();
    data.add(event);
    data.add(topic.params());
    return data;
  }

  private void sendSubscribe(Entry e) {
    e.cancelRetry();
    String event = client.options.subscribeEvent();
    ArrayNode data = payload(event, e.topic);
    if (DebugLog.LOG.isDebugEnabled()) {
      // The topic's name and parameter names only: a parameter's value may be a secret.
      java.util.List<String> names = new java.util.ArrayList<>();
      e.topic.params().fieldNames().forEachRemaining(names::add);
      DebugLog.LOG.debug(
          "{} topic {} {}", e.everSent ? "resubscribing" : "subscribing", e.topic.name(), names);
    }
    e.everSent = true;
    if (!client.options.subscribeAcks()) {
      client.sendIfConnected(new Packet(Packet.Type.EVENT, client.namespace(), -1, data));
      confirm(e, NullNode.getInstance());
      return;
    }
    SubscribeAck outcome = new SubscribeAck(e);
    e.inFlight = outcome;
    e.unsure = true;
    try {
      client.outbound.sendWithAck(event, data, client.options.ackTimeout(), outcome);
    } catch (RuntimeException ex) {
      // The subscribe cannot be sent at all (larger than the server's maxPayload).
      e.inFlight = null;
      fail(e, ex);
    }
  }

  private void confirm(Entry e, JsonNode value) {
    if (!e.acked && !e.failed) {
      e.acked = true;
      client.callbacks.enqueue(() -> e.confirmed.complete(value));
    }
  }

  private void fail(Entry e, Throwable error) {
    if (!e.acked && !e.failed) {
      e.failed = true;
      client.callbacks.enqueue(() -> e.confirmed.completeExceptionally(error));
    }
  }

  /** The ack of one subscribe event of {@code entry}; called under the lock. */
  private final class SubscribeAck implements Outbound.AckOutcome {
    private final Entry entry;

    SubscribeAck(Entry entry) {
      this.entry = entry;
    }

    @Override
    public void acked(ArrayNode args) {
      Entry e = entry;
      if (e.inFlight != this) {
        return;
      }
      e.inFlight = null;
      e.unsure = false;
      e.timeouts = 0;
      JsonNode first = args.isEmpty() ? NullNode.getInstance() : args.get(0);
      JsonNode ok = first.get("ok");
      if (first.isObject() && ok != null && ok.isBoolean() && !ok.asBoolean()) {
        e.refused = true;
        TopicRefusedException refused = new TopicRefusedException(e.topic, first);
        if (e.acked) {
          // Confirmed before, refused on a re-subscribe after a reconnect.
          client.callbacks.enqueue(
              () -> client.errors.safeHandle("realtime subscription to " + e.topic, refused));
        } else {
          fail(e, refused);
        }
        return;
      }
      confirm(e, first);
    }

    @Override
    public void failed(RuntimeException error) {
      Entry e = entry;
      if (e.inFlight != this) {
        return;
      }
      e.inFlight = null;
      if (!(error instanceof AckTimeoutException)) {
        fail(e, error);
        return;
      }
      // The server may be slow or may have lost the event: ask again after the backoff, on this
      // connection. A lost connection re-sends on its own after the reconnect.
      if (active.get(e.topic) == e && client.isConnectedLocked()) {
        Duration delay =
            client.options.reconnectBackoff().delay(e.timeouts, client.options.random());
        e.timeouts++;
        e.retry = client.scheduler().schedule(delay, () -> resend(e));
      }
    }

    @Override
    public boolean resentAfterReconnect() {
      return true;
    }
  }

  private void resend(Entry e) {
    synchronized (client.lock()) {
      e.retry = null;
      if (active.get(e.topic) == e
          && !e.refused
          && e.inFlight == null
          && !client.isClosedLocked()
          && client.isConnectedLocked()) {
        sendSubscribe(e);
      }
    }
    client.callbacks.flush();
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
        // The session kept its rooms; what was never sent, or never acked, is sent now.
        if (!e.refused && (!e.everSent || e.unsure)) {
          sendSubscribe(e);
        }
      }
      return;
    }
    pendingUnsubscribes.clear();
    for (Entry e : active.values()) {
      if (e.refused) {
        continue;
      }
      boolean hadMembership = e.everSent;
      sendSubscribe(e);
      if (reconnect && hadMembership) {
        TopicEvent gap = new TopicEvent.Gap(e.topic, "reconnected without recovery");
        for (Handle h : e.handles) {
          client.callbacks.enqueueEvent(() -> h.deliver(gap));
        }
      }
    }
  }

  /** The active topics in subscription order; under the lock. */
  List<TopicStatus> snapshot() {
    List<TopicStatus> out = new ArrayList<>(active.size());
    for (Entry e : active.values()) {
      TopicStatus.State state =
          e.acked
              ? TopicStatus.State.CONFIRMED
              : e.failed ? TopicStatus.State.FAILED : TopicStatus.State.PENDING;
      out.add(new TopicStatus(e.topic, state, e.handles.size()));
    }
    return List.copyOf(out);
  }

  /** The client is closing: every unconfirmed topic fails; under the lock. */
  void closed() {
    for (Entry e : active.values()) {
      e.cancelRetry();
      e.inFlight = null;
      fail(e, new DisconnectedException(client.options.subscribeEvent(), "client closed"));
    }
  }

  /** Whether any topic is active; under the lock. */
  boolean hasActive() {
    return !active.isEmpty();
  }

  /**
   * The active topics that have a listener on one of their handles, in subscription order (empty if
   * none: an event is then routed nowhere); under the lock. Computed again only after a change: an
   * event costs one read of the change count, whatever the number of topics. The list is never
   * changed once returned (a change makes a new one), so a routing task queued with it keeps its
   * snapshot.
   */
  List<Entry> listened() {
    // read the count before the topics: a change made meanwhile bumps it after itself, so the
    // next event sees a new count and walks the topics again
    int at = listenersChanged.get();
    if (at == listenedAt) {
      return listened;
    }
    List<Entry> out = new ArrayList<>();
    for (Entry e : active.values()) {
      if (e.listened()) {
        out.add(e);
      }
    }
    listened = List.copyOf(out);
    listenedIndex =
        client.options.routingRule() instanceof ParamsRouting rule
            ? rule.index(listened, e -> e.topic)
            : null;
    listenedAt = at;
    return listened;
  }

  /**
   * Queues routing of an event to {@code routed} (the {@link #listened} topics) on the event lane;
   * under the lock.
   */
  void route(String event, EventArgs eventArgs, List<Entry> routed) {
    ParamsRouting.Index<Entry> index = routed == listened ? listenedIndex : null;
    client.callbacks.enqueueEvent(
        () -> {
          List<JsonNode> args = eventArgs.nodes();
          if (index != null) {
            // the built-in rule: the event's topics by its values, not one call per topic
            for (Entry e : index.matches(args)) {
              deliver(e, new TopicEvent.Message(e.topic, event, args));
            }
            return;
          }
          for (Entry e : routed) {
            boolean routes;
            try {
              routes = client.options.routingRule().routes(e.topic, event, args);
            } catch (RuntimeException ex) {
              client.errors.safeHandle("realtime routing rule for " + e.topic, ex);
              continue;
            }
            if (routes) {
              deliver(e, new TopicEvent.Message(e.topic, event, args));
            }
          }
        });
  }

  private static void deliver(Entry e, TopicEvent.Message m) {
    for (Handle h : e.handles) {
      h.deliver(m);
    }
  }

  /** One handle on a topic. */
  final class Handle implements TopicSubscription {
    private final Entry entry;
    private final CopyOnWriteArrayList<Listeners.ListenerEntry<TopicEvent>> listeners =
        new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    Handle(Entry entry) {
      this.entry = entry;
    }

    /** Whether this handle has a listener; any thread. */
    boolean listened() {
      return !closed && !listeners.isEmpty();
    }

    void deliver(TopicEvent event) {
      if (closed) {
        return;
      }
      for (Listeners.ListenerEntry<TopicEvent> r : listeners) {
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
    public Registration listen(Consumer<? super TopicEvent> listener) {
      Listeners.ListenerEntry<TopicEvent> r =
          new Listeners.ListenerEntry<>(listener::accept, () -> {});
      listeners.add(r);
      listenersChanged.incrementAndGet();
      return () -> {
        r.close();
        if (listeners.remove(r)) {
          listenersChanged.incrementAndGet();
        }
      };
    }

    @Override
    public <T> Registration on(String event, Class<T> type, EventListener<? super T> listener) {
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
        listenersChanged.incrementAndGet();
        if (entry.handles.isEmpty() && active.get(entry.topic) == entry) {
          active.remove(entry.topic);
          entry.cancelRetry();
          entry.inFlight = null;
          fail(
              entry,
              new CancellationException(
                  "every handle of topic "
                      + entry.topic
                      + " closed before the server confirmed it"));
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

  /** Topic (re)subscriptions at DEBUG under {@code dev.quarry.realtime}; loaded on first use. */
  private static final class DebugLog {
    static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("dev.quarry.realtime");

    private DebugLog() {}
  }
}

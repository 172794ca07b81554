package dev.quarry.realtime.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.quarry.core.Registration;
import dev.quarry.realtime.Ack;
import dev.quarry.realtime.AckingListener;
import dev.quarry.realtime.ArgsListener;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.EventListener;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The client's event and state listeners. {@link #dispatch} and {@link #stateChanged} are called
 * under the client's lock and only queue deliveries; listeners run on the callback executor.
 */
final class Listeners {
  /** The answer to an event the server did not ask to acknowledge: sends nothing. */
  static final Ack NO_ACK =
      new Ack() {
        @Override
        public boolean requested() {
          return false;
        }

        @Override
        public void send(Object... args) {}
      };

  private final RealRealtimeClient client;
  private final CopyOnWriteArrayList<ListenerEntry<ConnectionEvent>> stateListeners =
      new CopyOnWriteArrayList<>();
  private final Map<String, CopyOnWriteArrayList<ListenerEntry<Delivery>>> byEvent =
      new ConcurrentHashMap<>();

  Listeners(RealRealtimeClient client) {
    this.client = client;
  }

  /**
   * An event with its arguments and, if the server asked, the ack to answer it with, for one of its
   * listeners: the task that delivers it on the event lane (one object per listener and event, no
   * lambda besides). A failure of the listener is reported, and the lane goes on.
   */
  static final class Delivery implements Runnable {
    private final String event;
    private final EventArgs args;
    private final @Nullable Ack ack;
    private final ListenerEntry<Delivery> to;
    private final RealRealtimeClient client;

    Delivery(
        String event,
        EventArgs args,
        @Nullable Ack ack,
        ListenerEntry<Delivery> to,
        RealRealtimeClient client) {
      this.event = event;
      this.args = args;
      this.ack = ack;
      this.to = to;
      this.client = client;
    }

    String event() {
      return event;
    }

    EventArgs args() {
      return args;
    }

    @Nullable Ack ack() {
      return ack;
    }

    @Override
    public void run() {
      try {
        to.deliver(this);
      } catch (RuntimeException e) {
        // The context is built only when a listener fails, not for every event.
        client.errors.safeHandle("realtime listener of '" + event + "'", e);
      }
    }
  }

  /** A listener plus the flag that makes its handle's close() effective at once. */
  static final class ListenerEntry<E> implements Registration {
    private final Consumer<E> target;
    private final Runnable onClose;
    private volatile boolean closed;

    ListenerEntry(Consumer<E> target, Runnable onClose) {
      this.target = target;
      this.onClose = onClose;
    }

    void deliver(E event) {
      if (!closed) {
        target.accept(event);
      }
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        onClose.run();
      }
    }
  }

  Registration addStateListener(Consumer<? super ConnectionEvent> listener) {
    ListenerEntry<ConnectionEvent> r = new ListenerEntry<>(listener::accept, () -> {});
    stateListeners.add(r);
    return () -> {
      r.close();
      stateListeners.remove(r);
    };
  }

  void stateChanged(ConnectionEvent event) {
    for (ListenerEntry<ConnectionEvent> r : stateListeners) {
      client.callbacks.enqueue(() -> r.deliver(event));
    }
  }

  private Registration register(String event, Consumer<Delivery> target) {
    CopyOnWriteArrayList<ListenerEntry<Delivery>> list =
        byEvent.computeIfAbsent(event, k -> new CopyOnWriteArrayList<>());
    ListenerEntry<Delivery> r = new ListenerEntry<>(target, () -> {});
    list.add(r);
    return () -> {
      r.close();
      list.remove(r);
    };
  }

  /**
   * How a typed listener reads its payload: a reader made once, when it is registered; {@code
   * fromText} when it may bind from the event's JSON text (not when the mapper fails on trailing
   * tokens: the argument is followed by the rest of the array there).
   */
  private record Decoding(JavaType type, ObjectReader reader, boolean fromText) {
    /** Whether the listener takes a JSON node (handed over as it is, not bound). */
    boolean wantsNode() {
      return JsonNode.class.isAssignableFrom(type.getRawClass());
    }
  }

  private Decoding decoding(JavaType type) {
    ObjectReader reader = client.mapper.readerFor(type);
    return new Decoding(
        type, reader, !reader.isEnabled(DeserializationFeature.FAIL_ON_TRAILING_TOKENS));
  }

  /**
   * Reads the first argument as the listener's type: a node the type already is (a listener for
   * {@link JsonNode}, say) is handed over as it is; anything else is bound by the listener's
   * reader, from the event's JSON text when there is one (one pass over the characters, as a
   * hand-written client would bind it), else from the argument's node. The error names the event
   * and the type; it is built only when binding fails.
   */
  private static @Nullable Object decode(Delivery d, Decoding decoding) {
    EventArgs args = d.args();
    Class<?> raw = decoding.type().getRawClass();
    boolean wantsNode = decoding.wantsNode();
    EventText json = args.json();
    try {
      if (json != null && !args.isEmpty() && !wantsNode && decoding.fromText()) {
        return json.bindFirst(decoding.reader());
      }
      JsonNode first = args.isEmpty() ? NullNode.getInstance() : args.nodes().get(0);
      if (wantsNode && raw.isInstance(first)) {
        return first;
      }
      return decoding.reader().readValue(first);
    } catch (IOException | IllegalArgumentException e) {
      throw decodeFailure(d, decoding, e);
    }
  }

  /**
   * The decoded argument as the listener's type. A JSON {@code null} argument (or none) reaches the
   * listener as {@code null}, as Jackson reads it: unchanged behaviour, which the listener types do
   * not spell out.
   */
  @SuppressWarnings({"unchecked", "NullAway"})
  private static <T> T handOver(@Nullable Object value) {
    return (T) value;
  }

  private static IllegalArgumentException decodeFailure(
      Delivery d, Decoding decoding, Exception e) {
    return new IllegalArgumentException(
        "cannot decode the payload of event '"
            + d.event()
            + "' as "
            + decoding.type()
            + ": "
            + e.getMessage(),
        e);
  }

  <T> Registration add(String event, JavaType type, EventListener<? super T> listener) {
    Decoding decoding = decoding(type);
    return register(
        event,
        d -> {
          T value = handOver(decode(d, decoding));
          listener.onEvent(value);
        });
  }

  Registration addRaw(String event, Consumer<? super List<JsonNode>> listener) {
    return register(event, d -> listener.accept(d.args().nodes()));
  }

  Registration addArgs(String event, ArgsListener listener) {
    return register(
        event,
        d -> {
          Ack ack = d.ack();
          listener.onEvent(d.args().nodes(), ack == null ? NO_ACK : ack);
        });
  }

  <T> Registration addAcking(String event, JavaType type, AckingListener<? super T> listener) {
    Decoding decoding = decoding(type);
    return register(
        event,
        d -> {
          T value = handOver(decode(d, decoding));
          Ack ack = d.ack();
          listener.onEvent(value, ack == null ? NO_ACK : ack);
        });
  }

  /**
   * The listeners of {@code event} (a live list: handed to {@link #dispatch} at once), or null if
   * it has none.
   */
  @Nullable List<ListenerEntry<Delivery>> of(String event) {
    CopyOnWriteArrayList<ListenerEntry<Delivery>> list = byEvent.get(event);
    return list == null || list.isEmpty() ? null : list;
  }

  /**
   * Queues the event for {@code targets}, its listeners from {@link #of}, on the event lane; under
   * the client's lock.
   */
  void dispatch(
      List<ListenerEntry<Delivery>> targets, String event, EventArgs args, @Nullable Ack ack) {
    for (ListenerEntry<Delivery> r : targets) {
      client.callbacks.enqueueEvent(new Delivery(event, args, ack, r, client));
    }
  }
}

package dev.quarry.realtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.quarry.core.Cancellable;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.internal.Redaction;
import dev.quarry.core.internal.SubsystemErrors;
import dev.quarry.realtime.AckTimeoutException;
import dev.quarry.realtime.DisconnectedException;
import dev.quarry.realtime.PayloadTooLargeException;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.SendBufferFullException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The outgoing side of a {@link RealRealtimeClient}: emits waiting for their ack, and the bounded
 * buffer of emits made while disconnected.
 *
 * <p>Not thread-safe on its own: every method except {@link #ackTimedOut} runs under the client's
 * lock, and futures are completed through the client's callback queue, never under the lock.
 */
final class Outbound {
  /** A packet waiting in the send buffer (or being sent). */
  record Outgoing(
      String event, Packet packet, PacketCodec.Encoded encoded, @Nullable PendingAck ack) {}

  /**
   * Where the outcome of an ack goes. Called under the client's lock: an implementation only queues
   * user code on the callback executor.
   */
  interface AckOutcome {
    /** The server acknowledged with {@code args}. */
    void acked(ArrayNode args);

    /** The ack can no longer arrive: timed out, too large, or the client closed. */
    void failed(RuntimeException e);

    /**
     * Whether the ack is dropped silently when its connection ends, because its owner sends the
     * event again after the reconnect (subscribes); otherwise it fails with {@link
     * DisconnectedException}.
     */
    default boolean resentAfterReconnect() {
      return false;
    }
  }

  /** An emit waiting for its ack. */
  static final class PendingAck {
    final String event;
    final AckOutcome outcome;
    @Nullable Cancellable timeout;
    @Nullable Object sentOn;

    PendingAck(String event, AckOutcome outcome) {
      this.event = event;
      this.outcome = outcome;
    }

    void cancelTimeout() {
      Cancellable t = timeout;
      if (t != null) {
        t.cancel();
      }
    }
  }

  private final RealRealtimeClient client;
  private final RealtimeOptions options;
  private final PacketCodec codec;
  private final Callbacks callbacks;
  private final ErrorHandler errors;
  private final ObjectMapper mapper;
  private final Map<Long, PendingAck> acks = new LinkedHashMap<>();
  private final ArrayDeque<Outgoing> sendBuffer = new ArrayDeque<>();
  private long nextAckId;
  private long lastMaxPayload = Long.MAX_VALUE;

  Outbound(RealRealtimeClient client, PacketCodec codec) {
    this.client = client;
    this.options = client.options;
    this.codec = codec;
    this.callbacks = client.callbacks;
    this.errors = SubsystemErrors.of(options.errorHandler(), "dev.quarry.realtime");
    this.mapper = options.objectMapper();
  }

  /** The server's maxPayload from its latest open packet: emits above it are refused at once. */
  void maxPayload(long bytes) {
    lastMaxPayload = bytes;
  }

  /** Sends an event without ack now if connected, else buffers it. */
  void emit(String event, Packet p) {
    submit(new Outgoing(event, p, codec.encode(p), null));
  }

  /** The outcome of a caller's emitWithAck: its future, completed on the callback executor. */
  AckOutcome completing(AckFuture<ArrayNode> future) {
    return new AckOutcome() {
      @Override
      public void acked(ArrayNode args) {
        callbacks.complete(() -> future.complete(args));
      }

      @Override
      public void failed(RuntimeException e) {
        callbacks.complete(() -> future.completeExceptionally(e));
      }
    };
  }

  /** Registers an ack and submits the packet. */
  void sendWithAck(String event, ArrayNode data, Duration timeout, AckOutcome outcome) {
    if (client.isClosedLocked()) {
      throw new DisconnectedException(event, "client closed");
    }
    long id = nextAckId++;
    Packet p = new Packet(Packet.Type.EVENT, client.namespace(), id, data);
    PacketCodec.Encoded enc = codec.encode(p);
    PendingAck a = new PendingAck(event, outcome);
    acks.put(id, a);
    try {
      submit(new Outgoing(event, p, enc, a));
    } catch (RuntimeException e) {
      acks.remove(id);
      throw e;
    }
    a.timeout = client.scheduler().schedule(timeout, () -> ackTimedOut(id, a, timeout));
  }

  /** Called by the scheduler, without the lock. */
  private void ackTimedOut(long id, PendingAck a, Duration timeout) {
    synchronized (client.lock()) {
      if (acks.get(id) != a) {
        return;
      }
      acks.remove(id);
      sendBuffer.removeIf(o -> o.ack() == a);
      a.outcome.failed(new AckTimeoutException(a.event, timeout));
    }
    callbacks.flush();
  }

  /** Completes the emit acked by {@code p}; a late (timed out) or unknown ack is ignored. */
  void onAck(Packet p) {
    PendingAck a = acks.remove(p.id());
    if (a == null) {
      return;
    }
    a.cancelTimeout();
    JsonNode data = p.data();
    ArrayNode args = data instanceof ArrayNode arr ? arr : mapper.createArrayNode();
    a.outcome.acked(args);
  }

  /**
   * Fails the acks of emits sent on {@code conn}, which ended. Subscribe acks are dropped: the
   * topics send again after the reconnect.
   */
  void connectionEnded(Object conn, String reason) {
    List<PendingAck> ended = new ArrayList<>();
    for (Iterator<PendingAck> it = acks.values().iterator(); it.hasNext(); ) {
      PendingAck a = it.next();
      if (a.sentOn == conn) {
        it.remove();
        a.cancelTimeout();
        ended.add(a);
      }
    }
    // Outcomes run after the loop: an at-least-once emit sends itself again from its outcome.
    for (PendingAck a : ended) {
      if (!a.outcome.resentAfterReconnect()) {
        a.outcome.failed(new DisconnectedException(a.event, reason));
      }
    }
  }

  /** Fails every pending ack and drops the buffer: the client is closing. */
  void closed() {
    List<PendingAck> pending = new ArrayList<>(acks.values());
    acks.clear();
    sendBuffer.clear();
    for (PendingAck a : pending) {
      a.cancelTimeout();
      a.outcome.failed(new DisconnectedException(a.event, "client closed"));
    }
  }

  /** Sends what was buffered while disconnected, in order, while {@code conn} stays current. */
  void flush(Session conn) {
    while (!sendBuffer.isEmpty() && client.isCurrentLocked(conn)) {
      Outgoing o = sendBuffer.poll();
      if (o != null) {
        transmit(conn, o);
      }
    }
  }

  /** Sends now if connected, else buffers. */
  private void submit(Outgoing o) {
    if (client.isClosedLocked()) {
      throw new IllegalStateException(
          "cannot emit '"
              + o.event()
              + "': realtime client for "
              + Redaction.url(options.uri())
              + " is closed");
    }
    long size = o.encoded().largestFrame();
    if (size > lastMaxPayload) {
      throw new PayloadTooLargeException(o.event(), size, lastMaxPayload);
    }
    Session conn = client.connectedLocked();
    if (conn != null) {
      transmit(conn, o);
      return;
    }
    if (sendBuffer.size() >= options.sendBufferSize()) {
      throw new SendBufferFullException(o.event(), options.sendBufferSize());
    }
    sendBuffer.add(o);
  }

  /** Writes a packet on the connection. */
  private void transmit(Session conn, Outgoing o) {
    long size = o.encoded().largestFrame();
    long max = conn.maxPayload();
    if (size > max) {
      PayloadTooLargeException e = new PayloadTooLargeException(o.event(), size, max);
      PendingAck a = o.ack();
      if (a != null) {
        acks.values().remove(a);
        a.cancelTimeout();
        a.outcome.failed(e);
      } else {
        callbacks.enqueue(() -> errors.safeHandle("realtime emit of buffered event", e));
      }
      return;
    }
    PendingAck a = o.ack();
    if (a != null) {
      a.sentOn = conn;
    }
    client.write(conn, o.encoded());
    client.anyListeners.outgoing(o.packet().data());
  }

  /**
   * Sends an event now if the namespace is connected; otherwise drops it (a volatile emit). True if
   * it was written.
   */
  boolean emitVolatile(String event, Packet p) {
    if (client.isClosedLocked()) {
      throw new IllegalStateException(
          "cannot emit '"
              + event
              + "': realtime client for "
              + Redaction.url(options.uri())
              + " is closed");
    }
    Outgoing o = new Outgoing(event, p, codec.encode(p), null);
    long size = o.encoded().largestFrame();
    if (size > lastMaxPayload) {
      throw new PayloadTooLargeException(event, size, lastMaxPayload);
    }
    Session conn = client.connectedLocked();
    if (conn == null) {
      return false;
    }
    transmit(conn, o);
    return true;
  }

  /** Pending acks (for tests). */
  int pendingAcks() {
    return acks.size();
  }

  /** Buffered packets (for tests). */
  int buffered() {
    return sendBuffer.size();
  }
}

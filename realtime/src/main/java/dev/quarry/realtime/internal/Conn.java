package dev.quarry.realtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.core.Cancellable;
import dev.quarry.realtime.Ack;
import dev.quarry.realtime.ConnectErrorException;
import dev.quarry.realtime.DeliveryOverflowException;
import dev.quarry.realtime.DisconnectReason;
import dev.quarry.realtime.MessageTooLargeException;
import dev.quarry.realtime.ProtocolException;
import dev.quarry.realtime.RealtimeException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One transport attempt of a {@link RealRealtimeClient}: its decoder, the handshake (the Engine.IO
 * open packet, the CONNECT with auth and recovery data, the connect deadline), the heartbeat, and
 * the decoding of incoming frames into events. What a frame means for the client as a whole (state
 * changes, reconnects, recovery bookkeeping, topics, the send buffer) is decided by the client.
 *
 * <p>Every field is guarded by the client's lock, except {@link #decoder}, which only the
 * transport's reader thread uses, and {@link #lastPingNanos}, written by the reader thread before
 * it takes the lock. The reader thread answers pings itself and otherwise only takes the lock, so a
 * listener never runs on it.
 */
final class Conn implements Transport.Listener {
  /**
   * An event as received: name, arguments without the recovery offset, ack id, the offset (if any),
   * its size as received (the text frame's chars plus attachment bytes).
   */
  record Incoming(String name, List<JsonNode> args, long id, @Nullable String offset, long size) {}

  private final RealRealtimeClient client;
  private final PacketCodec.Decoder decoder;
  private final ObjectNode auth;
  final URI endpoint;
  @Nullable Transport transport;
  Frame.@Nullable Open open;
  boolean nspConnected;

  /**
   * The reconnect attempts made before this connection's namespace connected, plus one; restored if
   * the connection ends because the server broke the protocol or overran a limit.
   */
  int attemptsBeforeConnect;

  @Nullable String pidSent;
  private @Nullable Cancellable heartbeat;
  private @Nullable Cancellable handshakeDeadline;
  private volatile long lastPingNanos;

  /**
   * The size of the message being decoded: its text frame's length plus the binary frames so far;
   * written by the reader thread before it takes the lock.
   */
  private long messageSize;

  private final List<Incoming> early = new ArrayList<>();
  private long earlyBytes;

  /** Early events that did not fit the event lane when the namespace connected; 0 if none. */
  private int earlyDropped;

  Conn(RealRealtimeClient client, PacketCodec.Decoder decoder, ObjectNode auth, URI endpoint) {
    this.client = client;
    this.decoder = decoder;
    this.auth = auth;
    this.endpoint = endpoint;
  }

  /** Starts the connect deadline; under the lock. */
  void startHandshakeDeadline() {
    handshakeDeadline =
        client.scheduler().schedule(client.options.connectTimeout(), this::handshakeTimedOut);
  }

  /** The server's maxPayload on this connection (unbounded before the open packet). */
  long maxPayload() {
    Frame.Open o = open;
    return o == null ? Long.MAX_VALUE : o.maxPayload();
  }

  /** Stops this connection's timers; under the lock, when the connection ends. */
  void stopTimers() {
    Cancellable hb = heartbeat;
    if (hb != null) {
      hb.cancel();
    }
    Cancellable deadline = handshakeDeadline;
    if (deadline != null) {
      deadline.cancel();
    }
  }

  // ---------------------------------------------------------------- reader thread

  @Override
  public void onText(Transport t, String text) {
    messageSize = text.length();
    Frame f;
    try {
      f = decoder.decodeText(text);
    } catch (ProtocolException | MessageTooLargeException e) {
      protocolError(e);
      return;
    }
    if (f instanceof Frame.Ping) {
      // Answered here, before anything else: a pong never waits for the lock or a listener.
      lastPingNanos = client.clock().nanoTime();
      t.send("3");
      return;
    }
    handle(t, f);
  }

  @Override
  public void onBinary(Transport t, byte[] bytes) {
    messageSize += bytes.length;
    Frame f;
    try {
      f = decoder.decodeBinary(bytes);
    } catch (ProtocolException | MessageTooLargeException e) {
      protocolError(e);
      return;
    }
    handle(t, f);
  }

  @Override
  public void onEnd(@Nullable Transport t, String reason, @Nullable Throwable cause) {
    synchronized (client.lock()) {
      if (cause instanceof RealtimeException e && client.isCurrentLocked(this)) {
        // The server broke the protocol below the codec (an invalid WebSocket frame): as loud as
        // a malformed packet.
        client.callbacks.enqueue(() -> client.errors.safeHandle(client.errorContext, e));
      }
      DisconnectReason why =
          cause instanceof RealtimeException
              ? DisconnectReason.PARSE_ERROR
              : cause == null ? DisconnectReason.TRANSPORT_CLOSE : DisconnectReason.TRANSPORT_ERROR;
      client.transportLost(this, why, reason, cause);
    }
    client.callbacks.flush();
  }

  private void handle(Transport t, Frame f) {
    synchronized (client.lock()) {
      if (!client.isCurrentLocked(this)) {
        return;
      }
      if (transport == null) {
        // The server can answer before Transport.Factory.open has returned (OkHttp reads on its
        // own thread): take the transport from the callback, or the CONNECT reply to this open
        // packet would have nothing to be written on.
        transport = t;
      }
      try {
        onFrame(f);
      } catch (RuntimeException e) {
        // A bug or an unexpected payload: report it and reset the connection, never kill the
        // reader thread.
        client.callbacks.enqueue(() -> client.errors.safeHandle("realtime frame handling", e));
        client.transportLost(this, DisconnectReason.PARSE_ERROR, "error handling a frame: " + e, e);
      }
    }
    client.callbacks.flush();
  }

  private void protocolError(RealtimeException e) {
    synchronized (client.lock()) {
      if (!client.isCurrentLocked(this)) {
        return;
      }
      client.callbacks.enqueue(() -> client.errors.safeHandle(client.errorContext, e));
      client.transportLost(
          this,
          DisconnectReason.PARSE_ERROR,
          e instanceof MessageTooLargeException ? "message too large" : "protocol error",
          e);
    }
    client.callbacks.flush();
  }

  // ---------------------------------------------------------------- frames, under the lock

  private void onFrame(Frame f) {
    if (f instanceof Frame.Open o) {
      onOpen(o);
    } else if (f instanceof Frame.Close) {
      client.transportLost(
          this, DisconnectReason.TRANSPORT_CLOSE, "transport close (server sent close)", null);
    } else if (f instanceof Frame.Message m) {
      Packet p = m.packet();
      String nsp = client.namespace();
      if (!p.namespace().equals(nsp)) {
        return;
      }
      switch (p.type()) {
        case CONNECT -> {
          if (nspConnected) {
            throw new ProtocolException(
                "a second CONNECT reply for namespace " + nsp + " on the same connection");
          }
          onConnectReply(p);
        }
        case CONNECT_ERROR -> onConnectError(p);
        case DISCONNECT -> client.serverDisconnected(this);
        case EVENT, BINARY_EVENT -> onEvent(p);
        case ACK, BINARY_ACK -> client.outbound.onAck(p);
      }
    }
  }

  private void onOpen(Frame.Open o) {
    if (open != null) {
      // One open packet per Engine.IO session; answering a second with another CONNECT would let
      // a misbehaving server drive the client round a connect loop.
      throw new ProtocolException("a second Engine.IO open packet on the same connection");
    }
    open = o;
    client.outbound.maxPayload(o.maxPayload());
    lastPingNanos = client.clock().nanoTime();
    armHeartbeat(o.pingInterval().plus(o.pingTimeout()));
    ObjectNode data = auth.deepCopy();
    pidSent = client.addRecoveryData(data);
    client.send(
        this,
        new Packet(Packet.Type.CONNECT, client.namespace(), -1, data.isEmpty() ? null : data));
  }

  private void onConnectReply(Packet p) {
    JsonNode data = p.data();
    String sid = data != null && data.hasNonNull("sid") ? data.get("sid").asText() : "";
    String newPid = data != null && data.hasNonNull("pid") ? data.get("pid").asText() : null;
    nspConnected = true;
    Cancellable deadline = handshakeDeadline;
    if (deadline != null) {
      deadline.cancel();
      handshakeDeadline = null;
    }
    client.namespaceConnected(this, sid, newPid);
    if (earlyDropped > 0 && client.isCurrentLocked(this)) {
      overflow(earlyDropped);
    }
  }

  /**
   * Dispatches the events that arrived between the open packet and the CONNECT reply; those that do
   * not fit the event lane are counted in {@link #earlyDropped} (the connection is closed once the
   * client has finished handling the CONNECT reply).
   */
  void deliverEarlyEvents() {
    for (int k = 0; k < early.size(); k++) {
      if (!dispatch(early.get(k))) {
        earlyDropped = early.size() - k;
        break;
      }
    }
    early.clear();
    earlyBytes = 0;
  }

  private void onConnectError(Packet p) {
    JsonNode data = p.data();
    String message;
    JsonNode extra = null;
    if (data != null && data.isObject()) {
      message = data.path("message").asText("");
      extra = data.get("data");
    } else {
      message = data == null ? "" : data.asText();
    }
    client.connectRefused(
        this, message, new ConnectErrorException(client.namespace(), message, extra));
  }

  private void onEvent(Packet p) {
    JsonNode data = p.data();
    if (data == null) {
      return;
    }
    List<JsonNode> args = new ArrayList<>(data.size());
    data.forEach(args::add);
    String name = args.remove(0).asText();
    // With recovery on, the server appends the offset to every event without an ack id.
    String knownPid = nspConnected ? client.recoveryPid() : pidSent;
    String offset = null;
    if (knownPid != null
        && !p.hasId()
        && !args.isEmpty()
        && args.get(args.size() - 1).isTextual()) {
      offset = args.remove(args.size() - 1).asText();
    }
    Incoming in = new Incoming(name, List.copyOf(args), p.id(), offset, messageSize);
    if (!nspConnected) {
      Callbacks cb = client.callbacks;
      if (early.size() + cb.queuedEvents() < cb.maxEvents() / 2
          && earlyBytes + in.size() + cb.queuedBytes() <= cb.maxBytes() / 2) {
        early.add(in);
        earlyBytes += in.size();
        return;
      }
      // A recovered session replays what was missed before the CONNECT reply, possibly more than
      // the event lane holds: beyond half the lane, hand the held events and this one to the
      // listeners now, so that the replay flows instead of overflowing on every reconnect.
      for (int k = 0; k < early.size(); k++) {
        if (!dispatch(early.get(k))) {
          overflow(early.size() - k + 1);
          return;
        }
      }
      early.clear();
      earlyBytes = 0;
    }
    if (!dispatch(in)) {
      overflow(1);
    }
  }

  /**
   * Queues {@code in} for its listeners and records its recovery offset; false if the event lane is
   * full, and then the offset stays where it was, so a recovered session replays the event.
   */
  private boolean dispatch(Incoming in) {
    ServerAck ack = in.id() >= 0 ? new ServerAck(in.id()) : null;
    if (!client.dispatch(in.name(), in.args(), ack, in.size())) {
      return false;
    }
    String offset = in.offset();
    if (offset != null) {
      client.recordOffset(offset);
    }
    return true;
  }

  /**
   * The event lane is full: drops the connection (drop and recover, see {@code
   * RealtimeOptions.Builder.maxQueuedEvents}) and reports how many events were dropped; under the
   * lock.
   */
  private void overflow(int dropped) {
    Callbacks cb = client.callbacks;
    DeliveryOverflowException e =
        new DeliveryOverflowException(
            dropped, cb.queuedEvents(), cb.queuedBytes(), cb.maxEvents(), cb.maxBytes());
    cb.enqueue(() -> client.errors.safeHandle(client.errorContext, e));
    client.transportLost(this, DisconnectReason.DELIVERY_OVERFLOW, "delivery overflow", e);
  }

  // ---------------------------------------------------------------- timers

  private void armHeartbeat(Duration delay) {
    heartbeat = client.scheduler().schedule(delay, this::checkHeartbeat);
  }

  private void checkHeartbeat() {
    synchronized (client.lock()) {
      Frame.Open o = open;
      if (!client.isCurrentLocked(this) || o == null) {
        return;
      }
      long limit = o.pingInterval().plus(o.pingTimeout()).toNanos();
      long waited = client.clock().nanoTime() - lastPingNanos;
      if (waited >= limit) {
        client.transportLost(this, DisconnectReason.PING_TIMEOUT, "ping timeout", null);
      } else {
        armHeartbeat(Duration.ofNanos(limit - waited));
      }
    }
    client.callbacks.flush();
  }

  /** The attempt got no CONNECT reply in time: the server accepted the socket but is silent. */
  private void handshakeTimedOut() {
    synchronized (client.lock()) {
      if (!client.isCurrentLocked(this) || nspConnected) {
        return;
      }
      client.transportLost(
          this,
          DisconnectReason.CONNECT_ERROR,
          "connect timeout: no CONNECT reply within " + client.options.connectTimeout(),
          null);
    }
    client.callbacks.flush();
  }

  /** Answers a server's ack request once, on the connection that carried it. */
  private final class ServerAck implements Ack {
    private final long id;
    private final AtomicBoolean sent = new AtomicBoolean();

    ServerAck(long id) {
      this.id = id;
    }

    @Override
    public boolean requested() {
      return true;
    }

    @Override
    public void send(Object... args) {
      if (!sent.compareAndSet(false, true)) {
        return;
      }
      ArrayNode arr = client.toArgs(args);
      synchronized (client.lock()) {
        if (client.isCurrentLocked(Conn.this) && nspConnected) {
          client.send(Conn.this, new Packet(Packet.Type.ACK, client.namespace(), id, arr));
        }
      }
    }
  }
}

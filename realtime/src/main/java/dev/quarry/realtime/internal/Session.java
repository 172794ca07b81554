package dev.quarry.realtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.core.Cancellable;
import dev.quarry.realtime.Ack;
import dev.quarry.realtime.ConnectErrorException;
import dev.quarry.realtime.DeliveryOverflowException;
import dev.quarry.realtime.DisconnectReason;
import dev.quarry.realtime.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One namespace on one Engine.IO connection: its CONNECT (auth and recovery data) and the deadline
 * for the reply, the events that arrive before the reply, and the decoding of the namespace's
 * packets into events and acks. What a packet means for the namespace as a whole (state changes,
 * recovery bookkeeping, topics, the send buffer) is decided by its {@link RealRealtimeClient}; what
 * it means for the connection (reconnects, other namespaces) by the {@link RealRealtimeConnection}.
 *
 * <p>Every field is guarded by the connection's lock; every method runs under it.
 */
final class Session {
  /**
   * An event as received: name, arguments without the recovery offset, ack id, the offset (if any),
   * its size as received (the text frame's chars plus attachment bytes).
   */
  record Incoming(String name, EventArgs args, long id, @Nullable String offset, long size) {}

  final RealRealtimeClient client;
  final Conn conn;
  boolean nspConnected;
  @Nullable String pidSent;
  private @Nullable Cancellable deadline;
  private final List<Incoming> early = new ArrayList<>();
  private long earlyBytes;

  /** Early events that did not fit the event lane when the namespace connected; 0 if none. */
  private int earlyDropped;

  Session(RealRealtimeClient client, Conn conn) {
    this.client = client;
    this.conn = conn;
  }

  /** The server's maxPayload on this connection. */
  long maxPayload() {
    return conn.maxPayload();
  }

  /** Sends the CONNECT with {@code auth} and the recovery data, and starts the reply deadline. */
  void start(ObjectNode auth) {
    ObjectNode data = auth.deepCopy();
    pidSent = client.addRecoveryData(data);
    client.send(
        this,
        new Packet(Packet.Type.CONNECT, client.namespace(), -1, data.isEmpty() ? null : data));
    deadline = client.scheduler().schedule(client.options.connectTimeout(), this::connectTimedOut);
  }

  /** Stops the reply deadline; when the session ends. */
  void stop() {
    Cancellable d = deadline;
    if (d != null) {
      d.cancel();
      deadline = null;
    }
  }

  /** Handles a packet of this namespace of {@code size} bytes as received. */
  void onPacket(Packet p, long size) {
    switch (p.type()) {
      case CONNECT -> {
        if (nspConnected) {
          throw new ProtocolException(
              "a second CONNECT reply for namespace "
                  + client.namespace()
                  + " on the same connection");
        }
        onConnectReply(p);
      }
      case CONNECT_ERROR -> onConnectError(p);
      case DISCONNECT -> client.serverDisconnected(this);
      case EVENT, BINARY_EVENT -> onEvent(p, size);
      case ACK, BINARY_ACK -> client.outbound.onAck(p);
    }
  }

  private boolean current() {
    return client.isCurrentLocked(this);
  }

  private void onConnectReply(Packet p) {
    JsonNode data = p.data();
    String sid = data != null && data.hasNonNull("sid") ? data.get("sid").asText() : "";
    String newPid = data != null && data.hasNonNull("pid") ? data.get("pid").asText() : null;
    nspConnected = true;
    stop();
    conn.namespaceConnected();
    client.namespaceConnected(this, sid, newPid);
    if (earlyDropped > 0 && current()) {
      overflow(earlyDropped);
    }
  }

  /**
   * Dispatches the events that arrived between the CONNECT and its reply; those that do not fit the
   * event lane are counted in {@link #earlyDropped} (the connection is closed once the client has
   * finished handling the CONNECT reply).
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

  private void onEvent(Packet p, long size) {
    JsonNode data = p.data();
    if (data == null) {
      return;
    }
    List<JsonNode> args = new ArrayList<>(data.size());
    data.forEach(args::add);
    String name = args.remove(0).asText();
    String offset = null;
    if (carriesOffset(p.id(), args.size()) && args.get(args.size() - 1).isTextual()) {
      offset = args.remove(args.size() - 1).asText();
    }
    accept(new Incoming(name, EventArgs.of(args), p.id(), offset, size));
  }

  /**
   * Handles a plain event of this namespace of {@code size} bytes as received, its arguments still
   * text; under the lock.
   */
  void onEvent(Frame.Event e, long size) {
    int args = e.args();
    String offset = null;
    if (carriesOffset(e.id(), args) && e.lastString() != null) {
      offset = e.lastString();
      args--;
    }
    EventArgs eventArgs = EventArgs.ofText(e.json(), args, conn.codecMapper());
    if (nspConnected) {
      // what accept does once connected, without the holder an early event needs
      if (!dispatch(e.name(), eventArgs, e.id(), offset, size)) {
        overflow(1);
      }
      return;
    }
    accept(new Incoming(e.name(), eventArgs, e.id(), offset, size));
  }

  /**
   * Whether the last of an event's {@code args} arguments is its recovery offset if it is a string:
   * with recovery on, the server appends the offset to every event without an ack id.
   */
  private boolean carriesOffset(long id, int args) {
    String knownPid = nspConnected ? client.recoveryPid() : pidSent;
    return knownPid != null && id < 0 && args > 0;
  }

  private void accept(Incoming in) {
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
    return dispatch(in.name(), in.args(), in.id(), in.offset(), in.size());
  }

  /** {@link #dispatch(Incoming)} of an event not held in an {@link Incoming}. */
  private boolean dispatch(
      String name, EventArgs args, long id, @Nullable String offset, long size) {
    ServerAck ack = id >= 0 ? new ServerAck(id) : null;
    if (!client.dispatch(name, args, ack, size)) {
      return false;
    }
    if (offset != null) {
      client.recordOffset(offset);
    }
    return true;
  }

  /**
   * The event lane (shared by the connection's namespaces) is full: drops the connection (drop and
   * recover, see {@code RealtimeOptions.Builder.maxQueuedEvents}) and reports how many events were
   * dropped.
   */
  private void overflow(int dropped) {
    Callbacks cb = client.callbacks;
    DeliveryOverflowException e =
        new DeliveryOverflowException(
            dropped, cb.queuedEvents(), cb.queuedBytes(), cb.maxEvents(), cb.maxBytes());
    cb.enqueue(() -> client.errors.safeHandle(client.errorContext, e));
    conn.lost(DisconnectReason.DELIVERY_OVERFLOW, "delivery overflow", e);
  }

  /** The CONNECT got no reply in time: the server accepted the connection but is silent. */
  private void connectTimedOut() {
    synchronized (client.lock()) {
      if (!current() || nspConnected) {
        return;
      }
      client.connectTimedOut(this);
    }
    client.callbacks.flush();
  }

  /** Answers a server's ack request once, on the session that carried it. */
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
        if (current() && nspConnected) {
          client.send(Session.this, new Packet(Packet.Type.ACK, client.namespace(), id, arr));
        }
      }
    }
  }
}

package dev.quarry.realtime.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.core.Cancellable;
import dev.quarry.realtime.DisconnectReason;
import dev.quarry.realtime.MessageTooLargeException;
import dev.quarry.realtime.ProtocolException;
import dev.quarry.realtime.RealtimeException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * One transport attempt of a {@link RealRealtimeConnection}: its decoder, the Engine.IO handshake
 * (the open packet, the deadline for the first namespace to connect), the heartbeat, and the
 * routing of decoded packets to the {@link Session} of their namespace. What a frame means for the
 * connection as a whole (reconnects, endpoints) is decided by the connection; what a packet means
 * for a namespace by its session and client.
 *
 * <p>Threads. The transport's <em>reader thread</em> does the least it can per frame, so that a
 * burst of events never delays the answer to a ping: it looks at the Engine.IO packet type only,
 * answers a ping ({@code 2}) with a pong at once (and records when), and hands every frame, the
 * ping included, and the end of the transport, in order, to this connection's {@link Inbound}
 * queue; it parses nothing, builds no string and takes no lock but the queue's (it waits there
 * while the queue is full). The <em>inbound stage</em> (the connection's {@code
 * quarry-realtime-inbound} thread) does the rest, frame by frame: decoding with {@link #decoder}
 * (every check and limit of the codec), taking the connection's lock, routing, and flushing the
 * callbacks after releasing the lock. The one exception: on a quiet connection (nothing queued, the
 * stage idle) the reader decodes and routes a lone frame itself, within a metered share of its time
 * ({@link Inbound}), which spares an ack or an occasional event the hop to the stage; a flood goes
 * through the queue. Listeners run on the callback executor, never on either thread (unless the
 * application gave a direct callback executor).
 *
 * <p>Every field is guarded by the connection's lock, except {@link #decoder} and {@link
 * #messageSize}, which only the thread handing frames to the {@link Stage} uses (the stage, or the
 * reader for a lone frame; {@link Inbound} hands over between them through its monitor), {@link
 * #lastPingNanos}, written by the reader thread, and {@link #inbound}, which is thread-safe.
 */
final class Conn implements Transport.Listener {
  private final RealRealtimeConnection engine;
  private final PacketCodec.Decoder decoder;
  private final Inbound inbound;

  /** The auth objects of the namespaces that join when the open packet arrives. */
  final Map<RealRealtimeClient, ObjectNode> auths;

  final URI endpoint;
  @Nullable Transport transport;
  Frame.@Nullable Open open;

  /** The namespaces on this connection, by name. */
  final Map<String, Session> sessions = new LinkedHashMap<>();

  /** Whether a namespace has connected on this connection. */
  boolean anyConnected;

  /**
   * The reconnect attempts made before this connection's first namespace connected, plus one;
   * restored if the connection ends because the server broke the protocol or overran a limit.
   */
  int attemptsBeforeConnect;

  private @Nullable Cancellable heartbeat;
  private @Nullable Cancellable handshakeDeadline;
  private volatile long lastPingNanos;

  /** Set when the connection ends: a stage waiting for room in the event lane stops waiting. */
  private volatile boolean ended;

  /**
   * Set by the stall check when the listeners took no event for the stall timeout while the stage
   * waited for room: the stage stops waiting and the event overflows (drop and recover).
   */
  private volatile boolean stalled;

  /** The stall check while the stage waits for room; guarded by the lock. */
  private @Nullable Cancellable stallCheck;

  /** Counts the stage's waits for room, so a stall check of an earlier wait does nothing. */
  private long stallWait;

  /**
   * The transport the frames come from, set by the reader thread from its first frame: the server
   * can answer before {@code Transport.Factory.open} has returned.
   */
  private volatile @Nullable Transport reading;

  /**
   * The size of the message being decoded: its text frame's length plus the binary frames so far;
   * written by the thread decoding (the stage, or the reader for a lone frame) before it takes the
   * lock.
   */
  private long messageSize;

  Conn(
      RealRealtimeConnection engine,
      PacketCodec.Decoder decoder,
      Map<RealRealtimeClient, ObjectNode> auths,
      URI endpoint,
      Executor inboundExecutor,
      Duration inboundLinger,
      Inbound.Limits inboundLimits) {
    this.engine = engine;
    this.decoder = decoder;
    this.auths = auths;
    this.endpoint = endpoint;
    this.inbound =
        new Inbound(
            new Stage(),
            inboundExecutor,
            inboundLimits,
            engine.clock()::nanoTime,
            engine.callbacks::drained,
            inboundLinger);
  }

  /** The mapper this connection's frames are decoded with (the event's nodes are read with it). */
  ObjectMapper codecMapper() {
    return engine.options.objectMapper();
  }

  /** Frames read and not yet decoded (the end of the transport counts as one). */
  int queuedFrames() {
    return inbound.queued();
  }

  /** Frames the reader thread decoded itself, the connection being quiet. */
  long framesDecodedByReader() {
    return inbound.inlined();
  }

  /** Starts the connect deadline; under the lock. */
  void startHandshakeDeadline() {
    handshakeDeadline =
        engine.scheduler().schedule(engine.options.connectTimeout(), this::handshakeTimedOut);
  }

  /** The server's maxPayload on this connection (unbounded before the open packet). */
  long maxPayload() {
    Frame.Open o = open;
    return o == null ? Long.MAX_VALUE : o.maxPayload();
  }

  /** Writes encoded frames on this connection; under the lock. */
  void write(PacketCodec.Encoded enc) {
    Transport t = transport;
    if (t == null) {
      return;
    }
    t.send(enc.text());
    for (byte[] b : enc.attachments()) {
      t.send(b);
    }
  }

  /** A namespace connected on this connection; under the lock. */
  void namespaceConnected() {
    if (!anyConnected) {
      anyConnected = true;
      Cancellable deadline = handshakeDeadline;
      if (deadline != null) {
        deadline.cancel();
        handshakeDeadline = null;
      }
      engine.firstNamespaceConnected(this);
    }
  }

  /** Ends this connection for every namespace and reconnects; under the lock. */
  void lost(DisconnectReason reason, String detail, @Nullable Throwable cause) {
    engine.transportLost(this, reason, detail, cause);
  }

  /**
   * Stops this connection's timers and discards the frames not yet decoded (they would be ignored:
   * the connection is no longer current); under the lock, when the connection ends.
   */
  void stopTimers() {
    inbound.close();
    ended = true;
    engine.callbacks.wakeRoomWaiters();
    Cancellable stall = stallCheck;
    if (stall != null) {
      stall.cancel();
    }
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
    if (reading == null) {
      reading = t;
    }
    if (!text.isEmpty() && text.charAt(0) == '2') {
      // Answered here, before anything else: a pong never waits for the frames queued before it,
      // the lock or a listener. The ping is still queued, so that the decoder checks it in order.
      lastPingNanos = engine.clock().nanoTime();
      t.send("3");
    }
    inbound.offer(text);
  }

  @Override
  public void onBinary(Transport t, byte[] bytes) {
    if (reading == null) {
      reading = t;
    }
    inbound.offer(bytes);
  }

  @Override
  public void onEnd(@Nullable Transport t, String reason, @Nullable Throwable cause) {
    inbound.end(reason, cause);
  }

  // ---------------------------------------------------------------- inbound stage

  /**
   * Decodes and routes the frames of this connection, in order; on the inbound stage, or on the
   * reader thread for a lone frame on a quiet connection.
   */
  private final class Stage implements Inbound.Sink {
    @Override
    public void text(String text) {
      messageSize = text.length();
      Frame f;
      try {
        f = decoder.decodeText(text);
      } catch (ProtocolException | MessageTooLargeException e) {
        protocolError(e);
        return;
      }
      if (f instanceof Frame.Ping) {
        // Answered by the reader thread when it read it.
        return;
      }
      awaitRoomFor(f);
      handle(f);
    }

    @Override
    public void binary(byte[] bytes) {
      messageSize += bytes.length;
      Frame f;
      try {
        f = decoder.decodeBinary(bytes);
      } catch (ProtocolException | MessageTooLargeException e) {
        protocolError(e);
        return;
      }
      awaitRoomFor(f);
      handle(f);
    }

    @Override
    public void end(String reason, @Nullable Throwable cause) {
      ended(reason, cause);
    }
  }

  /**
   * Holds back an incoming event while the event lane is full (see {@code
   * RealtimeOptions.Builder.maxQueuedEvents}): waits, holding no lock, until the listeners make
   * room, the connection ends, or they take nothing for the stall timeout; then the event is
   * routed, and overflows (drop and recover) if there is still no room. Never waits on the reader
   * thread (it decodes only while the lane is at most half full) or with a zero stall timeout.
   */
  private void awaitRoomFor(Frame f) {
    boolean event =
        f instanceof Frame.Event
            || (f instanceof Frame.Message m
                && (m.packet().type() == Packet.Type.EVENT
                    || m.packet().type() == Packet.Type.BINARY_EVENT));
    if (!event) {
      return;
    }
    Callbacks cb = engine.callbacks;
    Duration patience = engine.options.deliveryStallTimeout();
    if (cb.hasRoom(messageSize) || patience.isZero() || inbound.decodingInline()) {
      return;
    }
    synchronized (engine.lock()) {
      if (!engine.isCurrentLocked(this)) {
        return;
      }
      stalled = false;
      watchStall(++stallWait, patience, cb.taken());
    }
    try {
      cb.awaitRoom(messageSize, () -> ended || stalled);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      synchronized (engine.lock()) {
        stallWait++;
        Cancellable c = stallCheck;
        if (c != null) {
          c.cancel();
          stallCheck = null;
        }
      }
    }
  }

  /**
   * Checks after {@code patience} that the listeners took an event since {@code taken}, for the
   * stage's wait number {@code wait}; under the lock.
   */
  private void watchStall(long wait, Duration patience, long taken) {
    stallCheck =
        engine
            .scheduler()
            .schedule(
                patience,
                () -> {
                  synchronized (engine.lock()) {
                    if (wait != stallWait || !engine.isCurrentLocked(this)) {
                      return;
                    }
                    long now = engine.callbacks.taken();
                    if (now != taken) {
                      watchStall(wait, patience, now);
                      return;
                    }
                    stallCheck = null;
                    stalled = true;
                  }
                  engine.callbacks.wakeRoomWaiters();
                });
  }

  private void ended(String reason, @Nullable Throwable cause) {
    synchronized (engine.lock()) {
      if (cause instanceof RealtimeException e && engine.isCurrentLocked(this)) {
        // The server broke the protocol below the codec (an invalid WebSocket frame): as loud as
        // a malformed packet.
        engine.callbacks.enqueue(() -> engine.errors.safeHandle(engine.errorContext, e));
      }
      DisconnectReason why =
          cause instanceof RealtimeException
              ? DisconnectReason.PARSE_ERROR
              : cause == null ? DisconnectReason.TRANSPORT_CLOSE : DisconnectReason.TRANSPORT_ERROR;
      engine.transportLost(this, why, reason, cause);
    }
    engine.callbacks.flush();
  }

  private void handle(Frame f) {
    synchronized (engine.lock()) {
      if (!engine.isCurrentLocked(this)) {
        return;
      }
      if (transport == null) {
        // The server can answer before Transport.Factory.open has returned (OkHttp reads on its
        // own thread): take the transport from the callback, or the CONNECT reply to this open
        // packet would have nothing to be written on.
        transport = reading;
      }
      try {
        onFrame(f);
      } catch (RuntimeException e) {
        // A bug or an unexpected payload: report it and reset the connection, never kill the
        // reader thread.
        engine.callbacks.enqueue(() -> engine.errors.safeHandle("realtime frame handling", e));
        engine.transportLost(this, DisconnectReason.PARSE_ERROR, "error handling a frame: " + e, e);
      }
    }
    engine.callbacks.flush();
  }

  private void protocolError(RealtimeException e) {
    synchronized (engine.lock()) {
      if (!engine.isCurrentLocked(this)) {
        return;
      }
      engine.callbacks.enqueue(() -> engine.errors.safeHandle(engine.errorContext, e));
      engine.transportLost(
          this,
          DisconnectReason.PARSE_ERROR,
          e instanceof MessageTooLargeException ? "message too large" : "protocol error",
          e);
    }
    engine.callbacks.flush();
  }

  // ---------------------------------------------------------------- frames, under the lock
  // (inbound stage)

  private void onFrame(Frame f) {
    if (f instanceof Frame.Open o) {
      if (open != null) {
        // One open packet per Engine.IO session; answering a second with another CONNECT would
        // let a misbehaving server drive the client round a connect loop.
        throw new ProtocolException("a second Engine.IO open packet on the same connection");
      }
      open = o;
      lastPingNanos = engine.clock().nanoTime();
      armHeartbeat(o.pingInterval().plus(o.pingTimeout()));
      engine.opened(this, o);
    } else if (f instanceof Frame.Close) {
      engine.transportLost(
          this, DisconnectReason.TRANSPORT_CLOSE, "transport close (server sent close)", null);
    } else if (f instanceof Frame.Message m) {
      Packet p = m.packet();
      Session s = sessions.get(p.namespace());
      if (s != null && s.client.isCurrentLocked(s)) {
        s.onPacket(p, messageSize);
      }
    } else if (f instanceof Frame.Event e) {
      Session s = sessions.get(e.namespace());
      if (s != null && s.client.isCurrentLocked(s)) {
        s.onEvent(e, messageSize);
      }
    }
  }

  // ---------------------------------------------------------------- timers

  private void armHeartbeat(Duration delay) {
    heartbeat = engine.scheduler().schedule(delay, this::checkHeartbeat);
  }

  private void checkHeartbeat() {
    synchronized (engine.lock()) {
      Frame.Open o = open;
      if (!engine.isCurrentLocked(this) || o == null) {
        return;
      }
      long limit = o.pingInterval().plus(o.pingTimeout()).toNanos();
      long waited = engine.clock().nanoTime() - lastPingNanos;
      if (waited >= limit) {
        engine.transportLost(this, DisconnectReason.PING_TIMEOUT, "ping timeout", null);
      } else {
        armHeartbeat(Duration.ofNanos(limit - waited));
      }
    }
    engine.callbacks.flush();
  }

  /** No namespace connected in time: the server accepted the socket but is silent. */
  private void handshakeTimedOut() {
    synchronized (engine.lock()) {
      if (!engine.isCurrentLocked(this) || anyConnected) {
        return;
      }
      engine.transportLost(
          this,
          DisconnectReason.CONNECT_ERROR,
          "connect timeout: no CONNECT reply within " + engine.options.connectTimeout(),
          null);
    }
    engine.callbacks.flush();
  }
}

package dev.quarry.realtime.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.core.Clock;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.Registration;
import dev.quarry.core.Scheduler;
import dev.quarry.core.internal.Redaction;
import dev.quarry.realtime.AckingListener;
import dev.quarry.realtime.AnyListener;
import dev.quarry.realtime.ArgsListener;
import dev.quarry.realtime.ConnectErrorException;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.DisconnectReason;
import dev.quarry.realtime.EventListener;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicStatus;
import dev.quarry.realtime.TopicSubscription;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One namespace of a {@link RealRealtimeConnection}: its state, listeners, topics, send buffer,
 * acks and recovery state (pid and offset). All state is guarded by the connection's lock; user
 * code (listeners, the routing rule, future completions, the error handler) is queued on {@link
 * #callbacks} under the lock and run after it is released. The auth supplier is called outside the
 * lock.
 *
 * <p>A client made with {@link #RealRealtimeClient(RealtimeOptions)} is the only namespace of a
 * connection of its own, which it closes when it closes.
 */
public final class RealRealtimeClient implements RealtimeClient {
  private final RealRealtimeConnection engine;
  private final Object lock;
  final RealtimeOptions options;
  final ObjectMapper mapper;
  private final PacketCodec codec;
  private final Clock clock;
  private final Scheduler scheduler;
  final ErrorHandler errors;

  /** How error reports name this client (its endpoint redacted). */
  final String errorContext;

  final Callbacks callbacks;
  private final DeliveryStats stats = new DeliveryStats();
  private final String nsp;
  final Listeners listeners;
  final AnyListeners anyListeners;
  final Topics topics;

  // guarded by lock
  private ConnectionState state = ConnectionState.DISCONNECTED;
  private @Nullable Session session;
  private @Nullable String pid;
  private @Nullable String offset;
  private boolean everConnected;
  private @Nullable String sid;
  private boolean recovered;

  /** This namespace's own CONNECT retries, while other namespaces keep the connection up. */
  private final NamespaceRetry retry;

  final Outbound outbound;
  final AtLeastOnce atLeastOnce;
  private final Emits emits;

  /** Creates a client with OkHttp transports, the only namespace of a connection of its own. */
  public RealRealtimeClient(RealtimeOptions options) {
    this(options, null);
  }

  RealRealtimeClient(RealtimeOptions options, Transport.@Nullable Factory transportFactory) {
    this(new RealRealtimeConnection(options, transportFactory), options, true);
  }

  /** A namespace of {@code engine}; {@code options} name the namespace and its auth. */
  RealRealtimeClient(RealRealtimeConnection engine, RealtimeOptions options) {
    this(engine, options, false);
  }

  private RealRealtimeClient(
      RealRealtimeConnection engine, RealtimeOptions options, boolean register) {
    this.engine = engine;
    this.lock = engine.lock();
    this.options = options;
    this.mapper = options.objectMapper();
    this.codec = engine.codec();
    this.clock = engine.clock();
    this.errors = engine.errors;
    this.nsp = options.namespace();
    this.scheduler = engine.scheduler();
    this.callbacks = engine.callbacks;
    this.errorContext =
        nsp.equals("/") ? engine.errorContext : engine.errorContext + " namespace " + nsp;
    this.listeners = new Listeners(this);
    this.anyListeners = new AnyListeners(this);
    this.topics = new Topics(this);
    this.outbound = new Outbound(this, codec);
    this.atLeastOnce = new AtLeastOnce(this);
    this.emits = new Emits(this);
    this.retry = new NamespaceRetry(this, engine, options, scheduler, lock);
    if (register) {
      engine.adopt(this);
    }
  }

  Object lock() {
    return lock;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void connect() {
    synchronized (lock) {
      if (state == ConnectionState.CLOSED) {
        throw new IllegalStateException("realtime client for " + describe() + " is closed");
      }
      if (state != ConnectionState.DISCONNECTED) {
        return;
      }
      retry.reset();
      setState(new ConnectionEvent.Connecting());
    }
    callbacks.flush();
    engine.join(this);
  }

  /** The endpoint, and the namespace unless it is "/", for messages. */
  private String describe() {
    String url = Redaction.url(options.uri());
    return nsp.equals("/") ? url : url + " namespace " + nsp;
  }

  @Override
  public ConnectionState state() {
    synchronized (lock) {
      return state;
    }
  }

  @Override
  public @Nullable String id() {
    synchronized (lock) {
      return sid;
    }
  }

  @Override
  public boolean isConnected() {
    synchronized (lock) {
      return connectedLocked() != null;
    }
  }

  @Override
  public boolean recovered() {
    synchronized (lock) {
      return sid != null && recovered;
    }
  }

  @Override
  public Registration onConnectionEvent(Consumer<? super ConnectionEvent> listener) {
    return listeners.addStateListener(listener);
  }

  /** Enters {@code event}'s state and queues it for the state listeners; under the lock. */
  void setState(ConnectionEvent event) {
    state = event.state();
    listeners.stateChanged(event);
  }

  /** Whether this namespace wants the connection (connecting, connected, reconnecting). */
  boolean isActiveLocked() {
    return state == ConnectionState.CONNECTING
        || state == ConnectionState.CONNECTED
        || state == ConnectionState.RECONNECTING;
  }

  /**
   * This namespace's session on the current connection, if its CONNECT was sent; under the lock.
   */
  @Nullable Session session() {
    return session;
  }

  /** The auth object of the next CONNECT; called without the lock (the supplier is user code). */
  ObjectNode authNode() {
    Object value = options.auth().get();
    JsonNode node = value == null ? mapper.createObjectNode() : mapper.valueToTree(value);
    if (!(node instanceof ObjectNode o)) {
      throw new IllegalArgumentException(
          "the auth supplier must return something written as a JSON object, got " + node);
    }
    return o;
  }

  /** Sends this namespace's CONNECT on {@code conn}; under the lock. */
  void startSession(Conn conn, ObjectNode auth) {
    Session s = new Session(this, conn);
    session = s;
    conn.sessions.put(nsp, s);
    s.start(auth);
  }

  /** Ends {@code s} (its connection ended or the namespace left it); under the lock. */
  void sessionEnded(Session s, String reason) {
    if (session != s) {
      return;
    }
    session = null;
    sid = null;
    s.stop();
    if (s.conn.sessions.get(nsp) == s) {
      s.conn.sessions.remove(nsp);
    }
    outbound.connectionEnded(s, reason);
  }

  /** The connection is being reopened; under the lock. */
  void engineReconnecting(ConnectionEvent.Reconnecting event) {
    retry.cancel();
    retry.reset();
    setState(event);
  }

  /** The connection gave up reconnecting; under the lock. */
  void engineGaveUp(ConnectionEvent.Disconnected event) {
    retry.cancel();
    setState(event);
  }

  /** Enters DISCONNECTED for {@code reason}; under the lock. */
  void setDisconnected(DisconnectReason reason, String detail, @Nullable Throwable cause) {
    retry.cancel();
    setState(new ConnectionEvent.Disconnected(reason, detail, Optional.ofNullable(cause)));
  }

  /**
   * This namespace failed while others keep the connection: it sends its CONNECT again after its
   * own backoff, on the same connection; under the lock.
   */
  void retryLater(DisconnectReason reason, String detail, @Nullable Throwable cause) {
    retry.later(reason, detail, cause);
  }

  /**
   * This namespace failed on {@code s}: alone on the connection, the connection ends as a whole
   * (and reconnects if {@code retry}); otherwise the namespace alone leaves it, and retries on its
   * own if {@code retry}. Under the lock.
   */
  private void failed(
      Session s,
      DisconnectReason reason,
      String detail,
      @Nullable Throwable cause,
      boolean retry,
      boolean failedAttempt) {
    if (!engine.othersActiveLocked(this)) {
      engine.namespaceFailedAlone(s, reason, detail, cause, retry, failedAttempt);
      return;
    }
    sessionEnded(s, detail);
    if (retry) {
      retryLater(reason, detail, cause);
    } else {
      setDisconnected(reason, detail, cause);
    }
  }

  @Override
  public void disconnect() {
    synchronized (lock) {
      if (state == ConnectionState.CLOSED || state == ConnectionState.DISCONNECTED) {
        return;
      }
      leave(DisconnectReason.IO_CLIENT_DISCONNECT.text());
      // As in socket.io, a session left on purpose is not recovered: the next connect() opens a
      // new one, subscribes every topic again and reports a gap for each.
      pid = null;
      offset = null;
      setState(
          new ConnectionEvent.Disconnected(
              DisconnectReason.IO_CLIENT_DISCONNECT, "disconnect() called", Optional.empty()));
      engine.leaveIfIdle("namespace " + nsp + " disconnected");
    }
    callbacks.flush();
  }

  /**
   * Cancels a pending retry and ends this namespace's session, telling the server first if the
   * namespace is connected; under the lock.
   */
  private void leave(String reason) {
    retry.cancel();
    Session s = session;
    if (s != null) {
      if (s.nspConnected && s.conn.transport != null) {
        s.conn.transport.send(
            codec.encode(new Packet(Packet.Type.DISCONNECT, nsp, -1, null)).text());
      }
      sessionEnded(s, reason);
    }
  }

  @Override
  public void close() {
    boolean release;
    Conn last;
    synchronized (lock) {
      if (state == ConnectionState.CLOSED) {
        return;
      }
      atLeastOnce.closed();
      Session s = session;
      last = s == null ? null : s.conn;
      leave("client closed");
      outbound.closed();
      topics.closed();
      setState(new ConnectionEvent.Closed());
      release = engine.namespaceClosed(this);
    }
    callbacks.flush();
    if (release) {
      engine.release(last);
    }
  }

  // ---------------------------------------------------------------- session (called by Session)

  /**
   * Adds {@code pid} and {@code offset} to the CONNECT data if recovery is possible; under the
   * lock. Returns the pid sent, if any.
   */
  @Nullable String addRecoveryData(ObjectNode data) {
    if (options.recovery() && pid != null && offset != null) {
      data.put("pid", pid);
      data.put("offset", offset);
      return pid;
    }
    return null;
  }

  /**
   * The recovery session id of the last CONNECT reply, if the server offers recovery; under the
   * lock.
   */
  @Nullable String recoveryPid() {
    return pid;
  }

  /** Records the recovery offset carried by an event; under the lock. */
  void recordOffset(String value) {
    offset = value;
  }

  /** The namespace connected on {@code s}; under the lock. */
  void namespaceConnected(Session s, String sid, @Nullable String newPid) {
    boolean recovered = s.pidSent != null && s.pidSent.equals(newPid);
    if (!recovered) {
      offset = null;
    }
    pid = newPid;
    this.sid = sid;
    this.recovered = recovered;
    retry.reset();
    boolean reconnect = everConnected;
    everConnected = true;
    setState(new ConnectionEvent.Connected(sid, recovered, reconnect, s.conn.endpoint));
    s.deliverEarlyEvents();
    topics.onConnected(recovered, reconnect);
    outbound.flush(s);
  }

  /** The server refused the namespace on {@code s}; under the lock. */
  void connectRefused(Session s, String message, ConnectErrorException e) {
    failed(
        s,
        DisconnectReason.CONNECT_ERROR,
        "connect error: " + message,
        e,
        options.reconnectAfterConnectError(),
        true);
  }

  /** The server disconnected the namespace on {@code s}; under the lock. */
  void serverDisconnected(Session s) {
    DisconnectReason reason = DisconnectReason.IO_SERVER_DISCONNECT;
    failed(s, reason, reason.text(), null, options.reconnectAfterServerDisconnect(), false);
  }

  /** The CONNECT on {@code s} got no reply in time; under the lock. */
  void connectTimedOut(Session s) {
    String detail = "connect timeout: no CONNECT reply within " + options.connectTimeout();
    if (!engine.othersActiveLocked(this)) {
      s.conn.lost(DisconnectReason.CONNECT_ERROR, detail, null);
      return;
    }
    sessionEnded(s, detail);
    retryLater(DisconnectReason.CONNECT_ERROR, detail, null);
  }

  /**
   * Queues delivery of an event of {@code size} bytes to the listeners and the topics; under the
   * lock. False if the event lane is full: nothing was queued. The arguments are read into nodes,
   * if anything needs nodes, on the event lane.
   */
  boolean dispatch(String name, EventArgs args, dev.quarry.realtime.@Nullable Ack ack, long size) {
    stats.received();
    List<Listeners.ListenerEntry<Listeners.Delivery>> targets = listeners.of(name);
    boolean toListeners = targets != null || anyListeners.hasIncoming();
    List<Topics.Entry> routed = topics.listened();
    boolean toTopics = !routed.isEmpty();
    if (!toListeners && !toTopics) {
      return true;
    }
    if (!callbacks.admit(size)) {
      stats.dropped();
      return false;
    }
    try {
      if (toListeners) {
        anyListeners.incoming(name, args);
        if (targets != null) {
          listeners.dispatch(targets, name, args, ack);
        }
      }
      if (toTopics) {
        topics.route(name, args, routed);
      }
    } finally {
      // one lane task for the event's deliveries, then its release: also if routing failed
      callbacks.releaseAfter(size);
    }
    return true;
  }

  // ---------------------------------------------------------------- outgoing

  static void checkEventName(String event) {
    if (event.isEmpty()) {
      throw new IllegalArgumentException("event name must not be empty");
    }
    if (RealtimeOptions.RESERVED_EVENTS.contains(event)) {
      throw new IllegalArgumentException(
          "'"
              + event
              + "' is a reserved Socket.IO event name and cannot be emitted or listened to");
    }
  }

  ArrayNode toArgs(Object... args) {
    ArrayNode arr = mapper.createArrayNode();
    for (Object a : args) {
      try {
        arr.add(a == null ? NullNode.getInstance() : mapper.valueToTree(a));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("cannot write argument as JSON: " + e.getMessage(), e);
      }
    }
    return arr;
  }

  @Override
  public void emit(String event, Object... args) {
    emits.emit(event, args);
  }

  @Override
  public boolean emitVolatile(String event, Object... args) {
    return emits.emitVolatile(event, args);
  }

  @Override
  public CompletableFuture<ArrayNode> emitWithAck(String event, Object... args) {
    return emits.emitWithAck(event, args);
  }

  @Override
  public CompletableFuture<ArrayNode> emitWithAck(String event, Duration timeout, Object... args) {
    return emits.emitWithAck(event, timeout, args);
  }

  @Override
  public <T> CompletableFuture<T> emitWithAck(
      String event, Class<T> type, Duration timeout, Object... args) {
    return emits.decodeFirst(emits.emitWithAck(event, timeout, args), mapper.constructType(type));
  }

  @Override
  public <T> CompletableFuture<T> emitWithAck(String event, Class<T> type, Object... args) {
    return emits.decodeFirst(emits.emitWithAck(event, args), mapper.constructType(type));
  }

  @Override
  public <T> CompletableFuture<T> emitWithAck(String event, TypeReference<T> type, Object... args) {
    return emits.decodeFirst(
        emits.emitWithAck(event, args), mapper.getTypeFactory().constructType(type));
  }

  @Override
  public <T> CompletableFuture<T> emitWithAck(
      String event, TypeReference<T> type, Duration timeout, Object... args) {
    return emits.decodeFirst(
        emits.emitWithAck(event, timeout, args), mapper.getTypeFactory().constructType(type));
  }

  /** Encodes and writes a control packet (CONNECT, ACK, subscriptions); under the lock. */
  void send(Session s, Packet p) {
    write(s, codec.encode(p));
  }

  /** Writes encoded frames on the session's connection; under the lock. */
  void write(Session s, PacketCodec.Encoded enc) {
    s.conn.write(enc);
  }

  /** Sends an event on the current session if the namespace is connected; under the lock. */
  boolean sendIfConnected(Packet p) {
    Session s = session;
    if (s != null && s.nspConnected) {
      send(s, p);
      anyListeners.outgoing(p.data());
      return true;
    }
    return false;
  }

  boolean isConnectedLocked() {
    Session s = session;
    return s != null && s.nspConnected;
  }

  /** The current session if the namespace is connected; under the lock. */
  @Nullable Session connectedLocked() {
    Session s = session;
    return s != null && s.nspConnected && state == ConnectionState.CONNECTED ? s : null;
  }

  boolean isCurrentLocked(Session s) {
    return session == s;
  }

  boolean isClosedLocked() {
    return state == ConnectionState.CLOSED;
  }

  /** The after-close contract: a listener added after {@code close()} is refused. */
  private void requireOpen(String what) {
    synchronized (lock) {
      if (state == ConnectionState.CLOSED) {
        throw new IllegalStateException(
            "cannot " + what + ": realtime client for " + describe() + " is closed");
      }
    }
  }

  String namespace() {
    return nsp;
  }

  Clock clock() {
    return clock;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  // ---------------------------------------------------------------- listeners

  @Override
  public <T> Registration on(String event, Class<T> type, EventListener<? super T> listener) {
    checkEventName(event);
    requireOpen("listen to '" + event + "'");
    return listeners.add(event, mapper.constructType(type), listener);
  }

  @Override
  public <T> Registration on(
      String event, TypeReference<T> type, EventListener<? super T> listener) {
    checkEventName(event);
    requireOpen("listen to '" + event + "'");
    return listeners.add(event, mapper.getTypeFactory().constructType(type), listener);
  }

  @Override
  public Registration onArgs(String event, Consumer<? super List<JsonNode>> listener) {
    checkEventName(event);
    requireOpen("listen to '" + event + "'");
    return listeners.addRaw(event, listener);
  }

  @Override
  public Registration onArgs(String event, ArgsListener listener) {
    checkEventName(event);
    requireOpen("listen to '" + event + "'");
    return listeners.addArgs(event, listener);
  }

  @Override
  public Registration onAny(AnyListener listener) {
    requireOpen("listen to any event");
    return anyListeners.addIncoming(listener);
  }

  @Override
  public Registration onAnyOutgoing(AnyListener listener) {
    requireOpen("listen to any outgoing event");
    return anyListeners.addOutgoing(listener);
  }

  @Override
  public <T> Registration onAck(String event, Class<T> type, AckingListener<? super T> listener) {
    checkEventName(event);
    requireOpen("listen to '" + event + "'");
    return listeners.addAcking(event, mapper.constructType(type), listener);
  }

  @Override
  public <T> Registration onRequest(String event, Class<T> type, Function<? super T, ?> responder) {
    checkEventName(event);
    requireOpen("listen to '" + event + "'");
    return listeners.addAcking(
        event,
        mapper.constructType(type),
        (T payload, dev.quarry.realtime.Ack ack) -> {
          Object reply = responder.apply(payload);
          if (reply == null) {
            ack.send();
          } else {
            ack.send(reply);
          }
        });
  }

  @Override
  public TopicSubscription subscribe(Topic topic) {
    TopicSubscription sub;
    synchronized (lock) {
      if (state == ConnectionState.CLOSED) {
        throw new IllegalStateException(
            "cannot subscribe to " + topic + ": realtime client for " + describe() + " is closed");
      }
      sub = topics.subscribe(topic);
    }
    callbacks.flush();
    return sub;
  }

  @Override
  public List<TopicStatus> topics() {
    synchronized (lock) {
      return state == ConnectionState.CLOSED ? List.of() : topics.snapshot();
    }
  }

  @Override
  public dev.quarry.realtime.RealtimeStats stats() {
    return stats.snapshot(callbacks);
  }

  /** Pending acks (for tests). */
  int pendingAcks() {
    synchronized (lock) {
      return outbound.pendingAcks();
    }
  }

  /** Buffered packets (for tests). */
  int buffered() {
    synchronized (lock) {
      return outbound.buffered();
    }
  }
}

package dev.quarry.realtime.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.core.Cancellable;
import dev.quarry.core.Clock;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.Registration;
import dev.quarry.core.Scheduler;
import dev.quarry.core.internal.Redaction;
import dev.quarry.core.internal.SubsystemErrors;
import dev.quarry.realtime.AckingListener;
import dev.quarry.realtime.AnyListener;
import dev.quarry.realtime.ArgsListener;
import dev.quarry.realtime.ConnectErrorException;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.DeliveryOverflowException;
import dev.quarry.realtime.DisconnectReason;
import dev.quarry.realtime.EventListener;
import dev.quarry.realtime.MessageTooLargeException;
import dev.quarry.realtime.ProtocolException;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicStatus;
import dev.quarry.realtime.TopicSubscription;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's state machine. All state is guarded by {@link #lock}; user code (listeners, the
 * routing rule, future completions, the error handler) is queued on {@link #callbacks} under the
 * lock and run after it is released. The auth supplier is called outside the lock.
 */
public final class RealRealtimeClient implements RealtimeClient {
  private final Object lock = new Object();
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
  private final Transport.Factory transports;
  private final String nsp;
  final Listeners listeners;
  final AnyListeners anyListeners;
  final Topics topics;
  private final ClientResources resources;

  // guarded by lock
  private ConnectionState state = ConnectionState.DISCONNECTED;
  private @Nullable Conn current;
  private int attempt;
  private int endpointIndex;
  private @Nullable Cancellable reconnectTimer;
  private @Nullable String pid;
  private @Nullable String offset;
  private boolean everConnected;
  private @Nullable String sid;
  private boolean recovered;
  final Outbound outbound;
  final AtLeastOnce atLeastOnce;
  private final Emits emits;

  /** Creates a client with OkHttp transports. */
  public RealRealtimeClient(RealtimeOptions options) {
    this(options, null);
  }

  RealRealtimeClient(RealtimeOptions options, Transport.@Nullable Factory transportFactory) {
    this.options = options;
    this.mapper = options.objectMapper();
    this.codec = new PacketCodec(mapper);
    this.clock = options.clock();
    this.errors = SubsystemErrors.of(options.errorHandler(), "dev.quarry.realtime");
    this.nsp = options.namespace();
    this.resources = new ClientResources(options, transportFactory);
    this.scheduler = resources.scheduler;
    this.callbacks = resources.callbacks;
    this.transports = resources.transports;
    this.errorContext = resources.errorContext;
    this.listeners = new Listeners(this);
    this.anyListeners = new AnyListeners(this);
    this.topics = new Topics(this);
    this.outbound = new Outbound(this, codec);
    this.atLeastOnce = new AtLeastOnce(this);
    this.emits = new Emits(this);
  }

  Object lock() {
    return lock;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void connect() {
    synchronized (lock) {
      if (state == ConnectionState.CLOSED) {
        throw new IllegalStateException(
            "realtime client for " + Redaction.url(options.uri()) + " is closed");
      }
      if (state != ConnectionState.DISCONNECTED) {
        return;
      }
      attempt = 0;
      setState(new ConnectionEvent.Connecting());
    }
    callbacks.flush();
    openTransport();
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

  private void setState(ConnectionEvent event) {
    state = event.state();
    listeners.stateChanged(event);
  }

  /** The endpoint of the current or next attempt; under the lock. */
  private URI endpoint() {
    return options.endpoints().get(endpointIndex);
  }

  private static String url(URI endpoint, RealtimeOptions options) {
    String base = endpoint.toString();
    String scheme = endpoint.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (scheme.equals("ws")) {
      base = "http" + base.substring(2);
    } else if (scheme.equals("wss")) {
      base = "https" + base.substring(3);
    }
    HttpUrl parsed = HttpUrl.get(base);
    HttpUrl.Builder b = parsed.newBuilder().encodedPath(options.path());
    b.addQueryParameter("EIO", "4").addQueryParameter("transport", "websocket");
    options.queryParams().forEach(b::addQueryParameter);
    return b.build().toString();
  }

  /** Opens a new transport; called without the lock (the auth supplier is user code). */
  private void openTransport() {
    ObjectNode auth;
    try {
      Object value = options.auth().get();
      JsonNode node = value == null ? mapper.createObjectNode() : mapper.valueToTree(value);
      if (!(node instanceof ObjectNode o)) {
        throw new IllegalArgumentException(
            "the auth supplier must return something written as a JSON object, got " + node);
      }
      auth = o;
    } catch (RuntimeException e) {
      synchronized (lock) {
        if (state == ConnectionState.CLOSED || current != null) {
          return;
        }
        callbacks.enqueue(() -> errors.safeHandle("realtime auth supplier", e));
        scheduleReconnect(DisconnectReason.CONNECT_ERROR, "auth supplier failed", e, false);
      }
      callbacks.flush();
      return;
    }
    Conn conn;
    URI target;
    synchronized (lock) {
      if (state != ConnectionState.CONNECTING && state != ConnectionState.RECONNECTING) {
        return;
      }
      if (current != null) {
        return;
      }
      target = endpoint();
      conn =
          new Conn(
              this,
              codec.newDecoder(options.maxIncomingMessageBytes(), options.maxIncomingAttachments()),
              auth,
              target);
      current = conn;
      conn.startHandshakeDeadline();
    }
    Transport t;
    try {
      t = transports.open(url(target, options), options.headers(), conn);
    } catch (RuntimeException e) {
      conn.onEnd(null, "cannot open transport: " + e, e);
      return;
    }
    boolean stale;
    synchronized (lock) {
      conn.transport = t;
      stale = current != conn;
    }
    if (stale) {
      t.cancel();
    }
  }

  /**
   * Schedules the next attempt; under the lock. {@code failedAttempt}: the connection ended before
   * its namespace connected, so the next attempt goes to the next endpoint.
   */
  private void scheduleReconnect(
      DisconnectReason reason, String detail, @Nullable Throwable cause, boolean failedAttempt) {
    if (failedAttempt) {
      endpointIndex = (endpointIndex + 1) % options.endpoints().size();
    }
    if (attempt >= options.maxReconnectAttempts()) {
      setState(
          new ConnectionEvent.Disconnected(
              reason,
              "gave up after " + attempt + " reconnect attempts; last: " + detail,
              Optional.ofNullable(cause)));
      return;
    }
    Duration delay = options.reconnectBackoff().delay(attempt, options.random());
    attempt++;
    if (DebugLog.LOG.isDebugEnabled()) {
      DebugLog.LOG.debug(
          "reconnect attempt {} to {} in {} ms: {}",
          attempt,
          Redaction.url(endpoint()),
          delay.toMillis(),
          cause == null ? detail : detail + " (" + cause.getClass().getSimpleName() + ")");
    }
    setState(
        new ConnectionEvent.Reconnecting(
            attempt, delay, reason, detail, Optional.ofNullable(cause), endpoint()));
    reconnectTimer = scheduler.schedule(delay, this::reconnectNow);
  }

  /** Reconnect attempts at DEBUG; loaded when the first reconnect is scheduled. */
  private static final class DebugLog {
    static final Logger LOG = LoggerFactory.getLogger("dev.quarry.realtime");

    private DebugLog() {}
  }

  private void reconnectNow() {
    synchronized (lock) {
      if (state != ConnectionState.RECONNECTING || current != null) {
        return;
      }
      reconnectTimer = null;
      if (!callbacks.drained()) {
        // The listeners are behind (the connection was dropped because they were): connect again
        // once they have taken half of what waits for them, so a stuck listener does not make the
        // client reconnect and overflow in a loop. The check runs on the scheduler, never on the
        // callback executor.
        callbacks.whenDrained(
            () -> {
              synchronized (lock) {
                if (state != ConnectionState.RECONNECTING) {
                  return;
                }
              }
              scheduler.schedule(Duration.ZERO, this::reconnectNow);
            });
        return;
      }
    }
    openTransport();
  }

  /** Ends {@code conn}; under the lock. */
  private void endConnection(Conn conn, String reason, boolean cancel) {
    current = null;
    sid = null;
    conn.stopTimers();
    Transport t = conn.transport;
    if (t != null) {
      if (cancel) {
        t.cancel();
      } else {
        t.close(1000, "");
      }
    }
    outbound.connectionEnded(conn, reason);
  }

  void transportLost(Conn conn, DisconnectReason reason, String detail, @Nullable Throwable cause) {
    if (conn != current) {
      return;
    }
    if (conn.nspConnected
        && (cause instanceof ProtocolException
            || cause instanceof MessageTooLargeException
            || cause instanceof DeliveryOverflowException)) {
      // The connection worked but the server (or our own listeners) cannot be kept up with: count
      // it as a failed attempt, so the backoff grows and maxReconnectAttempts applies, instead of
      // reconnecting at the first delay for ever.
      attempt = conn.attemptsBeforeConnect;
    }
    endConnection(conn, detail, true);
    scheduleReconnect(
        conn.nspConnected ? reason : DisconnectReason.CONNECT_ERROR,
        detail,
        cause,
        !conn.nspConnected);
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
    }
    callbacks.flush();
  }

  /**
   * Cancels a pending reconnect and ends the current connection, telling the server first if its
   * namespace is connected; under the lock. Returns the connection that was current, if any.
   */
  private @Nullable Conn leave(String reason) {
    Cancellable timer = reconnectTimer;
    if (timer != null) {
      timer.cancel();
    }
    reconnectTimer = null;
    Conn conn = current;
    if (conn != null) {
      if (conn.nspConnected && conn.transport != null) {
        conn.transport.send(codec.encode(new Packet(Packet.Type.DISCONNECT, nsp, -1, null)).text());
      }
      endConnection(conn, reason, false);
    }
    return conn;
  }

  @Override
  public void close() {
    Conn conn;
    synchronized (lock) {
      if (state == ConnectionState.CLOSED) {
        return;
      }
      atLeastOnce.closed();
      conn = leave("client closed");
      outbound.closed();
      topics.closed();
      setState(new ConnectionEvent.Closed());
    }
    callbacks.flush();
    resources.release(conn == null ? null : conn.transport);
  }

  // ---------------------------------------------------------------- session (called by Conn)

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

  /** The namespace of {@code conn} connected; under the lock. */
  void namespaceConnected(Conn conn, String sid, @Nullable String newPid) {
    boolean recovered = conn.pidSent != null && conn.pidSent.equals(newPid);
    if (!recovered) {
      offset = null;
    }
    pid = newPid;
    this.sid = sid;
    this.recovered = recovered;
    conn.attemptsBeforeConnect = attempt;
    attempt = 0;
    boolean reconnect = everConnected;
    everConnected = true;
    setState(new ConnectionEvent.Connected(sid, recovered, reconnect, conn.endpoint));
    conn.deliverEarlyEvents();
    topics.onConnected(recovered, reconnect);
    outbound.flush(conn);
  }

  /** The server refused the namespace on {@code conn}; under the lock. */
  void connectRefused(Conn conn, String message, ConnectErrorException e) {
    endConnection(conn, "connect error: " + message, false);
    if (options.reconnectAfterConnectError()) {
      scheduleReconnect(DisconnectReason.CONNECT_ERROR, "connect error: " + message, e, true);
    } else {
      setState(
          new ConnectionEvent.Disconnected(
              DisconnectReason.CONNECT_ERROR, "connect error: " + message, Optional.of(e)));
    }
  }

  /** The server disconnected the namespace on {@code conn}; under the lock. */
  void serverDisconnected(Conn conn) {
    DisconnectReason reason = DisconnectReason.IO_SERVER_DISCONNECT;
    endConnection(conn, reason.text(), false);
    if (options.reconnectAfterServerDisconnect()) {
      scheduleReconnect(reason, reason.text(), null, false);
    } else {
      setState(new ConnectionEvent.Disconnected(reason, reason.text(), Optional.empty()));
    }
  }

  /**
   * Queues delivery of an event of {@code size} bytes to the listeners and the topics; under the
   * lock. False if the event lane is full: nothing was queued.
   */
  boolean dispatch(
      String name, List<JsonNode> args, dev.quarry.realtime.@Nullable Ack ack, long size) {
    stats.received();
    boolean toListeners = listeners.has(name) || anyListeners.hasIncoming();
    boolean toTopics = topics.hasActive();
    if (!toListeners && !toTopics) {
      return true;
    }
    if (!callbacks.admit(size)) {
      stats.dropped();
      return false;
    }
    if (toListeners) {
      anyListeners.incoming(name, args);
      listeners.dispatch(name, args, ack);
    }
    if (toTopics) {
      topics.route(name, args);
    }
    callbacks.releaseAfter(size);
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
    return emits.decodeFirst(emitWithAck(event, timeout, args), mapper.constructType(type));
  }

  @Override
  public <T> CompletableFuture<T> emitWithAck(String event, Class<T> type, Object... args) {
    return emits.decodeFirst(emitWithAck(event, args), mapper.constructType(type));
  }

  @Override
  public <T> CompletableFuture<T> emitWithAck(String event, TypeReference<T> type, Object... args) {
    return emits.decodeFirst(emitWithAck(event, args), mapper.getTypeFactory().constructType(type));
  }

  @Override
  public <T> CompletableFuture<T> emitWithAck(
      String event, TypeReference<T> type, Duration timeout, Object... args) {
    return emits.decodeFirst(
        emitWithAck(event, timeout, args), mapper.getTypeFactory().constructType(type));
  }

  /** Encodes and writes a control packet (CONNECT, ACK, subscriptions); under the lock. */
  void send(Conn conn, Packet p) {
    write(conn, codec.encode(p));
  }

  /** Writes encoded frames on the connection; under the lock. */
  void write(Conn conn, PacketCodec.Encoded enc) {
    Transport t = conn.transport;
    if (t == null) {
      return;
    }
    t.send(enc.text());
    for (byte[] b : enc.attachments()) {
      t.send(b);
    }
  }

  /** Sends an event on the current connection if the namespace is connected; under the lock. */
  boolean sendIfConnected(Packet p) {
    Conn conn = current;
    if (conn != null && conn.nspConnected) {
      send(conn, p);
      anyListeners.outgoing(p.data());
      return true;
    }
    return false;
  }

  boolean isConnectedLocked() {
    Conn conn = current;
    return conn != null && conn.nspConnected;
  }

  /** The current connection if its namespace is connected; under the lock. */
  @Nullable Conn connectedLocked() {
    Conn conn = current;
    return conn != null && conn.nspConnected && state == ConnectionState.CONNECTED ? conn : null;
  }

  boolean isCurrentLocked(Conn conn) {
    return current == conn;
  }

  boolean isClosedLocked() {
    return state == ConnectionState.CLOSED;
  }

  /** The after-close contract: a listener added after {@code close()} is refused. */
  private void requireOpen(String what) {
    synchronized (lock) {
      if (state == ConnectionState.CLOSED) {
        throw new IllegalStateException(
            "cannot "
                + what
                + ": realtime client for "
                + Redaction.url(options.uri())
                + " is closed");
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
            "cannot subscribe to "
                + topic
                + ": realtime client for "
                + Redaction.url(options.uri())
                + " is closed");
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

package dev.quarry.realtime.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.core.Cancellable;
import dev.quarry.core.Clock;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.RealScheduler;
import dev.quarry.core.Scheduler;
import dev.quarry.core.Subscription;
import dev.quarry.core.internal.NamedThreadFactory;
import dev.quarry.core.internal.SerialExecutor;
import dev.quarry.realtime.AckingListener;
import dev.quarry.realtime.ConnectErrorException;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.EventListener;
import dev.quarry.realtime.ProtocolException;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicSubscription;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

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
  final SerialExecutor callbacks;
  private final Transport.Factory transports;
  private final String nsp;
  private final Listeners listeners;
  final Topics topics;
  private final @Nullable RealScheduler ownScheduler;
  private final @Nullable ExecutorService ownExecutor;
  private final @Nullable OkHttpClient ownHttp;

  // guarded by lock
  private ConnectionState state = ConnectionState.DISCONNECTED;
  private @Nullable Conn current;
  private int attempt;
  private int endpointIndex;
  private @Nullable Cancellable reconnectTimer;
  private @Nullable String pid;
  private @Nullable String offset;
  private boolean everConnected;
  private final Outbound outbound;

  /** Creates a client with OkHttp transports. */
  public RealRealtimeClient(RealtimeOptions options) {
    this(options, null);
  }

  RealRealtimeClient(RealtimeOptions options, Transport.@Nullable Factory transportFactory) {
    this.options = options;
    this.mapper = options.objectMapper();
    this.codec = new PacketCodec(mapper);
    this.clock = options.clock();
    this.errors = options.errorHandler();
    this.nsp = options.namespace();
    Optional<Scheduler> s = options.scheduler();
    if (s.isPresent()) {
      this.scheduler = s.get();
      this.ownScheduler = null;
    } else {
      RealScheduler rs = RealScheduler.create(errors);
      this.scheduler = rs;
      this.ownScheduler = rs;
    }
    if (options.callbackExecutor().isPresent()) {
      this.ownExecutor = null;
      this.callbacks =
          new SerialExecutor(options.callbackExecutor().get(), errors, "realtime " + options.uri());
    } else {
      ThreadPoolExecutor ex =
          new ThreadPoolExecutor(
              1,
              1,
              0,
              TimeUnit.MILLISECONDS,
              new LinkedBlockingQueue<>(),
              new NamedThreadFactory("realtime-callbacks"));
      this.ownExecutor = ex;
      this.callbacks = new SerialExecutor(ex, errors, "realtime " + options.uri());
    }
    if (transportFactory != null) {
      this.transports = transportFactory;
      this.ownHttp = null;
    } else if (options.httpClient().isPresent()) {
      this.transports = OkHttpTransport.factory(options.httpClient().get());
      this.ownHttp = null;
    } else {
      OkHttpClient http =
          new OkHttpClient.Builder().readTimeout(Duration.ZERO).pingInterval(Duration.ZERO).build();
      this.ownHttp = http;
      this.transports = OkHttpTransport.factory(http);
    }
    this.listeners = new Listeners(this);
    this.topics = new Topics(this);
    this.outbound = new Outbound(this, codec);
  }

  Object lock() {
    return lock;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void connect() {
    synchronized (lock) {
      if (state == ConnectionState.CLOSED) {
        throw new IllegalStateException("realtime client for " + options.uri() + " is closed");
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
  public Subscription onConnectionEvent(Consumer<? super ConnectionEvent> listener) {
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
        scheduleReconnect("auth supplier failed", e, false);
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
      conn = new Conn(codec.newDecoder(), auth, target);
      current = conn;
      Conn attemptConn = conn;
      conn.handshakeDeadline =
          scheduler.schedule(options.connectTimeout(), () -> handshakeTimedOut(attemptConn));
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

  /** The attempt got no CONNECT reply in time: the server accepted the socket but is silent. */
  private void handshakeTimedOut(Conn conn) {
    synchronized (lock) {
      if (conn != current || conn.nspConnected) {
        return;
      }
      transportLost(
          conn, "connect timeout: no CONNECT reply within " + options.connectTimeout(), null);
    }
    callbacks.flush();
  }

  /**
   * Schedules the next attempt; under the lock. {@code failedAttempt}: the connection ended before
   * its namespace connected, so the next attempt goes to the next endpoint.
   */
  private void scheduleReconnect(String reason, @Nullable Throwable cause, boolean failedAttempt) {
    if (failedAttempt) {
      endpointIndex = (endpointIndex + 1) % options.endpoints().size();
    }
    if (attempt >= options.maxReconnectAttempts()) {
      setState(
          new ConnectionEvent.Disconnected(
              "gave up after " + attempt + " reconnect attempts; last: " + reason,
              Optional.ofNullable(cause)));
      return;
    }
    Duration delay = options.reconnectBackoff().delay(attempt, options.random());
    attempt++;
    setState(
        new ConnectionEvent.Reconnecting(
            attempt, delay, reason, Optional.ofNullable(cause), endpoint()));
    reconnectTimer = scheduler.schedule(delay, this::reconnectNow);
  }

  private void reconnectNow() {
    synchronized (lock) {
      if (state != ConnectionState.RECONNECTING || current != null) {
        return;
      }
      reconnectTimer = null;
    }
    openTransport();
  }

  /** Ends {@code conn}; under the lock. */
  private void endConnection(Conn conn, String reason, boolean cancel) {
    current = null;
    Cancellable hb = conn.heartbeat;
    if (hb != null) {
      hb.cancel();
    }
    Cancellable deadline = conn.handshakeDeadline;
    if (deadline != null) {
      deadline.cancel();
    }
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

  private void transportLost(Conn conn, String reason, @Nullable Throwable cause) {
    if (conn != current) {
      return;
    }
    endConnection(conn, reason, true);
    scheduleReconnect(reason, cause, !conn.nspConnected);
  }

  @Override
  public void close() {
    Conn conn;
    synchronized (lock) {
      if (state == ConnectionState.CLOSED) {
        return;
      }
      Cancellable timer = reconnectTimer;
      if (timer != null) {
        timer.cancel();
      }
      reconnectTimer = null;
      conn = current;
      if (conn != null) {
        if (conn.nspConnected && conn.transport != null) {
          conn.transport.send(
              codec.encode(new Packet(Packet.Type.DISCONNECT, nsp, -1, null)).text());
        }
        endConnection(conn, "client closed", false);
      }
      outbound.closed();
      setState(new ConnectionEvent.Closed());
    }
    callbacks.flush();
    releaseResources(conn);
  }

  private void releaseResources(@Nullable Conn conn) {
    if (ownScheduler != null) {
      ownScheduler.close();
    }
    if (ownExecutor != null) {
      ownExecutor.shutdown();
    }
    OkHttpClient http = ownHttp;
    if (http != null) {
      ExecutorService dispatcher = http.dispatcher().executorService();
      dispatcher.shutdown();
      http.connectionPool().evictAll();
      try {
        if (!dispatcher.awaitTermination(2, TimeUnit.SECONDS)) {
          Transport t = conn == null ? null : conn.transport;
          if (t != null) {
            t.cancel();
          }
          dispatcher.awaitTermination(1, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---------------------------------------------------------------- incoming frames

  /** One transport attempt: its decoder, heartbeat and what was sent on it. */
  final class Conn implements Transport.Listener {
    final PacketCodec.Decoder decoder;
    final ObjectNode auth;
    final URI endpoint;
    @Nullable Transport transport;
    Frame.@Nullable Open open;
    boolean nspConnected;
    @Nullable String pidSent;
    @Nullable Cancellable heartbeat;
    @Nullable Cancellable handshakeDeadline;
    volatile long lastPingNanos;
    final List<Incoming> early = new ArrayList<>();

    Conn(PacketCodec.Decoder decoder, ObjectNode auth, URI endpoint) {
      this.decoder = decoder;
      this.auth = auth;
      this.endpoint = endpoint;
    }

    /** The server's maxPayload on this connection (unbounded before the open packet). */
    long maxPayload() {
      Frame.Open o = open;
      return o == null ? Long.MAX_VALUE : o.maxPayload();
    }

    @Override
    public void onText(Transport t, String text) {
      Frame f;
      try {
        f = decoder.decodeText(text);
      } catch (ProtocolException e) {
        protocolError(this, e);
        return;
      }
      if (f instanceof Frame.Ping) {
        // Answered here, before anything else: a pong never waits for the lock or a listener.
        lastPingNanos = clock.nanoTime();
        t.send("3");
        return;
      }
      handle(f);
    }

    @Override
    public void onBinary(Transport t, byte[] bytes) {
      Frame f;
      try {
        f = decoder.decodeBinary(bytes);
      } catch (ProtocolException e) {
        protocolError(this, e);
        return;
      }
      handle(f);
    }

    private void handle(Frame f) {
      synchronized (lock) {
        if (current != this) {
          return;
        }
        try {
          onFrame(this, f);
        } catch (RuntimeException e) {
          // A bug or an unexpected payload: report it and reset the connection, never kill the
          // reader thread.
          callbacks.enqueue(() -> errors.safeHandle("realtime frame handling", e));
          transportLost(this, "error handling a frame: " + e, e);
        }
      }
      callbacks.flush();
    }

    @Override
    public void onEnd(@Nullable Transport t, String reason, @Nullable Throwable cause) {
      synchronized (lock) {
        transportLost(this, reason, cause);
      }
      callbacks.flush();
    }
  }

  private void protocolError(Conn conn, ProtocolException e) {
    synchronized (lock) {
      if (conn != current) {
        return;
      }
      callbacks.enqueue(() -> errors.safeHandle("realtime " + options.uri(), e));
      transportLost(conn, "protocol error", e);
    }
    callbacks.flush();
  }

  private void onFrame(Conn conn, Frame f) {
    if (f instanceof Frame.Open open) {
      if (conn.open != null) {
        // One open packet per Engine.IO session; answering a second with another CONNECT would let
        // a misbehaving server drive the client round a connect loop.
        throw new ProtocolException("a second Engine.IO open packet on the same connection");
      }
      conn.open = open;
      outbound.maxPayload(open.maxPayload());
      conn.lastPingNanos = clock.nanoTime();
      armHeartbeat(conn, open.pingInterval().plus(open.pingTimeout()));
      ObjectNode data = conn.auth.deepCopy();
      if (pid != null && offset != null) {
        data.put("pid", pid);
        data.put("offset", offset);
        conn.pidSent = pid;
      }
      send(conn, new Packet(Packet.Type.CONNECT, nsp, -1, data.isEmpty() ? null : data));
    } else if (f instanceof Frame.Close) {
      transportLost(conn, "transport close (server sent close)", null);
    } else if (f instanceof Frame.Message m) {
      Packet p = m.packet();
      if (!p.namespace().equals(nsp)) {
        return;
      }
      switch (p.type()) {
        case CONNECT -> {
          if (conn.nspConnected) {
            throw new ProtocolException(
                "a second CONNECT reply for namespace " + nsp + " on the same connection");
          }
          onConnect(conn, p);
        }
        case CONNECT_ERROR -> onConnectError(conn, p);
        case DISCONNECT -> onServerDisconnect(conn);
        case EVENT, BINARY_EVENT -> onEvent(conn, p);
        case ACK, BINARY_ACK -> outbound.onAck(p);
      }
    }
  }

  private void armHeartbeat(Conn conn, Duration delay) {
    conn.heartbeat = scheduler.schedule(delay, () -> checkHeartbeat(conn));
  }

  private void checkHeartbeat(Conn conn) {
    synchronized (lock) {
      Frame.Open open = conn.open;
      if (conn != current || open == null) {
        return;
      }
      long limit = open.pingInterval().plus(open.pingTimeout()).toNanos();
      long waited = clock.nanoTime() - conn.lastPingNanos;
      if (waited >= limit) {
        transportLost(conn, "ping timeout", null);
      } else {
        armHeartbeat(conn, Duration.ofNanos(limit - waited));
      }
    }
    callbacks.flush();
  }

  private void onConnect(Conn conn, Packet p) {
    JsonNode data = p.data();
    String sid = data != null && data.hasNonNull("sid") ? data.get("sid").asText() : "";
    String newPid = data != null && data.hasNonNull("pid") ? data.get("pid").asText() : null;
    boolean recovered = conn.pidSent != null && conn.pidSent.equals(newPid);
    if (!recovered) {
      offset = null;
    }
    pid = newPid;
    conn.nspConnected = true;
    Cancellable deadline = conn.handshakeDeadline;
    if (deadline != null) {
      deadline.cancel();
      conn.handshakeDeadline = null;
    }
    attempt = 0;
    boolean reconnect = everConnected;
    everConnected = true;
    setState(new ConnectionEvent.Connected(sid, recovered, reconnect, conn.endpoint));
    for (Incoming in : conn.early) {
      dispatch(conn, in);
    }
    conn.early.clear();
    topics.onConnected(recovered, reconnect);
    outbound.flush(conn);
  }

  private void onConnectError(Conn conn, Packet p) {
    JsonNode data = p.data();
    String message;
    JsonNode extra = null;
    if (data != null && data.isObject()) {
      message = data.path("message").asText("");
      extra = data.get("data");
    } else {
      message = data == null ? "" : data.asText();
    }
    ConnectErrorException e = new ConnectErrorException(nsp, message, extra);
    endConnection(conn, "connect error: " + message, false);
    if (options.reconnectAfterConnectError()) {
      scheduleReconnect("connect error: " + message, e, true);
    } else {
      setState(new ConnectionEvent.Disconnected("connect error: " + message, Optional.of(e)));
    }
  }

  private void onServerDisconnect(Conn conn) {
    endConnection(conn, "io server disconnect", false);
    if (options.reconnectAfterServerDisconnect()) {
      scheduleReconnect("io server disconnect", null, false);
    } else {
      setState(new ConnectionEvent.Disconnected("io server disconnect", Optional.empty()));
    }
  }

  /** An event as received: name, arguments without the offset, ack id. */
  record Incoming(String name, List<JsonNode> args, long id) {}

  private void onEvent(Conn conn, Packet p) {
    JsonNode data = p.data();
    if (data == null) {
      return;
    }
    List<JsonNode> args = new ArrayList<>(data.size());
    data.forEach(args::add);
    String name = args.remove(0).asText();
    // With recovery on, the server appends the offset to every event without an ack id.
    String knownPid = conn.nspConnected ? pid : conn.pidSent;
    if (knownPid != null
        && !p.hasId()
        && !args.isEmpty()
        && args.get(args.size() - 1).isTextual()) {
      offset = args.remove(args.size() - 1).asText();
    }
    Incoming in = new Incoming(name, List.copyOf(args), p.id());
    if (!conn.nspConnected) {
      conn.early.add(in);
      return;
    }
    dispatch(conn, in);
  }

  private void dispatch(Conn conn, Incoming in) {
    ServerAck ack = in.id() >= 0 ? new ServerAck(conn, in.id()) : null;
    listeners.dispatch(in.name(), in.args(), ack);
    topics.route(in.name(), in.args());
  }

  /** Answers a server's ack request once, on the connection that carried it. */
  final class ServerAck implements dev.quarry.realtime.Ack {
    private final Conn conn;
    private final long id;
    private final java.util.concurrent.atomic.AtomicBoolean sent =
        new java.util.concurrent.atomic.AtomicBoolean();

    ServerAck(Conn conn, long id) {
      this.conn = conn;
      this.id = id;
    }

    @Override
    public void send(Object... args) {
      if (!sent.compareAndSet(false, true)) {
        return;
      }
      ArrayNode arr = toArgs(args);
      synchronized (lock) {
        if (current == conn && conn.nspConnected) {
          RealRealtimeClient.this.send(conn, new Packet(Packet.Type.ACK, nsp, id, arr));
        }
      }
    }
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
    checkEventName(event);
    ArrayNode data = toArgs(args);
    data.insert(0, event);
    Packet p = new Packet(Packet.Type.EVENT, nsp, -1, data);
    synchronized (lock) {
      outbound.emit(event, p);
    }
    callbacks.flush();
  }

  @Override
  public CompletableFuture<ArrayNode> emitWithAck(String event, Object... args) {
    return emitWithAck(event, options.ackTimeout(), args);
  }

  @Override
  public CompletableFuture<ArrayNode> emitWithAck(String event, Duration timeout, Object... args) {
    checkEventName(event);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("ack timeout must be positive, got " + timeout);
    }
    ArrayNode data = toArgs(args);
    data.insert(0, event);
    CompletableFuture<ArrayNode> future = new CompletableFuture<>();
    synchronized (lock) {
      try {
        sendWithAck(event, data, timeout, future, false);
      } catch (RuntimeException e) {
        callbacks.enqueue(() -> future.completeExceptionally(e));
      }
    }
    callbacks.flush();
    return future;
  }

  /** Registers an ack and submits the packet; under the lock. */
  void sendWithAck(
      String event,
      ArrayNode data,
      Duration timeout,
      CompletableFuture<ArrayNode> future,
      boolean subscribe) {
    outbound.sendWithAck(event, data, timeout, future, subscribe);
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

  String namespace() {
    return nsp;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  // ---------------------------------------------------------------- listeners

  @Override
  public <T> CompletableFuture<T> emitWithAck(
      String event, Class<T> type, Duration timeout, Object... args) {
    JavaType jt = mapper.constructType(type);
    return emitWithAck(event, timeout, args)
        .thenApply(
            arr -> mapper.convertValue(arr.isEmpty() ? NullNode.getInstance() : arr.get(0), jt));
  }

  @Override
  public <T> Subscription on(String event, Class<T> type, EventListener<? super T> listener) {
    checkEventName(event);
    return listeners.add(event, mapper.constructType(type), listener);
  }

  @Override
  public <T> Subscription on(
      String event, TypeReference<T> type, EventListener<? super T> listener) {
    checkEventName(event);
    return listeners.add(event, mapper.getTypeFactory().constructType(type), listener);
  }

  @Override
  public Subscription onArgs(String event, Consumer<? super List<JsonNode>> listener) {
    checkEventName(event);
    return listeners.addRaw(event, listener);
  }

  @Override
  public <T> Subscription onAck(String event, Class<T> type, AckingListener<? super T> listener) {
    checkEventName(event);
    return listeners.addAcking(event, mapper.constructType(type), listener);
  }

  @Override
  public <T> Subscription onRequest(String event, Class<T> type, Function<? super T, ?> responder) {
    checkEventName(event);
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
                + options.uri()
                + " is closed");
      }
      sub = topics.subscribe(topic);
    }
    callbacks.flush();
    return sub;
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

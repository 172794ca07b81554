package dev.quarry.realtime.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.core.Cancellable;
import dev.quarry.core.Clock;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.Scheduler;
import dev.quarry.core.internal.Redaction;
import dev.quarry.core.internal.SubsystemErrors;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.DeliveryOverflowException;
import dev.quarry.realtime.DisconnectReason;
import dev.quarry.realtime.MessageTooLargeException;
import dev.quarry.realtime.ProtocolException;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeConnection;
import dev.quarry.realtime.RealtimeOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Engine.IO connection shared by the namespaces of a {@link RealtimeConnection}: the transport,
 * its handshake and heartbeat (through {@link Conn}), endpoint failover, and reconnection with
 * backoff. The namespaces ({@link RealRealtimeClient}) own everything else.
 *
 * <p>A namespace is <em>active</em> while it is connecting, connected or reconnecting: the
 * connection is open (or being reopened) while one is, and closed when the last one leaves. On
 * every open each active namespace sends its own CONNECT.
 *
 * <p>All state of the connection and of its namespaces is guarded by {@link #lock}; user code is
 * queued on {@link #callbacks} under the lock and run after it is released; auth suppliers are
 * called outside the lock. A transport's reader thread answers pings and queues frames; they are
 * decoded and routed on the connection's own {@code quarry-realtime-inbound} thread, or by the
 * reader itself for a lone frame on a quiet connection (see {@link Conn}); {@link #close()} stops
 * the inbound thread with the other threads the connection owns.
 */
public final class RealRealtimeConnection implements RealtimeConnection {
  private final Object lock = new Object();
  final RealtimeOptions options;
  private final PacketCodec codec;
  private final Clock clock;
  private final Scheduler scheduler;
  final ErrorHandler errors;
  final String errorContext;
  final Callbacks callbacks;
  private final Transport.Factory transports;
  private final ClientResources resources;
  private final Inbound.Limits inboundLimits;

  // guarded by lock
  private final Map<String, RealRealtimeClient> namespaces = new LinkedHashMap<>();

  private boolean closed;
  private boolean released;
  private @Nullable Conn current;
  private int attempt;
  private int endpointIndex;
  private @Nullable Cancellable reconnectTimer;
  private long reconnectGeneration;

  /** Creates a connection with OkHttp transports; nothing connects until a namespace does. */
  public RealRealtimeConnection(RealtimeOptions options) {
    this(options, null);
  }

  /**
   * A connection on scripted transports (tests): their frames are decoded on the thread that
   * delivers them, so that a script sees each frame's effect when {@code receive} returns.
   */
  RealRealtimeConnection(RealtimeOptions options, Transport.@Nullable Factory transportFactory) {
    this(
        options,
        transportFactory,
        transportFactory == null ? null : Runnable::run,
        Inbound.Limits.DEFAULT);
  }

  /**
   * A connection whose frames are decoded and routed on {@code inboundExecutor} (null: its own
   * {@code quarry-realtime-inbound} thread), with at most {@code inboundLimits} of them waiting.
   */
  RealRealtimeConnection(
      RealtimeOptions options,
      Transport.@Nullable Factory transportFactory,
      @Nullable Executor inboundExecutor,
      Inbound.Limits inboundLimits) {
    this.options = options;
    this.inboundLimits = inboundLimits;
    this.codec = new PacketCodec(options.objectMapper());
    this.clock = options.clock();
    this.errors = SubsystemErrors.of(options.errorHandler(), "dev.quarry.realtime");
    this.resources = new ClientResources(options, transportFactory, inboundExecutor);
    this.scheduler = resources.scheduler;
    this.callbacks = resources.callbacks;
    this.transports = resources.transports;
    this.errorContext = resources.errorContext;
  }

  Object lock() {
    return lock;
  }

  PacketCodec codec() {
    return codec;
  }

  Clock clock() {
    return clock;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  // ---------------------------------------------------------------- namespaces (API)

  @Override
  public RealtimeClient namespace(String namespace) {
    synchronized (lock) {
      RealRealtimeClient open = namespaces.get(namespace);
      if (open != null) {
        return open;
      }
    }
    return add(options.newBuilder().namespace(namespace).build());
  }

  @Override
  public RealtimeClient namespace(String namespace, Supplier<?> auth) {
    return add(options.newBuilder().namespace(namespace).auth(auth).build());
  }

  /** Adds a namespace handle with these options (which name the namespace and its auth). */
  RealRealtimeClient add(RealtimeOptions nspOptions) {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(
            "cannot open namespace "
                + nspOptions.namespace()
                + ": realtime connection to "
                + Redaction.url(options.uri())
                + " is closed");
      }
      if (namespaces.containsKey(nspOptions.namespace())) {
        throw new IllegalStateException(
            "namespace "
                + nspOptions.namespace()
                + " already has an open handle on this connection: use namespace(\""
                + nspOptions.namespace()
                + "\") to get it, or close it first");
      }
      RealRealtimeClient client = new RealRealtimeClient(this, nspOptions);
      namespaces.put(nspOptions.namespace(), client);
      return client;
    }
  }

  /** Registers the only namespace of a connection made for one client; in its constructor. */
  void adopt(RealRealtimeClient client) {
    synchronized (lock) {
      namespaces.put(client.namespace(), client);
    }
  }

  @Override
  public List<RealtimeClient> namespaces() {
    synchronized (lock) {
      return List.copyOf(namespaces.values());
    }
  }

  @Override
  public boolean isOpen() {
    synchronized (lock) {
      Conn conn = current;
      return conn != null && conn.open != null;
    }
  }

  @Override
  public void close() {
    List<RealRealtimeClient> all;
    synchronized (lock) {
      if (closed) {
        return;
      }
      all = new ArrayList<>(namespaces.values());
    }
    for (RealRealtimeClient c : all) {
      c.close();
    }
    Conn conn;
    synchronized (lock) {
      closed = true;
      conn = leave("connection closed");
    }
    callbacks.flush();
    release(conn);
  }

  /**
   * A namespace closed (under the lock): it leaves the connection; the connection closes with its
   * last namespace. Returns true if the caller must {@link #release} (without the lock).
   */
  boolean namespaceClosed(RealRealtimeClient client) {
    if (namespaces.get(client.namespace()) == client) {
      namespaces.remove(client.namespace());
    }
    if (namespaces.isEmpty()) {
      closed = true;
      leave("connection closed");
      return true;
    }
    leaveIfIdle("namespace " + client.namespace() + " closed");
    return false;
  }

  /** Stops the threads this connection owns, once; without the lock. */
  void release(@Nullable Conn last) {
    synchronized (lock) {
      if (released) {
        return;
      }
      released = true;
    }
    resources.release(last == null ? null : last.transport);
  }

  // ---------------------------------------------------------------- opening

  /** A namespace became active (connect()); without the lock. */
  void join(RealRealtimeClient client) {
    boolean open = false;
    synchronized (lock) {
      if (closed || !client.isActiveLocked() || client.session() != null) {
        return;
      }
      if (current == null && reconnectTimer == null) {
        attempt = 0;
        open = true;
      }
      // Otherwise a connection is open or opening (the namespace joins it), or a reconnect is
      // pending (the namespace joins the next attempt).
    }
    if (open) {
      openTransport();
    } else {
      sendConnect(client);
    }
  }

  /** Whether {@code client} can join {@code conn} now; under the lock. */
  private boolean canJoinLocked(RealRealtimeClient client, @Nullable Conn conn) {
    return !closed
        && conn != null
        && conn == current
        && client.isActiveLocked()
        && client.session() == null;
  }

  /**
   * Lets a namespace join the current connection: its auth is taken (without the lock), then its
   * CONNECT is sent at once if the connection is open, else when the open packet arrives.
   */
  void sendConnect(RealRealtimeClient client) {
    Conn conn;
    synchronized (lock) {
      conn = current;
      if (conn == null || !canJoinLocked(client, conn)) {
        return;
      }
    }
    ObjectNode auth;
    try {
      auth = client.authNode();
    } catch (RuntimeException e) {
      synchronized (lock) {
        if (canJoinLocked(client, conn)) {
          callbacks.enqueue(() -> errors.safeHandle("realtime auth supplier", e));
          client.retryLater(DisconnectReason.CONNECT_ERROR, "auth supplier failed", e);
        }
      }
      callbacks.flush();
      return;
    }
    synchronized (lock) {
      if (canJoinLocked(client, conn)) {
        if (conn.open != null) {
          client.startSession(conn, auth);
        } else {
          conn.auths.put(client, auth);
        }
      }
    }
    callbacks.flush();
  }

  private List<RealRealtimeClient> activeLocked() {
    List<RealRealtimeClient> out = new ArrayList<>();
    for (RealRealtimeClient c : namespaces.values()) {
      if (c.isActiveLocked()) {
        out.add(c);
      }
    }
    return out;
  }

  /** Whether a namespace other than {@code client} is active; under the lock. */
  boolean othersActiveLocked(RealRealtimeClient client) {
    for (RealRealtimeClient c : namespaces.values()) {
      if (c != client && c.isActiveLocked()) {
        return true;
      }
    }
    return false;
  }

  /** The endpoint of the current or next attempt; under the lock. */
  URI endpoint() {
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

  /** Opens a new transport; called without the lock (the auth suppliers are user code). */
  private void openTransport() {
    List<RealRealtimeClient> joining;
    synchronized (lock) {
      if (closed || current != null) {
        return;
      }
      joining = activeLocked();
    }
    Map<RealRealtimeClient, ObjectNode> auths = new LinkedHashMap<>();
    Map<RealRealtimeClient, RuntimeException> failed = new LinkedHashMap<>();
    for (RealRealtimeClient c : joining) {
      try {
        auths.put(c, c.authNode());
      } catch (RuntimeException e) {
        failed.put(c, e);
      }
    }
    Conn conn;
    URI target;
    synchronized (lock) {
      if (closed || current != null) {
        return;
      }
      for (Map.Entry<RealRealtimeClient, RuntimeException> f : failed.entrySet()) {
        RuntimeException e = f.getValue();
        callbacks.enqueue(() -> errors.safeHandle("realtime auth supplier", e));
      }
      auths.keySet().removeIf(c -> !c.isActiveLocked());
      if (auths.isEmpty()) {
        if (!failed.isEmpty() && !activeLocked().isEmpty()) {
          RuntimeException first = failed.values().iterator().next();
          scheduleReconnect(DisconnectReason.CONNECT_ERROR, "auth supplier failed", first, false);
        }
        conn = null;
        target = endpoint();
      } else {
        for (Map.Entry<RealRealtimeClient, RuntimeException> f : failed.entrySet()) {
          if (f.getKey().isActiveLocked()) {
            f.getKey()
                .retryLater(DisconnectReason.CONNECT_ERROR, "auth supplier failed", f.getValue());
          }
        }
        target = endpoint();
        conn =
            new Conn(
                this,
                codec.newDecoder(
                    options.maxIncomingMessageBytes(), options.maxIncomingAttachments(), true),
                auths,
                target,
                resources.inbound,
                resources.inboundLinger,
                inboundLimits);
        current = conn;
        conn.startHandshakeDeadline();
      }
    }
    if (conn == null) {
      callbacks.flush();
      return;
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
   * The open packet arrived on {@code conn}; under the lock. Every active namespace sends its
   * CONNECT: those whose auth was taken for this connection at once, the others once their auth is.
   */
  void opened(Conn conn, Frame.Open open) {
    for (RealRealtimeClient c : new ArrayList<>(namespaces.values())) {
      c.outbound.maxPayload(open.maxPayload());
      if (!c.isActiveLocked() || c.session() != null) {
        continue;
      }
      ObjectNode auth = conn.auths.get(c);
      if (auth != null) {
        c.startSession(conn, auth);
      } else {
        scheduler.schedule(Duration.ZERO, () -> sendConnect(c));
      }
    }
  }

  /** The first namespace connected on {@code conn}; under the lock. */
  void firstNamespaceConnected(Conn conn) {
    conn.attemptsBeforeConnect = attempt;
    attempt = 0;
  }

  // ---------------------------------------------------------------- losing and reconnecting

  /**
   * Schedules the next attempt for every active namespace; under the lock. {@code failedAttempt}:
   * the connection ended before a namespace connected, so the next attempt goes to the next
   * endpoint.
   */
  void scheduleReconnect(
      DisconnectReason reason, String detail, @Nullable Throwable cause, boolean failedAttempt) {
    if (failedAttempt) {
      endpointIndex = (endpointIndex + 1) % options.endpoints().size();
    }
    List<RealRealtimeClient> active = activeLocked();
    if (active.isEmpty()) {
      return;
    }
    if (attempt >= options.maxReconnectAttempts()) {
      ConnectionEvent.Disconnected gaveUp =
          new ConnectionEvent.Disconnected(
              reason,
              "gave up after " + attempt + " reconnect attempts; last: " + detail,
              Optional.ofNullable(cause));
      for (RealRealtimeClient c : active) {
        c.engineGaveUp(gaveUp);
      }
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
    ConnectionEvent.Reconnecting event =
        new ConnectionEvent.Reconnecting(
            attempt, delay, reason, detail, Optional.ofNullable(cause), endpoint());
    for (RealRealtimeClient c : active) {
      c.engineReconnecting(event);
    }
    long generation = ++reconnectGeneration;
    reconnectTimer = scheduler.schedule(delay, () -> reconnectNow(generation));
  }

  /** Reconnect attempts at DEBUG; loaded when the first reconnect is scheduled. */
  private static final class DebugLog {
    static final Logger LOG = LoggerFactory.getLogger("dev.quarry.realtime");

    private DebugLog() {}
  }

  private void reconnectNow(long generation) {
    synchronized (lock) {
      if (closed || current != null || generation != reconnectGeneration) {
        return;
      }
      reconnectTimer = null;
      if (activeLocked().isEmpty()) {
        return;
      }
      if (!callbacks.drained()) {
        // The listeners are behind (the connection was dropped because they were): connect again
        // once they have taken half of what waits for them, so a stuck listener does not make the
        // client reconnect and overflow in a loop. The check runs on the scheduler, never on the
        // callback executor.
        long next = ++reconnectGeneration;
        // Marks the wait, so that a namespace joining now waits for it too.
        reconnectTimer = () -> false;
        callbacks.whenDrained(
            () -> {
              synchronized (lock) {
                if (next != reconnectGeneration) {
                  return;
                }
              }
              scheduler.schedule(Duration.ZERO, () -> reconnectNow(next));
            });
        return;
      }
    }
    openTransport();
  }

  /** Ends {@code conn} for every namespace on it; under the lock. */
  void endConnection(Conn conn, String reason, boolean cancel) {
    current = null;
    conn.stopTimers();
    Transport t = conn.transport;
    if (t != null) {
      if (cancel) {
        t.cancel();
      } else {
        t.close(1000, "");
      }
    }
    for (Session s : new ArrayList<>(conn.sessions.values())) {
      s.client.sessionEnded(s, reason);
    }
    conn.sessions.clear();
  }

  /** The transport of {@code conn} is lost: every namespace on it reconnects; under the lock. */
  void transportLost(Conn conn, DisconnectReason reason, String detail, @Nullable Throwable cause) {
    if (conn != current) {
      return;
    }
    if (conn.anyConnected
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
        conn.anyConnected ? reason : DisconnectReason.CONNECT_ERROR,
        detail,
        cause,
        !conn.anyConnected);
  }

  /**
   * A namespace alone on the connection failed (refused, disconnected by the server): the
   * connection ends as a whole, and reconnects if {@code retry}; under the lock.
   */
  void namespaceFailedAlone(
      Session s,
      DisconnectReason reason,
      String detail,
      @Nullable Throwable cause,
      boolean retry,
      boolean failedAttempt) {
    if (s.conn != current) {
      return;
    }
    endConnection(s.conn, detail, false);
    if (retry) {
      scheduleReconnect(reason, detail, cause, failedAttempt);
    } else {
      s.client.setDisconnected(reason, detail, cause);
    }
  }

  /**
   * Cancels a pending reconnect and ends the current connection if no namespace is active; under
   * the lock.
   */
  void leaveIfIdle(String reason) {
    if (activeLocked().isEmpty()) {
      leave(reason);
    }
  }

  /** Cancels a pending reconnect and ends the current connection; under the lock. */
  private @Nullable Conn leave(String reason) {
    Cancellable timer = reconnectTimer;
    if (timer != null) {
      timer.cancel();
    }
    reconnectTimer = null;
    reconnectGeneration++;
    Conn conn = current;
    if (conn != null) {
      endConnection(conn, reason, false);
    }
    return conn;
  }

  /** The connection's current transport attempt, if any (tests). */
  @Nullable Conn currentConn() {
    synchronized (lock) {
      return current;
    }
  }

  boolean isCurrentLocked(Conn conn) {
    return current == conn;
  }

  boolean isClosedLocked() {
    return closed;
  }
}

package dev.quarry.testing.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.testing.redis.RedisTestServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A real Node {@code socket.io} 4.8.4 server in a child process, for tests of Socket.IO clients.
 *
 * <p>The server listens on {@code 127.0.0.1} (a random port unless {@link Options#port()} is set)
 * with connection state recovery on, and speaks Socket.IO v5 / Engine.IO v4 on {@link
 * Options#path()} for namespace {@code "/"} and any {@link Options#namespaces()}. Its behaviour:
 *
 * <ul>
 *   <li>{@code subscribe(params, ack?)} joins the room named by the canonical JSON of the params
 *       object (keys sorted recursively, no spaces: {@link #roomOf(Map)}) and acks {@code
 *       {"ok":true,"room":ROOM}}; {@code unsubscribe} leaves it; a payload that is not an object
 *       acks {@code {"ok":false,"error":...}}.
 *   <li>{@code echo(args..., ack)} acks its arguments back unchanged (binary included); without an
 *       ack it emits {@code echo} with them.
 *   <li>{@code ping-me({"event":E,"args":[...]})} makes the server emit {@code E(args...)} with an
 *       ack callback; the client's ack shows in {@link ServerState#acks()}.
 *   <li>Any other event is recorded ({@link ServerState#received()}) and never acked.
 *   <li>With {@link Options#authToken()} set, a CONNECT whose {@code auth.token} differs is
 *       rejected: {@code 44{"message":"unauthorized","data":{"code":"AUTH","reason":"bad token"}}}.
 * </ul>
 *
 * <p>Events the server emits without an ack carry socket.io's recovery offset as an extra last
 * argument while recovery is on (socket.io's own behaviour).
 *
 * <p><b>Cluster mode.</b> Servers started with the same {@link Options#redis()} share socket.io's
 * Redis adapter: an emit to a room through any of them reaches the room's sockets on all of them
 * (the emit call returns once Redis has the events; clients on other nodes get them a few
 * milliseconds later). Sockets, rooms, counters and logs in {@link #state()} stay per node. Session
 * recovery does not work across this adapter: a client that reconnects, to the same node or
 * another, gets a new session without rooms and must subscribe again. For a failover test, {@link
 * #kill()} one node, let the client move to another, then {@link #restart()} the killed one on its
 * old port:
 *
 * <pre>{@code
 * try (RedisTestServer redis = RedisTestServer.start();
 *     SocketIoTestServer a = SocketIoTestServer.start(Options.builder().redis(redis).build());
 *     SocketIoTestServer b = SocketIoTestServer.start(Options.builder().redis(redis).build())) {
 *   // a client connected to a.url() subscribes to room r
 *   b.emit(r, "agent-event", payload);   // reaches the client on a
 *   a.kill();                            // SIGKILL; the client should fail over to b
 *   a.restart();                         // a again, same port, empty
 *   a.emit(r, "agent-event", payload);   // reaches the client, now on b
 * }
 * }</pre>
 *
 * <pre>{@code
 * try (SocketIoTestServer server = SocketIoTestServer.start(SocketIoTestServer.Options.builder()
 *     .pingInterval(Duration.ofMillis(200)).pingTimeout(Duration.ofMillis(400))
 *     .authToken("secret").build())) {
 *   // connect a client to server.url() with auth {"token":"secret"}, subscribe {"executionId":"e1"}
 *   server.emitSequence(SocketIoTestServer.roomOf(Map.of("executionId", "e1")),
 *       "agent-event", Map.of("executionId", "e1"), 100);
 *   server.dropTransport();   // recoverable: the client should come back with recovered = true
 *   server.restart();         // a new process on the same port: sessions are gone
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@link #start()} returns once the server prints {@code READY} (bounded by
 * {@link Options#startTimeout()}). {@link #restart()} SIGKILLs the process and starts a new one on
 * the same port; all server state (sessions, rooms, counters, the refuse flag) is lost, as in a
 * crash. {@link #kill()} SIGKILLs it and leaves it down until {@link #restart()}. {@link #pause()}
 * / {@link #resume()} send SIGSTOP / SIGCONT (a server whose connections stay open but that answers
 * nothing). {@link #close()} kills the process and waits for it; it is idempotent. The node process
 * also exits by itself when this JVM dies (it watches its stdin).
 *
 * <p><b>Where the server comes from.</b> The jar carries the server script, its {@code
 * package.json} and its {@code package-lock.json} (socket.io 4.8.4, pinned). Outside Quarry's own
 * source tree, the first {@link #start()} in a JVM extracts them into {@code
 * ~/.cache/quarry/socketio-server/<digest>} (the system property {@code quarry.socketio.cache.dir}
 * names another cache folder) and runs {@code npm ci} there once, holding a file lock so parallel
 * test JVMs install once; later starts reuse the install. The cache keeps the three most recently
 * used versions and deletes older ones. This needs Node.js 20 or later and npm on the {@code PATH},
 * and the npm registry or a warm npm cache for the first install; when node or npm is missing,
 * {@link #start()} fails with an {@link IllegalStateException} that says so. {@link
 * Options.Builder#serverDir(Path)} or the system property {@value #SERVER_DIR_PROPERTY} point to an
 * installed folder instead.
 *
 * <p><b>Threads.</b> All methods are safe to call from any thread. Control calls run on the calling
 * thread and block until the server replied (bounded by {@link Options#controlTimeout()}); an emit
 * call returns after all its events were handed to the server's sockets. Node's stdout and stderr
 * are drained by two daemon threads named {@code quarry-testserver-<pid>-...}, which end with the
 * process.
 *
 * <p><b>Errors.</b> Starting fails with an {@link IllegalStateException} that says what is missing
 * ({@code node}, {@code node_modules}, the project folder) or includes node's stderr. A control
 * call that fails, or any call after {@link #close()}, while paused or while killed (other than
 * {@link #resume()}, {@link #restart()}, {@link #kill()} and {@link #close()}), throws {@link
 * IllegalStateException}. Needs a POSIX system for {@link #pause()} and {@link #resume()}.
 */
public final class SocketIoTestServer implements AutoCloseable {
  /** System property naming the folder of the Node project ({@code .../socketio-server}). */
  public static final String SERVER_DIR_PROPERTY = "quarry.socketio.server.dir";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Options options;
  private final Path dir;
  private final ControlClient control;
  private final Object lifecycle = new Object();
  private volatile NodeProcess node;
  private volatile boolean paused;
  private volatile boolean killed;
  private volatile boolean closed;

  private SocketIoTestServer(Options options, Path dir, NodeProcess node) {
    this.options = options;
    this.dir = dir;
    this.node = node;
    this.control = new ControlClient(JSON, options.controlTimeout());
  }

  /** Starts a server with the default {@link Options}. */
  public static SocketIoTestServer start() {
    return start(Options.builder().build());
  }

  /**
   * Starts a server and waits until it listens.
   *
   * @throws IllegalStateException if node or the Node project cannot be found, or the server does
   *     not print {@code READY} within {@link Options#startTimeout()}
   */
  public static SocketIoTestServer start(Options options) {
    Path dir = ServerDirectory.locate(options);
    NodeProcess node = NodeProcess.launch(options, dir, options.port());
    return new SocketIoTestServer(options, dir, node);
  }

  /**
   * The room the server uses for a topic's params: their canonical JSON (object keys sorted
   * recursively, no spaces), for example {@code {"executionId":"e1"}}.
   */
  public static String roomOf(Map<String, ?> params) {
    return ServerDirectory.canonical(JSON.valueToTree(params));
  }

  /** The options this server was started with. */
  public Options options() {
    return options;
  }

  /** The Socket.IO port on 127.0.0.1; the same across {@link #restart()}. */
  public int port() {
    return node.port();
  }

  /** {@code http://127.0.0.1:<port>}; the Socket.IO path is {@link Options#path()}. */
  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** The process id of the current node process (it changes on {@link #restart()}). */
  public long pid() {
    return node.pid();
  }

  /** Whether {@link #pause()} is in effect. */
  public boolean isPaused() {
    return paused;
  }

  /** Whether the node process is down after {@link #kill()} (until {@link #restart()}). */
  public boolean isKilled() {
    return killed;
  }

  /**
   * Emits {@code event(args...)} to every socket in {@code room} of namespace {@code "/"}.
   * Arguments are written with Jackson (use {@link #emitBinary} for bytes). A socket id is a room
   * too.
   */
  public void emit(String room, String event, @Nullable Object... args) {
    ObjectNode body = body(room, event);
    body.set("args", JSON.valueToTree(args));
    call("POST", "emit", body);
  }

  /**
   * Emits {@code event(args...)} to every socket in {@code room} of {@code namespace} (one of
   * {@link Options#namespaces()} or {@code "/"}), as {@link #emit(String, String, Object...)}.
   */
  public void emitTo(String namespace, String room, String event, @Nullable Object... args) {
    ObjectNode body = body(room, event);
    body.put("namespace", namespace);
    body.set("args", JSON.valueToTree(args));
    call("POST", "emit", body);
  }

  /**
   * Emits {@code count} events to {@code room}, in order, as fast as the server can: the i-th has
   * one argument, {@code base} plus a field {@code "seq": i} (0-based).
   *
   * @throws IllegalArgumentException if {@code count < 1}
   */
  public void emitSequence(String room, String event, Map<String, ?> base, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    ObjectNode body = body(room, event);
    body.putArray("args").add(JSON.valueToTree(base));
    body.put("count", count).put("seq", true);
    call("POST", "emit", body);
  }

  /**
   * Writes {@code count} events to every WebSocket socket in {@code room} of {@code "/"} far faster
   * than {@link #emitSequence} can: the i-th is {@code event(base + {"seq": i % 1000})}, a
   * WebSocket text frame {@code 42[...]} the server encodes itself (1,000 to a buffer) and writes
   * to the socket's TCP connection, bypassing socket.io and Engine.IO (no adapter, no recovery
   * offset: these events are not replayed by connection state recovery). The server waits while a
   * TCP connection is backed up; the call returns once every event is written. For throughput
   * measurements; a socket on HTTP long-polling gets none. A {@code seq} in {@code base} is
   * replaced.
   *
   * @return how many sockets were written to
   * @throws IllegalArgumentException if {@code count < 1}
   * @throws IllegalStateException for a name socket.io reserves ({@code connect}, {@code
   *     disconnect}...), or in cluster mode (this writes to this node's sockets only)
   */
  public int flood(String room, String event, Map<String, ?> base, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    ObjectNode body = body(room, event);
    body.set("base", JSON.valueToTree(base));
    body.put("count", count);
    return call("POST", "flood", body).path("sockets").asInt();
  }

  /** Emits {@code event(data)} to {@code room}, {@code data} as a binary attachment. */
  public void emitBinary(String room, String event, byte[] data) {
    ObjectNode body = body(room, event);
    body.putArray("args");
    body.put("binary", Base64.getEncoder().encodeToString(data));
    call("POST", "emit", body);
  }

  /**
   * Disconnects every socket from the server side ({@code socket.disconnect(true)}: the client gets
   * {@code 41} and the connection closes; not recoverable).
   *
   * @return how many sockets were disconnected
   */
  public int kick() {
    return call("POST", "kick", JSON.createObjectNode()).path("count").asInt();
  }

  /** Disconnects the socket with this Socket.IO id, as {@link #kick()}; returns 0 or 1. */
  public int kick(String sid) {
    return call("POST", "kick", JSON.createObjectNode().put("sid", sid)).path("count").asInt();
  }

  /**
   * Closes every socket's transport ({@code socket.conn.close()}): the client sees the connection
   * close without a Socket.IO disconnect, and with recovery on its session can be recovered.
   *
   * @return how many sockets were affected
   */
  public int dropTransport() {
    return call("POST", "drop", JSON.createObjectNode()).path("count").asInt();
  }

  /** Closes the transport of the socket with this Socket.IO id, as {@link #dropTransport()}. */
  public int dropTransport(String sid) {
    return call("POST", "drop", JSON.createObjectNode().put("sid", sid)).path("count").asInt();
  }

  /**
   * While {@code refuse} is true, new Engine.IO handshakes are refused by the server's {@code
   * allowRequest}: a WebSocket upgrade gets HTTP 400 with the body {@code handshakes are refused}
   * (engine.io answers every refused upgrade with 400; HTTP long-polling would get 403). Open
   * connections stay. Refused attempts count in {@link ServerState#engineHandshakes()}.
   */
  public void refuseHandshakes(boolean refuse) {
    call("POST", "refuse", JSON.createObjectNode().put("on", refuse));
  }

  /**
   * While {@code refuse} is true, every WebSocket upgrade request (a new WebSocket session or the
   * upgrade of a polling session) is answered {@code HTTP 400} before engine.io sees it, while the
   * open packet of a polling session still offers the upgrade: the server behaves as if behind a
   * proxy that does not pass WebSocket upgrades. Polling is unaffected; open WebSockets stay.
   * Starts as {@link Options#refuseWebSocketUpgrades()}.
   */
  public void refuseWebSocketUpgrades(boolean refuse) {
    call("POST", "refuse-websocket", JSON.createObjectNode().put("on", refuse));
  }

  /**
   * The Engine.IO transport of the connected socket with this Socket.IO id: {@code "polling"} or
   * {@code "websocket"}; empty if no such socket is connected.
   */
  public Optional<String> transportOf(String sid) {
    for (JsonNode socket : call("GET", "state", JSON.createObjectNode()).path("sockets")) {
      if (socket.path("id").asText().equals(sid)) {
        return Optional.of(socket.path("transport").asText());
      }
    }
    return Optional.empty();
  }

  /**
   * The Engine.IO HTTP requests the server received since start or the last {@link
   * #resetCounters()}, in arrival order (at most 10,000): polling {@code GET}s and {@code POST}s
   * and WebSocket upgrade requests that reached engine.io (not those refused by {@link
   * #refuseWebSocketUpgrades(boolean)}).
   */
  public List<HttpRequest> httpRequests() {
    List<HttpRequest> out = new java.util.ArrayList<>();
    for (JsonNode r : call("GET", "http", JSON.createObjectNode()).path("requests")) {
      out.add(
          new HttpRequest(
              r.path("method").asText(),
              r.path("transport").asText(),
              r.path("sid").asBoolean(),
              r.path("cookie").isTextual()
                  ? Optional.of(r.get("cookie").asText())
                  : Optional.empty()));
    }
    return out;
  }

  /**
   * The WebSocket upgrade requests answered {@code HTTP 400} by {@link
   * #refuseWebSocketUpgrades(boolean)} since start or the last {@link #resetCounters()}.
   */
  public int refusedWebSocketUpgrades() {
    return call("GET", "http", JSON.createObjectNode()).path("refusedUpgrades").asInt();
  }

  /**
   * One Engine.IO HTTP request as the server received it.
   *
   * @param method {@code GET} or {@code POST}
   * @param transport its {@code transport} query parameter ({@code polling} or {@code websocket})
   * @param hasSid whether it named a session ({@code sid}); false for a handshake
   * @param cookie its {@code Cookie} header, if it had one
   */
  public record HttpRequest(
      String method, String transport, boolean hasSid, Optional<String> cookie) {}

  /** Reads the server's view (this node's, in cluster mode): sockets, rooms, counters and logs. */
  public ServerState state() {
    return ServerState.parse(call("GET", "state", JSON.createObjectNode()));
  }

  /** {@link ServerState#handshakes()} of a fresh {@link #state()}. */
  public int handshakeCount() {
    return state().handshakes();
  }

  /**
   * Sets the handshake counters to 0 and clears the acks, received and disconnects logs and the
   * HTTP request log.
   */
  public void resetCounters() {
    call("POST", "reset", JSON.createObjectNode());
  }

  /**
   * Kills the node process with SIGKILL (also when paused) and starts a new one on the same port,
   * waiting for it to listen. Clients see their connections reset; the new server knows none of the
   * old sessions, so nothing can be recovered.
   *
   * @throws IllegalStateException if closed, or the new process does not start (the server is then
   *     closed)
   */
  public void restart() {
    synchronized (lifecycle) {
      ensureOpen();
      NodeProcess old = node;
      old.kill();
      paused = false;
      killed = false;
      try {
        node = NodeProcess.launch(options, dir, old.port());
      } catch (RuntimeException e) {
        closed = true;
        throw e;
      }
    }
  }

  /**
   * Kills the node process with SIGKILL (also when paused), as in a crash, and leaves the server
   * down: clients see their connections reset and new connections to {@link #port()} are refused
   * until {@link #restart()} starts a new process on that port. Idempotent.
   *
   * @throws IllegalStateException if closed
   */
  public void kill() {
    synchronized (lifecycle) {
      ensureOpen();
      node.kill();
      paused = false;
      killed = true;
    }
  }

  /**
   * Stops the node process with SIGSTOP: connections stay open, nothing is answered. Idempotent.
   *
   * @throws IllegalStateException if closed or killed
   */
  public void pause() {
    synchronized (lifecycle) {
      ensureOpen();
      ensureNotKilled("pause");
      if (!paused) {
        node.signal("STOP");
        paused = true;
      }
    }
  }

  /** Continues a paused node process with SIGCONT. Idempotent; does nothing while killed. */
  public void resume() {
    synchronized (lifecycle) {
      ensureOpen();
      if (paused) {
        node.signal("CONT");
        paused = false;
      }
    }
  }

  /**
   * Stops the node process (SIGTERM, then SIGKILL after 2 s) and waits for it and its drain threads
   * to end, bounded. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      if (paused || killed) {
        node.kill();
      } else {
        node.stop(Duration.ofSeconds(2));
      }
    }
  }

  @Override
  public String toString() {
    return "SocketIoTestServer{url=" + url() + ", pid=" + pid() + ", closed=" + closed + "}";
  }

  private ObjectNode body(String room, String event) {
    if (event.isEmpty()) {
      throw new IllegalArgumentException("event must not be empty");
    }
    return JSON.createObjectNode().put("room", room).put("event", event);
  }

  private JsonNode call(String method, String route, JsonNode body) {
    ensureOpen();
    ensureNotKilled(route);
    if (paused) {
      throw new IllegalStateException(
          "the socket.io test server is paused (SIGSTOP): resume() it before " + route);
    }
    return control.call(node.controlPort(), method, route, body);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the socket.io test server is closed");
    }
  }

  private void ensureNotKilled(String what) {
    if (killed) {
      throw new IllegalStateException(
          "the socket.io test server was killed: restart() it before " + what);
    }
  }

  /**
   * Immutable settings of a {@link SocketIoTestServer}, built with {@link #builder()} or derived
   * with {@link #newBuilder()}. Invalid values fail at {@link Builder#build()} with an {@link
   * IllegalArgumentException} that names the option and the value. Safe to share between threads.
   *
   * <pre>{@code
   * Options fast = Options.builder()
   *     .pingInterval(Duration.ofMillis(200)).pingTimeout(Duration.ofMillis(400)).build();
   * Options withAuth = fast.newBuilder().authToken("secret").build();
   * }</pre>
   */
  public static final class Options {
    private final int port;
    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final Duration connectTimeout;
    private final long maxHttpBufferSize;
    private final boolean recovery;
    private final Duration maxDisconnectionDuration;
    private final Optional<String> authToken;
    private final String path;
    private final List<String> namespaces;
    private final Duration startTimeout;
    private final Duration controlTimeout;
    private final Optional<Path> serverDir;
    private final String node;
    private final Optional<URI> redis;
    private final Optional<String> nodeId;
    private final List<String> transports;
    private final Optional<String> cookie;
    private final boolean refuseWebSocketUpgrades;

    private Options(Builder b) {
      this.port = b.port;
      this.pingInterval = b.pingInterval;
      this.pingTimeout = b.pingTimeout;
      this.connectTimeout = b.connectTimeout;
      this.maxHttpBufferSize = b.maxHttpBufferSize;
      this.recovery = b.recovery;
      this.maxDisconnectionDuration = b.maxDisconnectionDuration;
      this.authToken = b.authToken;
      this.path = b.path;
      this.namespaces = List.copyOf(b.namespaces);
      this.startTimeout = b.startTimeout;
      this.controlTimeout = b.controlTimeout;
      this.serverDir = b.serverDir;
      this.node = b.node;
      this.redis = b.redis;
      this.nodeId = b.nodeId;
      this.transports = List.copyOf(b.transports);
      this.cookie = b.cookie;
      this.refuseWebSocketUpgrades = b.refuseWebSocketUpgrades;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder that starts from these options. */
    public Builder newBuilder() {
      return new Builder(this);
    }

    /** The Socket.IO port; 0 (the default) picks a free one. */
    public int port() {
      return port;
    }

    /** Engine.IO {@code pingInterval}; default 25 s. */
    public Duration pingInterval() {
      return pingInterval;
    }

    /** Engine.IO {@code pingTimeout}; default 20 s. */
    public Duration pingTimeout() {
      return pingTimeout;
    }

    /** How long the server waits for a CONNECT after the Engine.IO open; default 45 s. */
    public Duration connectTimeout() {
      return connectTimeout;
    }

    /** {@code maxHttpBufferSize}, which is also the {@code maxPayload} of the open packet. */
    public long maxHttpBufferSize() {
      return maxHttpBufferSize;
    }

    /** Whether connection state recovery is on (default true, with skipMiddlewares). */
    public boolean recovery() {
      return recovery;
    }

    /** How long a dropped session can be recovered; default 2 min. */
    public Duration maxDisconnectionDuration() {
      return maxDisconnectionDuration;
    }

    /** The token every CONNECT must carry as {@code auth.token}; empty (the default) = no auth. */
    public Optional<String> authToken() {
      return authToken;
    }

    /** The Engine.IO path; default {@code /socket.io/}. */
    public String path() {
      return path;
    }

    /** Namespaces served besides {@code "/"}, with the same handlers and auth. */
    public List<String> namespaces() {
      return namespaces;
    }

    /** How long {@link SocketIoTestServer#start} waits for {@code READY}; default 20 s. */
    public Duration startTimeout() {
      return startTimeout;
    }

    /** Connect and read time-out of each control call; default 30 s. */
    public Duration controlTimeout() {
      return controlTimeout;
    }

    /**
     * The Node project folder; empty (the default) means the system property {@value
     * SocketIoTestServer#SERVER_DIR_PROPERTY}, else the {@code testing/socketio-server} of a Quarry
     * source tree found walking up from the working directory through folders that hold a {@code
     * pom.xml}, else the copy packaged in the quarry-testing jar (see the class documentation,
     * "Where the server comes from").
     */
    public Optional<Path> serverDir() {
      return serverDir;
    }

    /** The node executable; default {@code node} (looked up on the {@code PATH}). */
    public String node() {
      return node;
    }

    /**
     * The Redis server of cluster mode, for example {@code redis://127.0.0.1:6380}; empty (the
     * default) = a single node. The server connects to it before it reports ready and fails to
     * start if Redis does not answer within 10 s.
     */
    public Optional<URI> redis() {
      return redis;
    }

    /**
     * A name for this node, shown as {@code nodeId} in the control API's state and in the server's
     * error messages; empty by default.
     */
    public Optional<String> nodeId() {
      return nodeId;
    }

    /**
     * The Engine.IO transports the server accepts; default {@code ["polling", "websocket"]}
     * (engine.io's). With {@code ["polling"]} a WebSocket handshake is refused with HTTP 400 and
     * the open packet offers no upgrade.
     */
    public List<String> transports() {
      return transports;
    }

    /**
     * The name of the cookie engine.io sets to the session id on each handshake response (path
     * {@code /}, HttpOnly, SameSite=Lax), as a sticky-session cookie; empty (the default) = none.
     */
    public Optional<String> cookie() {
      return cookie;
    }

    /**
     * Whether WebSocket upgrade requests are refused from the start; default false. See {@link
     * SocketIoTestServer#refuseWebSocketUpgrades(boolean)}.
     */
    public boolean refuseWebSocketUpgrades() {
      return refuseWebSocketUpgrades;
    }

    /** Builds {@link Options}; not thread-safe. */
    public static final class Builder {
      private int port;
      private Duration pingInterval = Duration.ofSeconds(25);
      private Duration pingTimeout = Duration.ofSeconds(20);
      private Duration connectTimeout = Duration.ofSeconds(45);
      private long maxHttpBufferSize = 1_000_000;
      private boolean recovery = true;
      private Duration maxDisconnectionDuration = Duration.ofMinutes(2);
      private Optional<String> authToken = Optional.empty();
      private String path = "/socket.io/";
      private List<String> namespaces = List.of();
      private Duration startTimeout = Duration.ofSeconds(20);
      private Duration controlTimeout = Duration.ofSeconds(30);
      private Optional<Path> serverDir = Optional.empty();
      private String node = "node";
      private Optional<URI> redis = Optional.empty();
      private Optional<String> nodeId = Optional.empty();
      private List<String> transports = List.of("polling", "websocket");
      private Optional<String> cookie = Optional.empty();
      private boolean refuseWebSocketUpgrades;

      private Builder() {}

      private Builder(Options o) {
        port = o.port;
        pingInterval = o.pingInterval;
        pingTimeout = o.pingTimeout;
        connectTimeout = o.connectTimeout;
        maxHttpBufferSize = o.maxHttpBufferSize;
        recovery = o.recovery;
        maxDisconnectionDuration = o.maxDisconnectionDuration;
        authToken = o.authToken;
        path = o.path;
        namespaces = o.namespaces;
        startTimeout = o.startTimeout;
        controlTimeout = o.controlTimeout;
        serverDir = o.serverDir;
        node = o.node;
        redis = o.redis;
        nodeId = o.nodeId;
        transports = o.transports;
        cookie = o.cookie;
        refuseWebSocketUpgrades = o.refuseWebSocketUpgrades;
      }

      /**
       * See {@link Options#transports()}; one or both of {@code "polling"} and {@code "websocket"}.
       */
      public Builder transports(List<String> transports) {
        this.transports = List.copyOf(transports);
        return this;
      }

      /** See {@link Options#cookie()}; a cookie name (letters, digits, {@code -} and {@code _}). */
      public Builder cookie(String name) {
        this.cookie = Optional.of(name);
        return this;
      }

      /** See {@link Options#refuseWebSocketUpgrades()}. */
      public Builder refuseWebSocketUpgrades(boolean refuse) {
        this.refuseWebSocketUpgrades = refuse;
        return this;
      }

      /** See {@link Options#port()}; 0 to 65535. */
      public Builder port(int port) {
        this.port = port;
        return this;
      }

      /** See {@link Options#pingInterval()}; positive. */
      public Builder pingInterval(Duration pingInterval) {
        this.pingInterval = pingInterval;
        return this;
      }

      /** See {@link Options#pingTimeout()}; positive. */
      public Builder pingTimeout(Duration pingTimeout) {
        this.pingTimeout = pingTimeout;
        return this;
      }

      /** See {@link Options#connectTimeout()}; positive. */
      public Builder connectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
        return this;
      }

      /** See {@link Options#maxHttpBufferSize()}; positive. */
      public Builder maxHttpBufferSize(long maxHttpBufferSize) {
        this.maxHttpBufferSize = maxHttpBufferSize;
        return this;
      }

      /** See {@link Options#recovery()}. */
      public Builder recovery(boolean recovery) {
        this.recovery = recovery;
        return this;
      }

      /** See {@link Options#maxDisconnectionDuration()}; positive. */
      public Builder maxDisconnectionDuration(Duration maxDisconnectionDuration) {
        this.maxDisconnectionDuration = maxDisconnectionDuration;
        return this;
      }

      /** Requires {@code auth.token == token} on every CONNECT; see {@link Options#authToken()}. */
      public Builder authToken(String token) {
        this.authToken = Optional.of(token);
        return this;
      }

      /** Accepts every CONNECT (the default). */
      public Builder noAuthToken() {
        this.authToken = Optional.empty();
        return this;
      }

      /** See {@link Options#path()}; must start with {@code /}. */
      public Builder path(String path) {
        this.path = path;
        return this;
      }

      /** See {@link Options#namespaces()}; each must start with {@code /}. */
      public Builder namespaces(List<String> namespaces) {
        this.namespaces = List.copyOf(namespaces);
        return this;
      }

      /** See {@link Options#startTimeout()}; positive. */
      public Builder startTimeout(Duration startTimeout) {
        this.startTimeout = startTimeout;
        return this;
      }

      /** See {@link Options#controlTimeout()}; positive. */
      public Builder controlTimeout(Duration controlTimeout) {
        this.controlTimeout = controlTimeout;
        return this;
      }

      /** See {@link Options#serverDir()}. */
      public Builder serverDir(Path serverDir) {
        this.serverDir = Optional.of(serverDir);
        return this;
      }

      /** See {@link Options#node()}; not blank. */
      public Builder node(String node) {
        this.node = node;
        return this;
      }

      /**
       * Cluster mode over this Redis server; see {@link Options#redis()}. The URI needs a host and
       * the scheme {@code redis://} (or {@code rediss://} for TLS).
       */
      public Builder redis(URI uri) {
        this.redis = Optional.of(uri);
        return this;
      }

      /** Cluster mode over a {@link RedisTestServer}: {@code redis(server.uri())}. */
      public Builder redis(RedisTestServer server) {
        return redis(server.uri());
      }

      /** A single node without Redis (the default). */
      public Builder noRedis() {
        this.redis = Optional.empty();
        return this;
      }

      /** See {@link Options#nodeId()}; not blank. */
      public Builder nodeId(String nodeId) {
        this.nodeId = Optional.of(nodeId);
        return this;
      }

      /**
       * Builds the options.
       *
       * @throws IllegalArgumentException naming the first invalid option and its value
       */
      public Options build() {
        if (port < 0 || port > 65_535) {
          throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        checkMillis("pingInterval", pingInterval);
        checkMillis("pingTimeout", pingTimeout);
        checkMillis("connectTimeout", connectTimeout);
        checkMillis("maxDisconnectionDuration", maxDisconnectionDuration);
        checkMillis("startTimeout", startTimeout);
        checkMillis("controlTimeout", controlTimeout);
        if (maxHttpBufferSize <= 0) {
          throw new IllegalArgumentException(
              "maxHttpBufferSize must be positive, got " + maxHttpBufferSize);
        }
        if (!path.startsWith("/")) {
          throw new IllegalArgumentException("path must start with '/', got '" + path + "'");
        }
        for (String namespace : namespaces) {
          if (!namespace.startsWith("/")) {
            throw new IllegalArgumentException(
                "namespaces must start with '/', got '" + namespace + "'");
          }
        }
        if (node.isBlank()) {
          throw new IllegalArgumentException("node must not be blank");
        }
        if (redis.isPresent()) {
          URI uri = redis.get();
          boolean scheme = "redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme());
          if (!scheme || uri.getHost() == null) {
            throw new IllegalArgumentException(
                "redis must be a redis:// or rediss:// URI with a host, got '" + uri + "'");
          }
        }
        if (transports.isEmpty()
            || !List.of("polling", "websocket").containsAll(transports)
            || new java.util.HashSet<>(transports).size() != transports.size()) {
          throw new IllegalArgumentException(
              "transports must be one or both of \"polling\" and \"websocket\", got " + transports);
        }
        if (cookie.isPresent() && !cookie.get().matches("[A-Za-z0-9_-]+")) {
          throw new IllegalArgumentException(
              "cookie must be a name of letters, digits, '-' and '_', got '" + cookie.get() + "'");
        }
        if (nodeId.isPresent() && nodeId.get().isBlank()) {
          throw new IllegalArgumentException("nodeId must not be blank");
        }
        return new Options(this);
      }

      // Node timers take at most 2^31-1 ms; a sub-millisecond value would become 0.
      private static void checkMillis(String name, Duration value) {
        if (value.compareTo(Duration.ofMillis(1)) < 0
            || value.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
          throw new IllegalArgumentException(
              name + " must be between 1 ms and " + Integer.MAX_VALUE + " ms, got " + value);
        }
      }
    }
  }
}

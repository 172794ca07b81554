package dev.quarry.examples.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.quarry.core.internal.NamedThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The studio's backend, embedded: a REST API and a socket.io server on 127.0.0.1, each on a random
 * free port, with in-memory data seeded with two projects ({@code p1} "Harbor Lights" with three
 * episodes, {@code p2} "Night Shift").
 *
 * <h2>REST (JSON, under {@link #baseUrl()})</h2>
 *
 * <pre>
 * GET  projects                     POST projects         {title, description}
 * GET  projects/{id}
 * GET  projects/{id}/episodes       POST ...              {title}
 * GET  projects/{id}/characters     POST ...              {name, role}
 * GET  projects/{id}/conversations  POST ...              {title}
 * GET  projects/{id}/executions
 * GET  episodes/{id}                PATCH episodes/{id}   {title}
 * GET  episodes/{id}/scenes         POST ...              {title}
 * POST executions                   {projectId, agent, prompt}: starts a scripted agent
 * GET  executions/{id}
 * GET  executions/{id}/events       the agent events emitted so far (a JSON array)
 * </pre>
 *
 * Lists are pages {@code {docs, totalDocs, page, limit, hasNextPage}} ({@code ?page=1&limit=20}). A
 * POST with an {@code Idempotency-Key} header is done once: a replay with the same key returns the
 * first result. Errors are {@code {error, status}}. {@link #faults()} adds latency and failures;
 * {@link #requestCount(String)} counts requests per {@code "METHOD /path"}.
 *
 * <h2>Socket.io (under {@link #socketUrl()}, WebSocket transport)</h2>
 *
 * {@code subscribe} / {@code unsubscribe} with {@code {"executionId":"x1"}} (or {@code
 * {"projectId":"p1"}}) join / leave a room and ack {@code {"ok":true,"room":"execution:x1"}}. A
 * started execution waits for its first watcher (at most {@link Builder#startGrace}) and then
 * emits, one step per {@link Builder#agentStep}, {@code agent-event} {@code {executionId, seq,
 * type, message}} and {@code task-progress} {@code {executionId, percent, message}} to its room,
 * then {@code agent-complete}, and a {@code notification} to everybody. {@code echo} acks its
 * argument. The server has no connection state recovery (netty-socketio does not implement it).
 *
 * <pre>{@code
 * try (StudioBackend backend = StudioBackend.builder().latency(Duration.ofMillis(100)).start()) {
 *   URI api = backend.baseUrl();        // http://127.0.0.1:41234/api/
 *   URI ws = backend.socketUrl();       // http://127.0.0.1:41235
 *   backend.faults().refuseCreates("(?i)forbidden", 422, "title is not allowed");
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops the HTTP server, the socket.io server and the scheduler;
 * afterwards no thread it started is left.
 */
public final class StudioBackend implements AutoCloseable {
  private final HttpServer http;
  private final ExecutorService httpExecutor;
  private final ScheduledExecutorService scheduler;
  private final SocketServer socket;
  private final RestApi api;
  private final Faults faults = new Faults();
  private final DraftStream drafts;
  private boolean closed;

  private StudioBackend(Builder b) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    StudioData data = new StudioData();
    faults.latency(b.latency);
    ScheduledThreadPoolExecutor sched =
        new ScheduledThreadPoolExecutor(1, new NamedThreadFactory("studio-backend"));
    sched.setRemoveOnCancelPolicy(true);
    this.scheduler = sched;
    AgentRunner[] runner = new AgentRunner[1];
    this.socket = new SocketServer(freePort(), mapper, id -> runner[0].watched(id));
    runner[0] = new AgentRunner(data, scheduler, b.agentStep, b.startGrace, socket);
    this.api =
        new RestApi(
            data, faults, mapper, scheduler, runner[0], n -> socket.toAll("notification", n));
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    this.httpExecutor = Executors.newFixedThreadPool(4, new NamedThreadFactory("studio-http"));
    http.setExecutor(httpExecutor);
    http.createContext("/api/", api);
    this.drafts = new DraftStream(scheduler, Duration.ofMillis(60));
    http.createContext("/api/drafts/", drafts);
  }

  /**
   * Runs the backend on its own until standard input ends or a line is entered, printing its URLs:
   * a backend for {@code StudioDemo --base-url ... --ws-url ...} or for any other client.
   */
  public static void main(String[] args) throws IOException {
    try (StudioBackend backend = start()) {
      System.out.println(
          "studio backend: REST " + backend.baseUrl() + ", socket.io " + backend.socketUrl());
      System.out.println("press Enter to stop");
      int ignored = System.in.read();
    }
  }

  /** A builder with the defaults: no latency, a 250 ms agent step, a 2 s start grace. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts a backend with the defaults. */
  public static StudioBackend start() {
    return builder().start();
  }

  /** The REST API's base URL, ending in {@code /api/}. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/api/");
  }

  /** The socket.io server's URL ({@code http://127.0.0.1:port}; path {@code /socket.io/}). */
  public URI socketUrl() {
    return URI.create("http://127.0.0.1:" + socket.port());
  }

  /** The draft stream ({@code GET /api/drafts/{id}}, server-sent events) and its fault switch. */
  public DraftStream drafts() {
    return drafts;
  }

  /** The failure injection rules of the REST API. */
  public Faults faults() {
    return faults;
  }

  /**
   * How many requests arrived for {@code methodAndPath}, e.g. {@code "GET /api/projects"} (failed
   * and replayed ones included).
   */
  public int requestCount(String methodAndPath) {
    return api.count(Objects.requireNonNull(methodAndPath, "methodAndPath"));
  }

  /**
   * The {@code Idempotency-Key} headers that requests to {@code methodAndPath} carried, in arrival
   * order (a replay shows its key twice).
   */
  public List<String> idempotencyKeys(String methodAndPath) {
    return api.idempotencyKeys(Objects.requireNonNull(methodAndPath, "methodAndPath"));
  }

  /** Every request count so far, by {@code "METHOD /path"}, sorted. */
  public Map<String, Integer> requestCounts() {
    return api.counts();
  }

  /** How many socket.io clients are connected now. */
  public int realtimeClients() {
    return socket.clientCount();
  }

  /**
   * Closes every socket.io connection at the TCP level, without a socket.io DISCONNECT: clients see
   * a lost connection and reconnect (to a new session: rooms and missed events are gone).
   *
   * @return how many clients were connected
   */
  public int dropRealtimeConnections() {
    return socket.dropAll();
  }

  /** Stops both servers and the scheduler. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    http.stop(0);
    httpExecutor.shutdownNow();
    socket.stop();
    scheduler.shutdownNow();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /** Configures a {@link StudioBackend}. Not thread-safe. */
  public static final class Builder {
    private Duration latency = Duration.ZERO;
    private Duration agentStep = Duration.ofMillis(250);
    private Duration startGrace = Duration.ofSeconds(2);

    private Builder() {}

    /** Latency added to every REST response (default none); see {@link Faults#latency}. */
    public Builder latency(Duration latency) {
      this.latency = positiveOrZero("latency", latency);
      return this;
    }

    /** The time between two steps of an agent execution (default 250 ms). */
    public Builder agentStep(Duration step) {
      this.agentStep = positiveOrZero("agentStep", step);
      return this;
    }

    /** How long a started execution waits for a watcher before it runs anyway (default 2 s). */
    public Builder startGrace(Duration grace) {
      this.startGrace = positiveOrZero("startGrace", grace);
      return this;
    }

    /**
     * Starts the backend.
     *
     * @throws UncheckedIOException if a server cannot bind
     */
    public StudioBackend start() {
      // The socket.io server's port is probed free and then bound by netty: another process can
      // take it in between. Such a lost race is retried on a new port, a few times.
      for (int attempt = 1; ; attempt++) {
        StudioBackend backend;
        try {
          backend = new StudioBackend(this);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot create the studio backend", e);
        }
        backend.http.start();
        try {
          backend.socket.start();
          return backend;
        } catch (Exception e) { // netty rethrows a bind failure unchecked, as it is
          backend.close();
          if (attempt >= BIND_ATTEMPTS || !isBindFailure(e)) {
            if (e instanceof RuntimeException r) {
              throw r;
            }
            throw new UncheckedIOException(
                "cannot start the studio backend's socket.io server",
                e instanceof IOException io ? io : new IOException(e));
          }
        }
      }
    }

    private static final int BIND_ATTEMPTS = 5;

    private static boolean isBindFailure(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof java.net.BindException) {
          return true;
        }
        for (Throwable s : t.getSuppressed()) {
          if (s instanceof java.net.BindException) {
            return true;
          }
        }
      }
      return false;
    }

    private static Duration positiveOrZero(String option, Duration d) {
      Objects.requireNonNull(d, option);
      if (d.isNegative()) {
        throw new IllegalArgumentException(option + " must not be negative, got " + d);
      }
      return d;
    }
  }
}

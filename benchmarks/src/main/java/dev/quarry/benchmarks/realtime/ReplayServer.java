package dev.quarry.benchmarks.realtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Socket.IO server that costs almost nothing, for measuring a client's receive path: it speaks
 * just enough Engine.IO v4 / Socket.IO v5 over WebSocket (namespace "/" only) and floods its
 * subscribed connections with {@code tick} events pre-encoded as WebSocket frames, so that the time
 * of a flood is the client's: OkHttp's WebSocket reader, the client's decoding and the delivery to
 * its listener.
 *
 * <p><b>What it answers</b> (for what the benchmark clients check, the same as the Node test server
 * of {@link SocketIoTestServer}):
 *
 * <ul>
 *   <li>{@code GET /socket.io/?EIO=4&transport=websocket} with a WebSocket upgrade: HTTP 101, then
 *       the open packet {@code 0{"sid":...,"upgrades":[],"pingInterval":P,"pingTimeout":T,
 *       "maxPayload":1000000}}. Anything else (HTTP long-polling, another path or protocol version,
 *       no upgrade) is answered HTTP 400 with a text that names what was wrong.
 *   <li>CONNECT {@code 40} or {@code 40{...}}: {@code 40{"sid":...}}; another namespace: {@code
 *       44/nsp,{"message":"Invalid namespace"}}.
 *   <li>{@code subscribe(obj, ack?)} marks the connection subscribed and acks {@code
 *       {"ok":true,"room":ROOM}} (ROOM: the canonical JSON of {@code obj}, as {@link
 *       SocketIoTestServer#roomOf}); a payload that is not an object acks {@code
 *       {"ok":false,"error":...}}. {@code unsubscribe} clears the mark. A flood goes to every
 *       subscribed connection, whatever its room.
 *   <li>{@code echo(args..., ack)} acks its arguments back, {@code 43<id>[args...]}, at once from
 *       the connection's reader thread; without an ack it emits {@code echo(args...)} back.
 *   <li>Every {@code pingInterval} after the open packet (and after each pong) a ping {@code 2}; a
 *       connection that does not answer {@code 3} within {@code pingTimeout} is closed.
 *   <li>A WebSocket ping is answered with a pong, a close frame with a close frame. Any other event
 *       and client acks are ignored (never acked, as the Node server); binary messages too.
 * </ul>
 *
 * <p><b>What it does not do:</b> HTTP long-polling and upgrades, namespaces other than "/", binary
 * attachments, connection state recovery, rooms (a flood goes to every subscribed connection),
 * authentication, compression.
 *
 * <p><b>Floods.</b> {@link #flood} writes {@code count} events {@code 42["tick",{...base,"seq":n}]}
 * where n runs 0 to 999 in each block of 1,000, as the Node server's {@code emitSequence} calls of
 * 1,000 do, so the events and their sizes are those of the Node harness for the same base. A block
 * of 1,000 frames is encoded once per distinct base and written with one {@code OutputStream.write}
 * per block (a shorter last block: a prefix of it).
 *
 * <p><b>Threads and lifecycle.</b> {@link #start} binds 127.0.0.1 on a free port and starts the
 * daemon thread {@code quarry-replay-accept}. Each accepted connection gets a reader and, after the
 * upgrade, a writer thread, both daemons ({@link ReplayConnection} says what each does); both write
 * through one lock per connection, held for one whole frame or flood block, so an ack is never
 * written inside a frame of a flood. {@link #close()} closes the listening socket and every
 * connection and joins the threads (bounded); it is idempotent. Every method is thread-safe.
 *
 * <p><b>Bounds:</b> at most {@value #MAX_CONNECTIONS} connections (more are answered HTTP 503), an
 * HTTP request head of 8 KiB, a client message of {@value #MAX_MESSAGE} bytes (a larger one closes
 * that connection with 1009), 4 floods waiting per connection, {@value #MAX_BLOCKS} encoded blocks,
 * {@value #MAX_NOTES} notes.
 */
final class ReplayServer implements AutoCloseable {
  /** The largest client message, the {@code maxPayload} of the open packet. */
  static final int MAX_MESSAGE = 1_000_000;

  static final int MAX_CONNECTIONS = 64;
  static final int MAX_BLOCKS = 16;
  static final int MAX_NOTES = 1_000;

  /** Events per pre-encoded block, as the Node harness's control calls. */
  static final int BLOCK = 1_000;

  static final int MAX_HEAD = 8 * 1024;
  static final int MAX_QUEUED_FLOODS = 4;
  private static final Duration JOIN = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerSocket listener;
  final long pingIntervalNanos;
  final long pingTimeoutNanos;

  /** The end of every open packet, after its sid: upgrades, ping settings, maxPayload. */
  final byte[] openPacketJson;

  private final Thread acceptor;
  private final Set<ReplayConnection> conns = ConcurrentHashMap.newKeySet();
  private final List<Thread> threads = new ArrayList<>(); // guarded by itself
  private final Map<Map<String, Object>, Block> blocks = new ConcurrentHashMap<>();
  private final List<String> notes = new ArrayList<>(); // guarded by itself
  private final AtomicInteger nextId = new AtomicInteger();
  private final AtomicLong pings = new AtomicLong();
  private final Object idle = new Object();
  private volatile boolean closed;
  private int droppedNotes; // guarded by notes

  /** {@value #BLOCK} frames of one base, encoded once; immutable after construction. */
  static final class Block {
    private final byte[] bytes;
    private final int[] ends;

    Block(byte[] bytes, int[] ends) {
      this.bytes = bytes;
      this.ends = ends;
    }

    /** Writes the first {@code frames} frames with one write. */
    void writeTo(OutputStream out, int frames) throws IOException {
      out.write(bytes, 0, ends[frames - 1]);
    }
  }

  /** One flood for one connection; {@code started}: nanoTime just before its first write. */
  record Job(Block block, int count, CompletableFuture<Long> started) {}

  private ReplayServer(ServerSocket listener, Duration pingInterval, Duration pingTimeout) {
    this.listener = listener;
    this.pingIntervalNanos = pingInterval.toNanos();
    this.pingTimeoutNanos = pingTimeout.toNanos();
    this.openPacketJson =
        (",\"upgrades\":[],\"pingInterval\":"
                + pingInterval.toMillis()
                + ",\"pingTimeout\":"
                + pingTimeout.toMillis()
                + ",\"maxPayload\":"
                + MAX_MESSAGE
                + "}")
            .getBytes(StandardCharsets.UTF_8);
    this.acceptor = new Thread(this::acceptLoop, "quarry-replay-accept");
    acceptor.setDaemon(true);
  }

  /** Starts a server with Node's defaults: pingInterval 25 s, pingTimeout 20 s. */
  static ReplayServer start() throws IOException {
    return start(Duration.ofSeconds(25), Duration.ofSeconds(20));
  }

  /**
   * Starts a server on 127.0.0.1 and a free port.
   *
   * @throws IllegalArgumentException if a duration is not positive
   */
  static ReplayServer start(Duration pingInterval, Duration pingTimeout) throws IOException {
    if (pingInterval.isNegative()
        || pingInterval.isZero()
        || pingTimeout.isNegative()
        || pingTimeout.isZero()) {
      throw new IllegalArgumentException(
          "pingInterval and pingTimeout must be positive, got "
              + pingInterval
              + ", "
              + pingTimeout);
    }
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    ReplayServer server = new ReplayServer(s, pingInterval, pingTimeout);
    server.acceptor.start();
    return server;
  }

  /** {@code http://127.0.0.1:<port>}; the Socket.IO path is {@code /socket.io/}. */
  String url() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  /** Connections open now (upgraded or not). */
  int openConnections() {
    return conns.size();
  }

  /** Connections subscribed now. */
  int subscribedConnections() {
    return (int) conns.stream().filter(c -> c.subscribed && !c.ending).count();
  }

  /** Engine.IO pings sent since the start, on every connection. */
  long pingsSent() {
    return pings.get();
  }

  /**
   * Returns and clears what went wrong since the last call: refused requests, protocol errors,
   * write failures, ping timeouts, connections that ended without a close frame. A client that
   * closes normally (close frame, or Engine.IO close) leaves no note.
   */
  List<String> drainNotes() {
    synchronized (notes) {
      List<String> out = new ArrayList<>(notes);
      if (droppedNotes > 0) {
        out.add(droppedNotes + " more notes dropped (limit " + MAX_NOTES + ")");
      }
      notes.clear();
      droppedNotes = 0;
      return out;
    }
  }

  /** Waits until no connection is open, at most {@code timeout}; true if none is. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (!conns.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(idle, left);
      }
      return true;
    }
  }

  /**
   * Queues a flood of {@code count} {@code tick} events on every subscribed connection and waits
   * until each writer has started it; returns the earliest {@code System.nanoTime()} taken just
   * before a first write. The events follow any flood still being written to a connection.
   *
   * @param base the event's payload object without {@code seq} (a {@code seq} in it is replaced, in
   *     place, as by JavaScript's spread)
   * @throws IllegalArgumentException if {@code count} is below 1
   * @throws IllegalStateException if no connection is subscribed, a connection has {@value
   *     #MAX_QUEUED_FLOODS} floods waiting, or a writer did not start within {@code timeout} (the
   *     cause says why)
   */
  long flood(int count, Map<String, Object> base, Duration timeout) throws InterruptedException {
    if (count < 1) {
      throw new IllegalArgumentException("flood count must be at least 1, got " + count);
    }
    Block block = blockOf(base);
    List<Job> jobs = new ArrayList<>();
    for (ReplayConnection c : conns) {
      if (!c.subscribed || c.ending) {
        continue;
      }
      Job job = new Job(block, count, new CompletableFuture<>());
      if (!c.jobs.offer(job)) {
        throw new IllegalStateException(
            "connection " + c.id + " has " + MAX_QUEUED_FLOODS + " floods waiting already");
      }
      jobs.add(job);
    }
    if (jobs.isEmpty()) {
      throw new IllegalStateException("flood: no subscribed connection");
    }
    long first = Long.MAX_VALUE;
    for (Job job : jobs) {
      try {
        first = Math.min(first, job.started().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException("flood: a writer did not start within " + timeout, e);
      }
    }
    return first;
  }

  /** Closes the listening socket and every connection; joins the threads (bounded). */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      note(0, "closing the listening socket: " + e);
    }
    conns.forEach(ReplayConnection::end);
    List<Thread> all;
    synchronized (threads) {
      all = new ArrayList<>(threads);
    }
    all.add(acceptor);
    for (Thread t : all) {
      try {
        t.join(JOIN.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  // ---------------------------------------------------------------- floods

  private Block blockOf(Map<String, Object> base) {
    Map<String, Object> key = new LinkedHashMap<>(base);
    Block b = blocks.get(key);
    if (b != null) {
      return b;
    }
    if (blocks.size() >= MAX_BLOCKS) {
      blocks.clear();
    }
    return blocks.computeIfAbsent(key, ReplayServer::encode);
  }

  private static Block encode(Map<String, Object> base) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int[] ends = new int[BLOCK];
    Map<String, Object> event = new LinkedHashMap<>(base);
    for (int seq = 0; seq < BLOCK; seq++) {
      event.put("seq", seq);
      String text;
      try {
        text = "42[\"tick\"," + JSON.writeValueAsString(event) + "]";
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("flood base cannot be written as JSON: " + base, e);
      }
      byte[] frame = WebSocketWire.text(text);
      out.write(frame, 0, frame.length);
      ends[seq] = out.size();
    }
    return new Block(out.toByteArray(), ends);
  }

  // ---------------------------------------------------------------- accepting

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException e) {
        if (!closed) {
          note(0, "accept failed, no more connections: " + e);
        }
        return;
      }
      if (conns.size() >= MAX_CONNECTIONS) {
        refuse(socket, 503, "Service Unavailable", "over " + MAX_CONNECTIONS + " connections");
        continue;
      }
      ReplayConnection c;
      try {
        c = new ReplayConnection(this, nextId.incrementAndGet(), socket);
      } catch (IOException e) {
        note(0, "cannot set up an accepted socket: " + e);
        closeQuietly(socket);
        continue;
      }
      conns.add(c);
      if (closed) {
        c.end();
        return;
      }
      c.newThread(c::read, "quarry-replay-reader-" + c.id).start();
    }
  }

  void refuse(Socket socket, int status, String reason, String text) {
    note(0, "refused a connection: " + text);
    try {
      socket.getOutputStream().write(WebSocketWire.httpError(status, reason, text));
    } catch (IOException e) {
      // the peer is gone already; the note says what happened
    }
    closeQuietly(socket);
  }

  void note(int conn, String text) {
    synchronized (notes) {
      if (notes.size() < MAX_NOTES) {
        notes.add(conn == 0 ? text : "connection " + conn + ": " + text);
      } else {
        droppedNotes++;
      }
    }
  }

  static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  static String randomId() {
    byte[] b = new byte[15];
    ThreadLocalRandom.current().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  boolean isClosed() {
    return closed;
  }

  void pinged() {
    pings.incrementAndGet();
  }

  /** Registers a connection's thread for {@link #close()} to join. */
  void register(Thread t) {
    synchronized (threads) {
      threads.removeIf(old -> !old.isAlive() && old.getState() != Thread.State.NEW);
      threads.add(t);
    }
  }

  /** A connection ended: it leaves the set, and {@link #awaitIdle} is woken. */
  void removed(ReplayConnection c) {
    if (conns.remove(c)) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }
}

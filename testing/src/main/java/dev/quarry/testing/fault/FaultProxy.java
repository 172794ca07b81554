package dev.quarry.testing.fault;

import dev.quarry.core.internal.NamedThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A loopback TCP proxy in front of a target {@code host:port} that a test can make misbehave:
 * latency per direction, a bandwidth cap per direction, a black hole (traffic is dropped, sockets
 * stay open: a dead-but-open peer), resetting every open connection (TCP RST), and refusing new
 * connections (the listening socket is closed, so connects fail with "connection refused"). It
 * counts connections and bytes.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start("127.0.0.1", server.port())) {
 *   // point the client under test at the proxy instead of the server
 *   RealtimeClient client =
 *       RealtimeClient.create(RealtimeOptions.builder(URI.create(proxy.url())).build());
 *   proxy.latency(FaultProxy.Direction.DOWNSTREAM, Duration.ofMillis(200));
 *   proxy.blackHole(true);          // the client's heartbeat must notice
 *   proxy.blackHole(false);
 *   proxy.resetAll();               // every open connection gets an RST
 *   assertThat(proxy.stats().accepted()).isEqualTo(2);
 * }
 * }</pre>
 *
 * <p><b>Behaviour.</b> The proxy listens on {@code 127.0.0.1} and a random free port ({@link
 * #port()}). For every accepted connection it connects to the target; if that fails the client's
 * connection is closed at once. Data is forwarded in chunks as it is read; a chunk read at time t
 * is written no earlier than t + the direction's latency (latency does not reduce throughput), and
 * no faster than the direction's bandwidth cap. While the black hole is on, data read in either
 * direction is dropped (counted in {@link Stats#bytesDropped()}) and connections stay open; data
 * read after it is turned off flows again (the byte stream then has a hole, as after a real network
 * outage). An end of stream from one side is passed on as a half-close to the other; when both
 * directions have ended, both sockets are closed.
 *
 * <p><b>Threads.</b> All control methods are thread-safe and take effect for data read afterwards.
 * The proxy uses daemon threads named {@code quarry-faultproxy-...}: one acceptor, four per
 * connection (a reader and a writer per direction) and a short-lived one while connecting. {@link
 * #close()} closes every socket and stops every thread (bounded wait); it is idempotent. Nullness:
 * no method accepts or returns {@code null}.
 *
 * <p><b>Errors.</b> {@link #start} throws {@link UncheckedIOException} if it cannot listen. Faults
 * on forwarded connections are never thrown: a failing connection is closed and counted.
 */
public final class FaultProxy implements AutoCloseable {
  /** The direction of traffic a fault applies to. */
  public enum Direction {
    /** From the client (the side that connected to the proxy) to the target. */
    UPSTREAM,
    /** From the target to the client. */
    DOWNSTREAM
  }

  /**
   * Counters since the proxy started.
   *
   * @param accepted connections accepted from clients
   * @param open connections currently open
   * @param targetConnectFailures accepted connections closed because the target could not be
   *     reached
   * @param resets connections ended by {@link #resetAll()}
   * @param bytesUpstream bytes forwarded from clients to the target
   * @param bytesDownstream bytes forwarded from the target to clients
   * @param bytesDropped bytes dropped by the black hole, both directions
   */
  public record Stats(
      long accepted,
      int open,
      long targetConnectFailures,
      long resets,
      long bytesUpstream,
      long bytesDownstream,
      long bytesDropped) {}

  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

  private final InetSocketAddress target;
  private final ThreadFactory threads = new NamedThreadFactory("faultproxy");
  private final Set<ProxyConnection> connections = ConcurrentHashMap.newKeySet();
  private final Object listenLock = new Object();
  private final int port;

  // Faults, read by the pipes for every chunk.
  private final long[] latencyNanos = new long[2];
  private final long[] bytesPerSecond = new long[2];
  private volatile boolean blackHole;

  final AtomicLong accepted = new AtomicLong();
  final AtomicLong targetConnectFailures = new AtomicLong();
  final AtomicLong resets = new AtomicLong();
  final AtomicLong bytesUpstream = new AtomicLong();
  final AtomicLong bytesDownstream = new AtomicLong();
  final AtomicLong bytesDropped = new AtomicLong();

  private @Nullable ServerSocket listener;
  private @Nullable Thread acceptor;
  private volatile boolean closed;

  private FaultProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    ServerSocket s = bind(0);
    this.port = s.getLocalPort();
    synchronized (listenLock) {
      startAcceptor(s);
    }
  }

  /**
   * Starts a proxy to {@code host:port}.
   *
   * @throws IllegalArgumentException if {@code port} is not in 1..65535
   * @throws UncheckedIOException if the proxy cannot listen
   */
  public static FaultProxy start(String host, int port) {
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be in 1..65535, was " + port);
    }
    return start(InetSocketAddress.createUnresolved(Objects.requireNonNull(host, "host"), port));
  }

  /**
   * Starts a proxy to {@code target} (resolved on every connection if unresolved).
   *
   * @throws UncheckedIOException if the proxy cannot listen
   */
  public static FaultProxy start(InetSocketAddress target) {
    try {
      return new FaultProxy(Objects.requireNonNull(target, "target"));
    } catch (IOException e) {
      throw new UncheckedIOException("FaultProxy could not listen on 127.0.0.1", e);
    }
  }

  /** The port the proxy listens on (127.0.0.1); stays the same while connections are refused. */
  public int port() {
    return port;
  }

  /** {@code "127.0.0.1"}. */
  public String host() {
    return "127.0.0.1";
  }

  /** {@code "http://127.0.0.1:<port>"}, for HTTP and socket.io clients. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The target this proxy forwards to. */
  public InetSocketAddress target() {
    return target;
  }

  /**
   * Delays data in {@code direction} by {@code latency} (zero removes the delay).
   *
   * @throws IllegalArgumentException if {@code latency} is negative
   */
  public FaultProxy latency(Direction direction, Duration latency) {
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative, was " + latency);
    }
    synchronized (latencyNanos) {
      latencyNanos[direction.ordinal()] = latency.toNanos();
    }
    return this;
  }

  /**
   * Limits data in {@code direction} to {@code bytesPerSecond}; {@code 0} removes the limit.
   *
   * @throws IllegalArgumentException if {@code bytesPerSecond} is negative
   */
  public FaultProxy bandwidth(Direction direction, long bytesPerSecond) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bytesPerSecond must be >= 0, was " + bytesPerSecond);
    }
    synchronized (this.bytesPerSecond) {
      this.bytesPerSecond[direction.ordinal()] = bytesPerSecond;
    }
    return this;
  }

  /**
   * Turns the black hole on or off: while on, data in both directions is dropped and every
   * connection, new ones included, stays open.
   */
  public FaultProxy blackHole(boolean on) {
    blackHole = on;
    return this;
  }

  /**
   * Refuses new connections ({@code true}: the listening socket is closed, connects fail with
   * "connection refused") or accepts them again on the same port. Open connections are unaffected.
   *
   * @throws UncheckedIOException if the port cannot be listened on again
   */
  public FaultProxy refuseNewConnections(boolean refuse) {
    synchronized (listenLock) {
      if (closed) {
        return this;
      }
      if (refuse && listener != null) {
        stopListening();
      } else if (!refuse && listener == null) {
        try {
          startAcceptor(bind(port));
        } catch (IOException e) {
          throw new UncheckedIOException("FaultProxy could not listen again on port " + port, e);
        }
      }
    }
    return this;
  }

  /**
   * Resets every open connection: both its sockets are closed with an RST (SO_LINGER 0) and
   * buffered data is discarded.
   *
   * @return how many connections were reset
   */
  public int resetAll() {
    int n = 0;
    for (ProxyConnection c : List.copyOf(connections)) {
      if (c.reset()) {
        resets.incrementAndGet();
        n++;
      }
    }
    return n;
  }

  /** Removes every fault: no latency, no bandwidth cap, no black hole, connections accepted. */
  public FaultProxy heal() {
    for (Direction d : Direction.values()) {
      latency(d, Duration.ZERO);
      bandwidth(d, 0);
    }
    blackHole(false);
    return refuseNewConnections(false);
  }

  /** The counters now. */
  public Stats stats() {
    return new Stats(
        accepted.get(),
        connections.size(),
        targetConnectFailures.get(),
        resets.get(),
        bytesUpstream.get(),
        bytesDownstream.get(),
        bytesDropped.get());
  }

  /** Closes every connection and the listener and stops every thread; idempotent. */
  @Override
  public void close() {
    Thread acc;
    synchronized (listenLock) {
      if (closed) {
        return;
      }
      closed = true;
      acc = acceptor;
      stopListening();
    }
    List<Thread> toJoin = new ArrayList<>();
    if (acc != null) {
      toJoin.add(acc);
    }
    for (ProxyConnection c : List.copyOf(connections)) {
      toJoin.addAll(c.close());
    }
    long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
    for (Thread t : toJoin) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        t.join(Math.max(1, left / 1_000_000L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public String toString() {
    return "FaultProxy[127.0.0.1:" + port + " -> " + target + ", " + stats() + "]";
  }

  long latencyNanos(Direction d) {
    synchronized (latencyNanos) {
      return latencyNanos[d.ordinal()];
    }
  }

  long bytesPerSecond(Direction d) {
    synchronized (bytesPerSecond) {
      return bytesPerSecond[d.ordinal()];
    }
  }

  boolean blackHole() {
    return blackHole;
  }

  Thread newThread(Runnable r) {
    return threads.newThread(r);
  }

  void removed(ProxyConnection c) {
    connections.remove(c);
  }

  private static ServerSocket bind(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    try {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return s;
  }

  // Called with listenLock held.
  private void startAcceptor(ServerSocket s) {
    listener = s;
    Thread t = threads.newThread(() -> acceptLoop(s));
    acceptor = t;
    t.start();
  }

  // Called with listenLock held. The socket is really closed only when the thread blocked in
  // accept() has left it, so wait (bounded) for the acceptor to end before connects are refused.
  private void stopListening() {
    ServerSocket s = listener;
    Thread t = acceptor;
    listener = null;
    acceptor = null;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing is all we wanted
      }
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(JOIN_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void acceptLoop(ServerSocket s) {
    while (!s.isClosed()) {
      Socket client;
      try {
        client = s.accept();
      } catch (SocketException e) {
        return; // listener closed
      } catch (IOException e) {
        continue;
      }
      accepted.incrementAndGet();
      Thread connector = threads.newThread(() -> connect(client));
      connector.start();
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    try {
      InetSocketAddress addr =
          target.isUnresolved()
              ? new InetSocketAddress(target.getHostString(), target.getPort())
              : target;
      upstream.connect(addr, (int) JOIN_TIMEOUT.toMillis());
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
    } catch (IOException e) {
      targetConnectFailures.incrementAndGet();
      closeQuietly(upstream);
      closeQuietly(client);
      return;
    }
    ProxyConnection c = new ProxyConnection(this, client, upstream);
    connections.add(c);
    if (closed) {
      c.close();
      return;
    }
    c.start();
  }

  static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing left to do with a socket that cannot close
    }
  }
}

package dev.quarry.testing.fault;

import dev.quarry.testing.fault.FaultProxy.Direction;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** One proxied connection: a client socket, a target socket and a {@link Pipe} each way. */
final class ProxyConnection {
  private final FaultProxy proxy;
  private final Socket client;
  private final Socket upstream;
  private final Pipe up;
  private final Pipe down;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final AtomicInteger directionsDone = new AtomicInteger();

  ProxyConnection(FaultProxy proxy, Socket client, Socket upstream) {
    this.proxy = proxy;
    this.client = client;
    this.upstream = upstream;
    this.up = new Pipe(this, Direction.UPSTREAM, client, upstream, proxy.bytesUpstream);
    this.down = new Pipe(this, Direction.DOWNSTREAM, upstream, client, proxy.bytesDownstream);
  }

  FaultProxy proxy() {
    return proxy;
  }

  void start() {
    up.start();
    down.start();
  }

  /** A direction has passed on its end of stream; when both have, the connection is over. */
  void directionDone() {
    if (directionsDone.incrementAndGet() == 2) {
      close();
    }
  }

  /** Ends the connection with an RST on both sockets; true if it was still open. */
  boolean reset() {
    if (!ended.compareAndSet(false, true)) {
      return false;
    }
    linger0(client);
    linger0(upstream);
    finish();
    return true;
  }

  /** Ends the connection with a normal close; returns the threads to wait for. */
  List<Thread> close() {
    if (ended.compareAndSet(false, true)) {
      finish();
    }
    List<Thread> threads = new ArrayList<>();
    up.addThreads(threads);
    down.addThreads(threads);
    return threads;
  }

  private void finish() {
    FaultProxy.closeQuietly(client);
    FaultProxy.closeQuietly(upstream);
    up.stop();
    down.stop();
    proxy.removed(this);
  }

  private static void linger0(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // already closed: nothing to reset
    }
  }
}

package dev.quarry.testing.fault;

import dev.quarry.testing.fault.FaultProxy.Direction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One direction of a proxied connection. A reader thread reads chunks, stamps each with the time it
 * may be written (read time + latency) and queues it; a writer thread writes each chunk when it is
 * due, paced by the bandwidth cap. Separate threads keep latency from reducing throughput; the
 * bounded queue passes back-pressure to the sender.
 */
final class Pipe {
  private static final int CHUNK = 16 * 1024;
  private static final int QUEUE_CHUNKS = 256;
  private static final byte[] EOF = new byte[0];

  private record Chunk(byte[] data, long dueNanos) {}

  private final ProxyConnection connection;
  private final Direction direction;
  private final Socket from;
  private final Socket to;
  private final AtomicLong forwarded;
  private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
  private final Thread reader;
  private final Thread writer;
  private volatile boolean stopped;
  private long nextSendNanos;

  Pipe(ProxyConnection connection, Direction direction, Socket from, Socket to, AtomicLong fwd) {
    this.connection = connection;
    this.direction = direction;
    this.from = from;
    this.to = to;
    this.forwarded = fwd;
    this.reader = connection.proxy().newThread(this::readLoop);
    this.writer = connection.proxy().newThread(this::writeLoop);
  }

  void start() {
    reader.start();
    writer.start();
  }

  void stop() {
    stopped = true;
    reader.interrupt();
    writer.interrupt();
  }

  void addThreads(List<Thread> threads) {
    threads.add(reader);
    threads.add(writer);
  }

  private FaultProxy proxy() {
    return connection.proxy();
  }

  private void readLoop() {
    byte[] buf = new byte[CHUNK];
    try {
      InputStream in = from.getInputStream();
      while (!stopped) {
        int n = in.read(buf);
        if (n < 0) {
          queue.put(new Chunk(EOF, System.nanoTime()));
          return;
        }
        if (proxy().blackHole()) {
          proxy().bytesDropped.addAndGet(n);
          continue;
        }
        long due = System.nanoTime() + proxy().latencyNanos(direction);
        queue.put(new Chunk(Arrays.copyOf(buf, n), due));
      }
    } catch (IOException e) {
      if (!stopped) {
        connection.reset(); // a peer's reset (or a broken socket) is passed on as a reset
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stopped
    }
  }

  private void writeLoop() {
    try {
      OutputStream out = to.getOutputStream();
      while (!stopped) {
        Chunk c = queue.take();
        if (c.data() == EOF) {
          if (!awaitNanos(c.dueNanos())) {
            return;
          }
          to.shutdownOutput();
          connection.directionDone();
          return;
        }
        if (!awaitNanos(c.dueNanos())) {
          return;
        }
        write(out, c.data());
      }
    } catch (IOException e) {
      if (!stopped) {
        connection.reset();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stopped
    }
  }

  private void write(OutputStream out, byte[] data) throws IOException {
    int off = 0;
    while (off < data.length) {
      if (proxy().blackHole()) {
        proxy().bytesDropped.addAndGet(data.length - off);
        return;
      }
      long bps = proxy().bytesPerSecond(direction);
      int len = data.length - off;
      if (bps > 0) {
        // Slices of ~1/20 s of traffic keep the pacing smooth.
        len = (int) Math.min(len, Math.max(1, bps / 20));
        long now = System.nanoTime();
        if (nextSendNanos - now < 0) {
          nextSendNanos = now;
        }
        if (!awaitNanos(nextSendNanos)) {
          return;
        }
        nextSendNanos += len * 1_000_000_000L / bps;
      }
      out.write(data, off, len);
      out.flush();
      forwarded.addAndGet(len);
      off += len;
    }
  }

  /** Parks until {@code dueNanos}; false if the pipe was stopped meanwhile. */
  private boolean awaitNanos(long dueNanos) {
    long left;
    while ((left = dueNanos - System.nanoTime()) > 0) {
      if (stopped) {
        return false;
      }
      LockSupport.parkNanos(this, left);
    }
    return !stopped;
  }

  @Override
  public String toString() {
    return "Pipe[" + direction + ", " + from + " -> " + to + "]";
  }
}

package dev.quarry.realtime.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The bounded queue between a transport's reader thread and the stage that decodes and routes its
 * frames, one per {@link Conn}. The reader thread only {@link #offer}s what it read (a {@code
 * String}, a {@code byte[]}, or the end of the transport); the frames are handed, in the order they
 * were offered, to the {@link Sink} on the inbound executor (a connection's own {@code
 * quarry-realtime-inbound} thread), one drain task at a time: a drain is submitted only when none
 * is queued or running, so a busy stage costs the reader no wake-up per frame.
 *
 * <p>The queue holds at most {@link Limits#frames()} frames and {@link Limits#units()} units (chars
 * of text frames plus bytes of binary frames), except that a frame is always taken into an empty
 * queue, whatever its size (the decoder's message limit applies to it). When it is full the reader
 * thread waits: the server's writes back up into TCP instead of the heap, and nothing is dropped.
 * The end of the transport is always taken (it is one item per connection), so a drain task that
 * reports it never waits for itself.
 *
 * <p>{@link #close()} (when the connection ends) discards what is queued, wakes a waiting reader
 * and makes later offers no-ops: the frames of a connection that is no longer current are ignored.
 *
 * <p>Thread-safe: one monitor guards the queue; the sink runs without it.
 */
final class Inbound {
  /**
   * How much the queue holds: {@code frames} frames, {@code units} chars plus bytes. The default
   * (65,536 frames, 16 Mi units) absorbs a burst of tens of thousands of small events while the
   * decoding stage warms up on a cold JVM, for a few tens of MiB at most.
   */
  record Limits(int frames, long units) {
    static final Limits DEFAULT = new Limits(65_536, 16L * 1024 * 1024);

    Limits {
      if (frames < 1 || units < 1) {
        throw new IllegalArgumentException(
            "inbound limits must be positive, got " + frames + " frames, " + units + " units");
      }
    }
  }

  /** What receives the frames, in order, on the inbound executor. */
  interface Sink {
    void text(String text);

    void binary(byte[] bytes);

    void end(String reason, @Nullable Throwable cause);
  }

  /** The end of the transport, queued after its last frame. */
  private record End(String reason, @Nullable Throwable cause) {}

  private final Sink sink;
  private final Executor executor;
  private final Limits limits;
  private final Runnable drain = this::drain;

  // guarded by this
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private long units;
  private boolean scheduled;
  private boolean closed;
  private int waiting;

  Inbound(Sink sink, Executor executor, Limits limits) {
    this.sink = sink;
    this.executor = executor;
    this.limits = limits;
  }

  /** Queues a text frame; on the reader thread. Waits while the queue is full. */
  void offer(String text) {
    put(text, text.length());
  }

  /** Queues a binary frame; on the reader thread. Waits while the queue is full. */
  void offer(byte[] bytes) {
    put(bytes, bytes.length);
  }

  /** Queues the end of the transport; never waits. */
  void end(String reason, @Nullable Throwable cause) {
    boolean submit;
    synchronized (this) {
      if (closed) {
        return;
      }
      queue.add(new End(reason, cause));
      submit = schedule();
    }
    if (submit) {
      submit();
    }
  }

  private void put(Object frame, long size) {
    boolean submit;
    synchronized (this) {
      boolean interrupted = false;
      while (!closed
          && !queue.isEmpty()
          && (queue.size() >= limits.frames() || units + size > limits.units())) {
        waiting++;
        try {
          wait();
        } catch (InterruptedException e) {
          // The reader is being stopped: keep the frame (nothing already read is dropped) and let
          // the caller see the interrupt.
          interrupted = true;
        } finally {
          waiting--;
        }
        if (interrupted) {
          break;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (closed) {
        return;
      }
      queue.add(frame);
      units += size;
      submit = schedule();
    }
    if (submit) {
      submit();
    }
  }

  /** Whether a drain must be submitted; under the monitor. */
  private boolean schedule() {
    if (scheduled) {
      return false;
    }
    scheduled = true;
    return true;
  }

  private void submit() {
    try {
      executor.execute(drain);
    } catch (RejectedExecutionException e) {
      // The connection's threads are stopped: it has been closed, so its frames are ignored.
      close();
    }
  }

  /** Discards the queue and ignores later offers; wakes a waiting reader. */
  void close() {
    synchronized (this) {
      closed = true;
      queue.clear();
      units = 0;
      notifyAll();
    }
  }

  /** Frames (and the end, if queued) waiting for the stage. */
  synchronized int queued() {
    return queue.size();
  }

  private void drain() {
    while (true) {
      Object item;
      synchronized (this) {
        item = queue.poll();
        if (item == null) {
          scheduled = false;
          return;
        }
        if (item instanceof String s) {
          units -= s.length();
        } else if (item instanceof byte[] b) {
          units -= b.length;
        }
        if (waiting > 0) {
          notifyAll();
        }
      }
      try {
        if (item instanceof String s) {
          sink.text(s);
        } else if (item instanceof byte[] b) {
          sink.binary(b);
        } else {
          End e = (End) item;
          sink.end(e.reason(), e.cause());
        }
      } catch (RuntimeException | Error e) {
        // The sink handles its own failures; if one escapes, go on in a new drain (the executor
        // reports the failure), or a reader waiting for room would wait for ever.
        boolean again;
        synchronized (this) {
          scheduled = false;
          again = !queue.isEmpty() && schedule();
        }
        if (again) {
          submit();
        }
        throw e;
      }
    }
  }
}

package dev.quarry.realtime.internal;

import dev.quarry.core.internal.Linger;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The bounded queue between a transport's reader thread and the stage that decodes and routes its
 * frames, one per {@link Conn}. The reader thread only {@link #offer}s what it read (a {@code
 * String}, a {@code byte[]}, or the end of the transport); the frames are handed, in the order they
 * were offered, to the {@link Sink} on the inbound executor (a connection's own {@code
 * quarry-realtime-inbound} thread), one drain task at a time: a drain is submitted only when none
 * is queued or running, so a busy stage costs the reader no wake-up per frame. A drain takes the
 * frames in batches (at most {@value #BATCH_FRAMES} frames and {@value #BATCH_UNITS} units, or one
 * larger frame), so that under a flood the two threads meet at the monitor once per batch; a batch
 * counts against the queue's limits until the drain comes back for the next.
 *
 * <p><b>A lone frame on a quiet connection</b> (no frame waiting, no drain queued or running) is
 * handed to the sink on the reader thread itself, when {@link Limits#readerMayDecode()} allows it
 * and the reader has decoding time left: this saves the hop to the stage (and its wake-up) for an
 * ack or an occasional event, which is most of what a quiet connection carries. The time the reader
 * spends in the sink is metered: it earns one nanosecond of decoding for every {@value #EARN_SHARE}
 * nanoseconds that pass, holds at most {@link #MAX_CREDIT_NANOS} of it, and goes through the queue
 * while it is in debt. A flood therefore costs the reader at most that share of its time (plus one
 * frame's decoding, however slow: a cold JVM's first frame can take milliseconds); everything else
 * waits in the queue for the stage, and a frame is never decoded inline while another waits or the
 * stage is working, so the order is kept. The reader answers a ping before offering it ({@link
 * Conn}), so a pong waits at most for the one frame the reader is decoding, never for a backlog.
 *
 * <p>The queue holds at most {@link Limits#frames()} frames and {@link Limits#units()} units (chars
 * of text frames plus bytes of binary frames), except that a frame is always taken into an empty
 * queue, whatever its size (the decoder's message limit applies to it). When it is full the reader
 * thread waits: the server's writes back up into TCP instead of the heap, and nothing is dropped;
 * it is woken when the queue is down to half its limits (or empty), so that under a flood it reads
 * in bursts instead of waking once per frame taken. The end of the transport is always taken (it is
 * one item per connection), and always goes through the queue, so a drain task that reports it
 * never waits for itself.
 *
 * <p>{@link #close()} (when the connection ends) discards what is queued, wakes a waiting reader
 * and makes later offers no-ops: the frames of a connection that is no longer current are ignored.
 * (The rest of a batch a drain has already taken still goes to the sink, which ignores the frames
 * of a connection that is no longer current.)
 *
 * <p>Thread-safe: one monitor guards the queue, the drain flag and the reader's credit; the sink
 * runs without it, on one thread at a time (the reader or the stage), each handing over to the
 * other through the monitor.
 */
final class Inbound {
  /**
   * How much the queue holds: {@code frames} frames, {@code units} chars plus bytes. The default
   * (65,536 frames, 16 Mi units) absorbs a burst of tens of thousands of small events while the
   * decoding stage warms up on a cold JVM, for a few tens of MiB at most. With {@code
   * readerMayDecode} false every frame goes through the queue (tests of the queue itself).
   */
  record Limits(int frames, long units, boolean readerMayDecode) {
    static final Limits DEFAULT = new Limits(65_536, 16L * 1024 * 1024, true);

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

  /** The reader earns one nanosecond of inline decoding per this many nanoseconds. */
  static final int EARN_SHARE = 4;

  /**
   * The most frames a drain takes from the queue at once: the stage takes the queue's monitor (and
   * the lines the reader writes) once per batch, not once per frame.
   */
  static final int BATCH_FRAMES = 64;

  /** The most units a drain takes at once, unless its first frame alone is larger. */
  static final long BATCH_UNITS = 64 * 1024;

  /** The most inline decoding time the reader can hold (and start with): 2 ms. */
  static final long MAX_CREDIT_NANOS = 2_000_000;

  private final Sink sink;
  private final Executor executor;
  private final Limits limits;
  private final LongSupplier nanoTime;
  private final BooleanSupplier sinkReady;
  private final Runnable drain = this::drain;
  private final long lingerNanos;

  /** {@code queue.size()}, for a lingering drain to watch without the monitor. */
  private volatile int queuedCount;

  private final BooleanSupplier frameQueued = () -> queuedCount != 0;

  /** Whether the reader is handing a frame to the sink itself; read and written by that thread. */
  private boolean decodingInline;

  // guarded by this
  private final ArrayDeque<Object> queue = new ArrayDeque<>();

  /**
   * The frames a drain has taken and not yet handed over; used by one drain at a time, handed to
   * the next through the monitor.
   */
  private final Object[] batch = new Object[BATCH_FRAMES];

  /**
   * How many frames of the drain's batch are still to be handed over (not counting the one being
   * handed), for {@link #queued()}; written by the drain with release semantics (no fence per
   * frame), read by anyone.
   */
  private final AtomicInteger batchLeft = new AtomicInteger();

  private long units;

  /**
   * The frames and units of the batch the drain took last: still counted against the limits (and in
   * {@link #units}) until the drain comes back for more, so that the queue and the batch together
   * stay within them.
   */
  private int inFlightFrames;

  private long inFlightUnits;

  private boolean scheduled;
  private boolean closed;
  private int waiting;

  /**
   * The reader's inline decoding time, in nanoseconds times {@link #EARN_SHARE}; may be negative.
   */
  private long credit;

  /** When {@link #credit} was last brought up to date. */
  private long creditAt;

  /** Frames the reader handed to the sink itself (for tests and diagnostics). */
  private long inlined;

  /** Times the reader waited for room (for tests and diagnostics). */
  private long readerWaits;

  /**
   * A queue whose frames go to {@code sink} on {@code executor}, within {@code limits}; {@code
   * nanoTime} meters the reader's inline decoding (the connection's clock), which also needs {@code
   * sinkReady}: the sink can take a frame without waiting (its own queue has room).
   */
  Inbound(
      Sink sink,
      Executor executor,
      Limits limits,
      LongSupplier nanoTime,
      BooleanSupplier sinkReady) {
    this(sink, executor, limits, nanoTime, sinkReady, Duration.ZERO);
  }

  /**
   * The same, with a drain that, having handed over the last queued frame of a stream (more than
   * one), keeps the executor's thread for up to {@code linger} (yielding, not parking) in case the
   * reader queues another: under a flood the stage then never parks and the reader never has to
   * wake it. Only for an executor whose thread is this connection's alone.
   */
  Inbound(
      Sink sink,
      Executor executor,
      Limits limits,
      LongSupplier nanoTime,
      BooleanSupplier sinkReady,
      Duration linger) {
    this.lingerNanos = linger.toNanos();
    this.sink = sink;
    this.executor = executor;
    this.limits = limits;
    this.nanoTime = nanoTime;
    this.sinkReady = sinkReady;
    this.creditAt = nanoTime.getAsLong();
    this.credit = MAX_CREDIT_NANOS * EARN_SHARE;
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
      queuedCount = queue.size();
      submit = schedule();
    }
    if (submit) {
      submit();
    }
  }

  private void put(Object frame, long size) {
    boolean submit;
    boolean inline = false;
    synchronized (this) {
      boolean interrupted = false;
      while (!closed
          && !queue.isEmpty()
          && (queue.size() + inFlightFrames >= limits.frames() || units + size > limits.units())) {
        waiting++;
        readerWaits++;
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
      if (queue.isEmpty() && !scheduled && mayDecodeInline()) {
        // Quiet: the reader holds the drain flag while it hands this one frame over itself.
        scheduled = true;
        inline = true;
        submit = false;
      } else {
        queue.add(frame);
        queuedCount = queue.size();
        units += size;
        submit = schedule();
      }
    }
    if (inline) {
      decodeInline(frame);
    } else if (submit) {
      submit();
    }
  }

  /**
   * Whether the reader has inline decoding time left, after earning what has passed since the last
   * look; under the monitor.
   */
  private boolean mayDecodeInline() {
    if (!limits.readerMayDecode() || !sinkReady.getAsBoolean()) {
      return false;
    }
    long now = nanoTime.getAsLong();
    credit = Math.min(MAX_CREDIT_NANOS * EARN_SHARE, credit + Math.max(0, now - creditAt));
    creditAt = now;
    return credit > 0;
  }

  /** Hands one frame to the sink on the reader thread, then gives the drain flag back. */
  private void decodeInline(Object frame) {
    long start = nanoTime.getAsLong();
    decodingInline = true;
    try {
      deliver(frame);
    } finally {
      decodingInline = false;
      long spent = Math.max(0, nanoTime.getAsLong() - start);
      boolean again;
      synchronized (this) {
        credit -= spent * EARN_SHARE;
        inlined++;
        scheduled = false;
        // an end offered meanwhile from another thread waits for a drain
        again = !queue.isEmpty() && schedule();
      }
      if (again) {
        submit();
      }
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

  /**
   * Whether a reader waiting for room is woken: once the queue is down to half its limits (or
   * empty), not at every frame taken, so that a reader held back by a flood goes on in bursts of
   * frames rather than waking once per frame; under the monitor.
   */
  private boolean halfEmpty() {
    return queue.isEmpty()
        || (queue.size() + inFlightFrames <= limits.frames() / 2 && units <= limits.units() / 2);
  }

  /** Discards the queue and ignores later offers; wakes a waiting reader. */
  void close() {
    synchronized (this) {
      closed = true;
      queue.clear();
      queuedCount = 0;
      units = 0;
      inFlightUnits = 0;
      inFlightFrames = 0;
      notifyAll();
    }
  }

  /**
   * Frames (and the end, if queued) waiting for the stage: in the queue, or taken by the drain and
   * not yet handed to the sink.
   */
  synchronized int queued() {
    return queue.size() + batchLeft.get();
  }

  /**
   * Whether the calling thread is the reader handing a frame to the sink itself (it must not wait
   * there: it answers the pings); for the sink to call.
   */
  boolean decodingInline() {
    return decodingInline;
  }

  /** Frames the reader has decoded itself, the connection being quiet. */
  synchronized long inlined() {
    return inlined;
  }

  /** How many times the reader has waited for room in the queue. */
  synchronized long readerWaits() {
    return readerWaits;
  }

  private void deliver(Object item) {
    if (item instanceof String s) {
      sink.text(s);
    } else if (item instanceof byte[] b) {
      sink.binary(b);
    } else {
      End e = (End) item;
      sink.end(e.reason(), e.cause());
    }
  }

  private static long size(Object item) {
    if (item instanceof String s) {
      return s.length();
    }
    return item instanceof byte[] b ? b.length : 0;
  }

  /**
   * Moves the next frames into {@code batch}: up to its length and {@link #BATCH_UNITS} units (at
   * least one frame, whatever its size); how many. Under the monitor.
   */
  private int take(Object[] batch) {
    // the previous batch has been handed over
    units -= inFlightUnits;
    inFlightUnits = 0;
    inFlightFrames = 0;
    int n = 0;
    long taken = 0;
    while (n < batch.length) {
      Object item = queue.peek();
      if (item == null) {
        break;
      }
      long size = size(item);
      if (n > 0 && taken + size > BATCH_UNITS) {
        break;
      }
      queue.poll();
      batch[n++] = item;
      taken += size;
    }
    if (n > 0) {
      batchLeft.lazySet(n);
      queuedCount = queue.size();
      inFlightFrames = n;
      inFlightUnits = taken;
    }
    if (waiting > 0 && halfEmpty()) {
      notifyAll();
    }
    return n;
  }

  private void drain() {
    Object[] batch = this.batch;
    int handed = 0;
    while (true) {
      int n;
      synchronized (this) {
        n = take(batch);
        if (n == 0 && (lingerNanos == 0 || closed)) {
          scheduled = false;
          return;
        }
      }
      if (n == 0) {
        // Keep the thread a moment after a stream of frames (more than one in this drain): while
        // this drain is scheduled the reader queues without waking anyone. A lone frame gives the
        // thread back at once.
        if (handed < 2 || !Linger.await(lingerNanos, frameQueued)) {
          synchronized (this) {
            if (queue.isEmpty()) {
              scheduled = false;
              return;
            }
          }
        }
        continue;
      }
      handed += n;
      for (int k = 0; k < n; k++) {
        Object item = batch[k];
        batch[k] = null;
        batchLeft.lazySet(n - k - 1);
        try {
          deliver(item);
        } catch (RuntimeException | Error e) {
          // The sink handles its own failures; if one escapes, the rest of the batch goes back to
          // the front of the queue and on in a new drain (the executor reports the failure), or a
          // reader waiting for room would wait for ever.
          boolean again;
          synchronized (this) {
            batchLeft.lazySet(0);
            units -= inFlightUnits;
            inFlightUnits = 0;
            inFlightFrames = 0;
            for (int j = n - 1; j > k; j--) {
              if (!closed) {
                queue.addFirst(batch[j]);
                units += size(batch[j]);
              }
              batch[j] = null;
            }
            queuedCount = queue.size();
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
}

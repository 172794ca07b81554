package dev.quarry.realtime.internal;

import dev.quarry.core.ErrorHandler;
import dev.quarry.core.internal.SerialExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The two lanes user code runs on. The <em>control</em> lane carries connection events, ack and
 * subscription outcomes and error reports; it is never bounded, because what it carries is bounded
 * elsewhere (one state change at a time, one outcome per pending ack). The <em>event</em> lane
 * carries incoming events to their listeners and topics, in order with the topics' gaps; the
 * incoming events on it are counted and bounded, so a stuck listener cannot grow the heap and
 * cannot hold back a connection event.
 *
 * <p>Both lanes run in order on the callback executor (with the client's own executor, each on a
 * thread of its own). As with {@link SerialExecutor}, callers queue under the client's lock and
 * {@link #flush} after releasing it.
 */
final class Callbacks {
  private final SerialExecutor control;
  private final SerialExecutor events;
  private final SerialExecutor completions;
  private final int maxEvents;
  private final int releaseBatch;
  private final long maxBytes;
  private final AtomicInteger queuedEvents = new AtomicInteger();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicReference<@Nullable Runnable> onDrained = new AtomicReference<>();

  /** Counts the admitted events the event lane has delivered: progress, for the stall check. */
  private final AtomicLong taken = new AtomicLong();

  /**
   * The most delivered events whose release from the counts is deferred ({@link #released}), unless
   * the stall timeout is zero: then a refused event drops the connection at once, and the counts
   * must not lag (the client passes 1).
   */
  static final int RELEASE_BATCH = 32;

  /**
   * Delivered events (and their bytes) not yet taken out of {@link #queuedEvents} and {@link
   * #queuedBytes}; only the event lane touches them (one task at a time, each drain handed to the
   * next by its {@link SerialExecutor}).
   */
  private int unreleasedEvents;

  private long unreleasedBytes;

  /** The monitor a decoding thread waits on for room in the event lane. */
  private final Object room = new Object();

  /** Threads waiting on {@link #room}; written under it. */
  private volatile int roomWaiters;

  /** Whether an admitted event's deliveries are being queued; guarded by the client's lock. */
  private boolean admitting;

  /** The admitted event's first delivery; guarded by the client's lock. */
  private @Nullable Runnable first;

  /** The admitted event's further deliveries, if it has more than one; guarded by the lock. */
  private @Nullable List<Runnable> more;

  private final ErrorHandler errors;
  private final String context;

  /**
   * The two lanes: {@code control}, and the event lane on {@code eventExecutor} (whose drain
   * lingers for {@code eventLinger} after a stream of events); and {@code completions}, a serial
   * executor on a direct delegate that completes {@link AckFuture}s on the thread that flushes (see
   * {@link #complete}). Delivered events leave the bounds {@code releaseBatch} at a time at most
   * ({@link #released}); 1 releases each at once.
   */
  Callbacks(
      SerialExecutor control,
      Executor eventExecutor,
      Duration eventLinger,
      SerialExecutor completions,
      int maxEvents,
      long maxBytes,
      int releaseBatch,
      ErrorHandler errors,
      String context) {
    if (releaseBatch < 1) {
      throw new IllegalArgumentException("releaseBatch must be at least 1, got " + releaseBatch);
    }
    this.releaseBatch = releaseBatch;
    this.errors = errors;
    this.context = context;
    this.control = control;
    this.events = new SerialExecutor(eventExecutor, errors, context, eventLinger, this::idle);
    this.completions = completions;
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
  }

  /** Queues a task on the control lane. */
  void enqueue(Runnable task) {
    control.enqueue(task);
  }

  /**
   * Queues the completion of an {@link AckFuture}; run in order, after the lanes are flushed, by
   * the thread that {@link #flush}es (the client's code completes it; the future's dependents go to
   * the control lane). Under the client's lock, like {@link #enqueue}.
   */
  void complete(Runnable completion) {
    completions.enqueue(completion);
  }

  /** The control lane, where an {@link AckFuture}'s dependents run. */
  Executor controlLane() {
    return control;
  }

  /**
   * Queues a task on the event lane without counting it (a gap, a routing step); between {@link
   * #admit} and {@link #releaseAfter}, the task joins the admitted event's one lane task.
   */
  void enqueueEvent(Runnable task) {
    if (!admitting) {
      events.enqueue(task);
    } else if (first == null) {
      first = task;
    } else {
      List<Runnable> m = more;
      if (m == null) {
        m = new ArrayList<>(4);
        more = m;
      }
      m.add(task);
    }
  }

  /**
   * Counts an incoming event of {@code bytes} into the event lane if both bounds allow it; under
   * the client's lock (the only producer), so the check and the count cannot interleave with
   * another admission. The caller queues its deliveries and then {@link #releaseAfter}.
   */
  boolean admit(long bytes) {
    if (queuedEvents.get() >= maxEvents || queuedBytes.get() + bytes > maxBytes) {
      return false;
    }
    queuedEvents.incrementAndGet();
    queuedBytes.addAndGet(bytes);
    admitting = true;
    return true;
  }

  /**
   * Queues the admitted event's deliveries (the tasks queued since {@link #admit}) as one task on
   * the event lane, each delivery isolated from the others' failures, followed by the event's
   * release; under the client's lock.
   */
  void releaseAfter(long bytes) {
    Admitted task = new Admitted(first, more, bytes);
    admitting = false;
    first = null;
    more = null;
    events.enqueue(task);
  }

  /**
   * An admitted event's one task on the event lane: its deliveries (most events have one, so no
   * list), each isolated from the others' failures, then its release from the lane's bounds.
   */
  private final class Admitted implements Runnable {
    private final @Nullable Runnable first;
    private final @Nullable List<Runnable> more;
    private final long bytes;

    Admitted(@Nullable Runnable first, @Nullable List<Runnable> more, long bytes) {
      this.first = first;
      this.more = more;
      this.bytes = bytes;
    }

    @Override
    public void run() {
      if (first != null) {
        deliver(first);
      }
      if (more != null) {
        for (Runnable d : more) {
          deliver(d);
        }
      }
      released(bytes);
    }
  }

  private void deliver(Runnable delivery) {
    try {
      delivery.run();
    } catch (RuntimeException | Error e) {
      errors.safeHandle(context, e);
    }
  }

  /**
   * Takes a delivered event of {@code bytes} out of the lane's bounds; on the event lane. The
   * counts the decoding thread reads are brought down in batches (of up to {@code releaseBatch}
   * events, {@value #RELEASE_BATCH} unless the stall timeout is zero): at once when a decoding
   * thread waits for room or an action waits for the lane to drain, and whenever the lane runs out
   * of tasks (its drain's idle step), so the counts are exact whenever the lane is idle. Until then
   * they count delivered events as queued: the bounds are only ever stricter, never looser. Under a
   * flood this spares the two threads a cache line each passes to the other for every event.
   */
  private void released(long bytes) {
    int n = ++unreleasedEvents;
    unreleasedBytes += bytes;
    if (n < releaseBatch && roomWaiters == 0 && onDrained.get() == null) {
      return;
    }
    release();
  }

  /** The event lane has run out of tasks: the counts become exact. */
  private void idle() {
    if (unreleasedEvents > 0) {
      release();
    }
  }

  /** Takes the delivered events not yet released out of the lane's bounds; on the event lane. */
  private void release() {
    int n = unreleasedEvents;
    long b = unreleasedBytes;
    unreleasedEvents = 0;
    unreleasedBytes = 0;
    int events = queuedEvents.addAndGet(-n);
    long left = queuedBytes.addAndGet(-b);
    taken.addAndGet(n);
    if (roomWaiters > 0 && events <= maxEvents / 2 && left <= maxBytes / 2) {
      wakeRoomWaiters();
    }
    if (events <= maxEvents / 2 && left <= maxBytes / 2 && onDrained.get() != null) {
      runDrained();
    }
  }

  /** Whether an event of {@code bytes} fits in the event lane now. */
  boolean hasRoom(long bytes) {
    return queuedEvents.get() < maxEvents && queuedBytes.get() + bytes <= maxBytes;
  }

  /** How many admitted events the event lane has delivered so far. */
  long taken() {
    return taken.get();
  }

  /**
   * Waits until the event lane is at most half full (by events and bytes) and an event of {@code
   * bytes} fits, or it is empty, or {@code giveUp} holds (checked whenever {@link #wakeRoomWaiters}
   * is called); on a decoding thread, holding no lock. Waiting for half rather than one free slot
   * lets the decoding thread go on in bursts instead of waking once per delivered event.
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void awaitRoom(long bytes, BooleanSupplier giveUp) throws InterruptedException {
    synchronized (room) {
      roomWaiters++;
      try {
        while (!((drained() && hasRoom(bytes)) || queuedEvents.get() == 0)
            && !giveUp.getAsBoolean()) {
          room.wait();
        }
      } finally {
        roomWaiters--;
      }
    }
  }

  /** Wakes the threads in {@link #awaitRoom} to check again. */
  void wakeRoomWaiters() {
    synchronized (room) {
      room.notifyAll();
    }
  }

  /** Whether the event lane is at most half full (by events and by bytes). */
  boolean drained() {
    return queuedEvents.get() <= maxEvents / 2 && queuedBytes.get() <= maxBytes / 2;
  }

  /**
   * Runs {@code action} once the event lane is at most half full: at once if it is, else on the
   * event lane when it gets there. One action at a time; a new one replaces the old.
   */
  void whenDrained(Runnable action) {
    onDrained.set(action);
    if (drained()) {
      // The lane may have drained before the action was set: nobody else will run it.
      runDrained();
    }
  }

  private void runDrained() {
    Runnable r = onDrained.getAndSet(null);
    if (r != null) {
      r.run();
    }
  }

  int queuedEvents() {
    return queuedEvents.get();
  }

  long queuedBytes() {
    return queuedBytes.get();
  }

  int maxEvents() {
    return maxEvents;
  }

  long maxBytes() {
    return maxBytes;
  }

  /**
   * Hands both lanes' queued tasks to the executor, control first, then completes the queued ack
   * futures on this thread (their dependents queue on the control lane behind what is already
   * there); call without the lock.
   */
  void flush() {
    control.flush();
    events.flush();
    completions.flush();
  }
}

package dev.quarry.testing;

import dev.quarry.core.Cancellable;
import dev.quarry.core.Clock;
import dev.quarry.core.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;

/**
 * A {@link Clock} and {@link Scheduler} whose time moves only when a test calls {@link
 * #advance(Duration)}: staleness, gc, retry delays and reconnect backoff are tested without
 * sleeping and without flakiness.
 *
 * <pre>{@code
 * VirtualTime time = new VirtualTime();
 * QueryClient client = QueryClient.builder().clock(time).scheduler(time)
 *     .callbackExecutor(VirtualTime.direct()).build();
 * client.fetchQuery(options);
 * time.advance(Duration.ofMinutes(5));   // runs every timer due within those 5 minutes, in order
 * }</pre>
 *
 * <p><b>Ordering.</b> {@link #advance} runs due tasks in order of due time, ties in scheduling
 * order; a task scheduled by a running task is run in the same call if it falls due within the
 * advanced window. The clock reads the running task's due time while it runs. A task scheduled with
 * a zero or negative delay is due now and runs on the next {@link #advance} or {@link #runDue()}
 * (never on the scheduling thread, as with the real scheduler).
 *
 * <p><b>Threads.</b> Thread-safe: any thread may schedule; tasks run on the thread that calls
 * {@code advance}. Wall-clock time starts at 2026-01-01T00:00:00Z unless given.
 */
public final class VirtualTime implements Clock, Scheduler {
  private final Object lock = new Object();
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private final long epochMillisAtZero;
  private long nowNanos;
  private long sequence;

  /** Virtual time at zero nanos, wall-clock 2026-01-01T00:00:00Z. */
  public VirtualTime() {
    this(1_767_225_600_000L);
  }

  /** Virtual time whose wall clock starts at {@code epochMillis}. */
  public VirtualTime(long epochMillis) {
    this.epochMillisAtZero = epochMillis;
  }

  @Override
  public long nanoTime() {
    synchronized (lock) {
      return nowNanos;
    }
  }

  @Override
  public long currentTimeMillis() {
    synchronized (lock) {
      return epochMillisAtZero + nowNanos / 1_000_000L;
    }
  }

  /** Time elapsed since this virtual time started. */
  public Duration elapsed() {
    return Duration.ofNanos(nanoTime());
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    synchronized (lock) {
      long d = delay.isNegative() ? 0 : saturatedNanos(delay);
      long due = d > Long.MAX_VALUE - nowNanos ? Long.MAX_VALUE : nowNanos + d;
      Task t = new Task(due, sequence++, task);
      queue.add(t);
      return t;
    }
  }

  /**
   * Moves time forward by {@code duration}, running every task due up to the new time in order.
   *
   * @return the number of tasks run
   */
  public int advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("cannot advance by a negative duration: " + duration);
    }
    long target;
    synchronized (lock) {
      target = nowNanos + saturatedNanos(duration);
    }
    int ran = 0;
    while (true) {
      Task next;
      synchronized (lock) {
        next = queue.peek();
        if (next == null || next.due > target) {
          nowNanos = target;
          return ran;
        }
        queue.poll();
        nowNanos = Math.max(nowNanos, next.due);
        if (next.cancelled) {
          continue;
        }
        next.started = true;
      }
      next.task.run();
      ran++;
    }
  }

  /** Runs every task due now (including those scheduled with zero delay) without moving time. */
  public int runDue() {
    return advance(Duration.ZERO);
  }

  /** The number of tasks scheduled and neither run nor cancelled. */
  public int pendingTasks() {
    synchronized (lock) {
      return (int) queue.stream().filter(t -> !t.cancelled).count();
    }
  }

  /**
   * The delay until the next pending task, or {@link Duration#ZERO} if one is due now.
   *
   * @throws IllegalStateException if nothing is pending
   */
  public Duration nextDueIn() {
    synchronized (lock) {
      for (Task t : queue.stream().sorted().toList()) {
        if (!t.cancelled) {
          return Duration.ofNanos(Math.max(0, t.due - nowNanos));
        }
      }
    }
    throw new IllegalStateException("no task is pending");
  }

  /**
   * An executor that runs each task at once on the calling thread: as a callback executor it makes
   * listener delivery synchronous, so a test can assert right after the call that caused it.
   */
  public static Executor direct() {
    return Runnable::run;
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException overflow) {
      return Long.MAX_VALUE;
    }
  }

  private final class Task implements Cancellable, Comparable<Task> {
    final long due;
    final long seq;
    final Runnable task;
    boolean cancelled;
    boolean started;

    Task(long due, long seq, Runnable task) {
      this.due = due;
      this.seq = seq;
      this.task = task;
    }

    @Override
    public boolean cancel() {
      synchronized (lock) {
        if (cancelled || started) {
          return false;
        }
        cancelled = true;
        queue.remove(this);
        return true;
      }
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}

package dev.quarry.core.internal;

import dev.quarry.core.ErrorHandler;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor (the callback executor).
 * This is what gives each listener in-order delivery on an executor that may be a pool, the Swing
 * event queue or a direct executor.
 *
 * <p>Callers that hold a lock use {@link #enqueue} under it (the lock fixes the order) and {@link
 * #flush} after releasing it, so that even a direct delegate never runs a task under their lock.
 * {@link #execute} is both at once.
 *
 * <p>A task that throws is reported to the error handler with this executor's context; the next
 * task still runs. If the delegate rejects the drain (it was shut down), the rejection is reported
 * and the queued tasks are dropped: they could never run.
 */
public final class SerialExecutor implements Executor {
  private final Executor delegate;
  private final ErrorHandler errorHandler;
  private final String context;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final long lingerNanos;
  private final BooleanSupplier hasTask = () -> !queue.isEmpty();
  private final @Nullable Runnable idle;

  /**
   * @param context names whose tasks these are, for error reports (e.g. {@code "listener of
   *     [\"todos\"]"})
   */
  public SerialExecutor(Executor delegate, ErrorHandler errorHandler, String context) {
    this(delegate, errorHandler, context, Duration.ZERO);
  }

  /**
   * An executor whose drain, having run the last queued task of a stream (it ran more than one),
   * keeps the delegate's thread for up to {@code linger} (yielding, not parking) in case another
   * task is queued: under a steady stream of tasks the thread then never parks and the producer
   * never has to wake it, which costs two system calls and a context switch per task when the
   * consumer keeps up. A drain that ran one task ends at once. Only for a delegate whose thread is
   * this executor's alone (a thread it does not share with application code).
   *
   * @param linger how long the drain waits for another task; zero for none
   */
  public SerialExecutor(
      Executor delegate, ErrorHandler errorHandler, String context, Duration linger) {
    this(delegate, errorHandler, context, linger, null);
  }

  /**
   * The same, with {@code idle} run by the drain each time it finds the queue empty (before it
   * lingers or ends), serially with the tasks: for tasks that defer work from one task to the next
   * and settle it when the stream pauses. It is not run between two tasks of a stream. If it
   * throws, the failure is reported like a task's.
   *
   * @param linger how long the drain waits for another task; zero for none
   * @param idle what the drain runs when it has run out of tasks, or null for nothing
   */
  public SerialExecutor(
      Executor delegate,
      ErrorHandler errorHandler,
      String context,
      Duration linger,
      @Nullable Runnable idle) {
    this.idle = idle;
    this.delegate = delegate;
    this.errorHandler = errorHandler;
    this.context = context;
    if (linger.isNegative()) {
      throw new IllegalArgumentException("linger must not be negative, got " + linger);
    }
    this.lingerNanos = linger.toNanos();
  }

  @Override
  public void execute(Runnable task) {
    enqueue(task);
    flush();
  }

  /** Queues a task without running anything; safe to call while holding a lock. */
  public void enqueue(Runnable task) {
    queue.add(task);
  }

  /**
   * Hands the queued tasks to the delegate unless a drain is already under way (which will run
   * them). Call it with no lock held: with a direct delegate the tasks run on this thread.
   */
  public void flush() {
    // The flag first: while a drain runs (a stream of tasks), it is all this reads. The queue's
    // head is written by the drain for every task it takes, so reading it here would fetch that
    // line from the drain's processor for every task queued. A drain that ends clears the flag
    // before it looks at the queue again, and a task is queued before the flag is read here, so
    // one of the two sees the other (both are volatile).
    if (!scheduled.get() && !queue.isEmpty() && scheduled.compareAndSet(false, true)) {
      try {
        delegate.execute(this::drain);
      } catch (RejectedExecutionException e) {
        queue.clear();
        scheduled.set(false);
        errorHandler.safeHandle(context + " (callback executor rejected the task)", e);
      }
    }
  }

  private void drain() {
    try {
      int ran = 0;
      while (true) {
        Runnable next = queue.poll();
        if (next == null) {
          if (idle != null) {
            try {
              idle.run();
            } catch (RuntimeException | Error e) {
              errorHandler.safeHandle(context, e);
            }
          }
          // Only a drain that ran more than one task lingers: tasks are coming in a stream. A
          // lone task (tasks trickling in) gives the thread back at once, so that a busy machine
          // is not kept from the work that produces them.
          if (lingerNanos == 0 || ran < 2 || !Linger.await(lingerNanos, hasTask)) {
            break;
          }
          continue;
        }
        ran++;
        try {
          next.run();
        } catch (RuntimeException | Error e) {
          errorHandler.safeHandle(context, e);
        }
      }
    } finally {
      scheduled.set(false);
      // A task may have been added after the last poll and before the flag was cleared.
      flush();
    }
  }
}

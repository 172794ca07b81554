package dev.quarry.realtime.internal;

import dev.quarry.core.ErrorHandler;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ordered hand-over of user callbacks to the callback executor. The client {@link #enqueue}s while
 * holding its lock (which fixes the order) and {@link #flush}es after releasing it (so that even a
 * direct executor never runs user code under the lock). Tasks run one at a time, in order; a task
 * that throws is reported and the next one runs.
 */
final class CallbackQueue {
  private final Executor executor;
  private final ErrorHandler errors;
  private final String context;
  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  CallbackQueue(Executor executor, ErrorHandler errors, String context) {
    this.executor = executor;
    this.errors = errors;
    this.context = context;
  }

  void enqueue(Runnable task) {
    queue.add(task);
  }

  void flush() {
    while (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
      try {
        executor.execute(this::drain);
        return;
      } catch (RejectedExecutionException e) {
        scheduled.set(false);
        queue.clear();
        errors.safeHandle(context + ": callback executor rejected delivery", e);
        return;
      }
    }
  }

  private void drain() {
    try {
      Runnable r;
      while ((r = queue.poll()) != null) {
        try {
          r.run();
        } catch (RuntimeException | Error e) {
          errors.safeHandle(context, e);
        }
      }
    } finally {
      scheduled.set(false);
    }
    flush();
  }
}

package dev.quarry.cache.internal;

import dev.quarry.core.ErrorHandler;
import dev.quarry.core.internal.SerialExecutor;

/**
 * The client's ordered notification queue. Tasks are enqueued while a query's lock is held, so
 * their order is the order of the state changes; they run later, one at a time, on whichever thread
 * calls {@link #flush()} first, never under a lock. They compute observer results (which runs
 * {@code select}) and hand listener calls to the callback executor.
 */
final class Pipeline {
  private final SerialExecutor runner;

  Pipeline(ErrorHandler errorHandler) {
    this.runner = new SerialExecutor(Runnable::run, errorHandler, "query cache notification");
  }

  /** Queues a task; call {@link #flush()} once no lock is held. */
  void enqueue(Runnable task) {
    runner.enqueue(task);
  }

  /** Runs queued tasks unless another thread is already running them (it will run these too). */
  void flush() {
    runner.flush();
  }
}

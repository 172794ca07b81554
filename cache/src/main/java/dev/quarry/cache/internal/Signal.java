package dev.quarry.cache.internal;

import dev.quarry.cache.CancellationSignal;
import dev.quarry.cache.CancelledException;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.Registration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** One fetch's cancellation signal. */
final class Signal implements CancellationSignal {
  private final ErrorHandler errorHandler;
  private final String context;
  private final Object lock = new Object();
  private @Nullable CancelledException reason;
  private final List<Runnable> callbacks = new ArrayList<>();

  Signal(ErrorHandler errorHandler, String context) {
    this.errorHandler = errorHandler;
    this.context = context;
  }

  @Override
  public boolean isCancelled() {
    synchronized (lock) {
      return reason != null;
    }
  }

  @Override
  public Optional<CancelledException> reason() {
    synchronized (lock) {
      return Optional.ofNullable(reason);
    }
  }

  @Override
  public Registration onCancel(Runnable callback) {
    synchronized (lock) {
      if (reason == null) {
        callbacks.add(callback);
        return () -> {
          synchronized (lock) {
            callbacks.remove(callback);
          }
        };
      }
    }
    run(callback);
    return Registration.closed();
  }

  /** Cancels and runs the callbacks on this thread (no lock held). */
  void abort(CancelledException why) {
    List<Runnable> toRun;
    synchronized (lock) {
      if (reason != null) {
        return;
      }
      reason = why;
      toRun = new ArrayList<>(callbacks);
      callbacks.clear();
    }
    toRun.forEach(this::run);
  }

  private void run(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException | Error e) {
      errorHandler.safeHandle("cancellation callback of " + context, e);
    }
  }
}

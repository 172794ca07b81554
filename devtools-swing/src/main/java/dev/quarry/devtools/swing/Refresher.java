package dev.quarry.devtools.swing;

import dev.quarry.core.Cancellable;
import dev.quarry.core.Scheduler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.swing.SwingUtilities;
import org.jspecify.annotations.Nullable;

/**
 * Turns change calls (from any thread) and a periodic tick into refreshes on the event dispatch
 * thread: at most one refresh is scheduled or posted at a time, so a burst of changes costs one
 * refresh, and nothing is scheduled while stopped.
 *
 * <p>Thread-safe: {@link #changed()} may come from any thread; the timers' handles are guarded by
 * {@code this}; {@code refresh} runs on the event dispatch thread only.
 */
final class Refresher {
  private final Scheduler scheduler;
  private final Duration coalesce;
  private final Duration interval;
  private final Runnable refresh;

  /** True from the moment a refresh is scheduled or posted until it starts on the EDT. */
  private final AtomicBoolean pending = new AtomicBoolean();

  private boolean running; // guarded by this
  private @Nullable Cancellable flush; // guarded by this
  private @Nullable Cancellable tick; // guarded by this

  Refresher(Scheduler scheduler, Duration coalesce, Duration interval, Runnable refresh) {
    this.scheduler = scheduler;
    this.coalesce = coalesce;
    this.interval = interval;
    this.refresh = refresh;
  }

  /** Starts the periodic tick. */
  synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    tick = scheduler.schedule(interval, this::onTick);
  }

  /** Cancels both timers; a refresh already posted to the EDT does nothing. */
  synchronized void stop() {
    running = false;
    if (flush != null) {
      flush.cancel();
      flush = null;
    }
    if (tick != null) {
      tick.cancel();
      tick = null;
    }
    pending.set(false);
  }

  synchronized boolean isRunning() {
    return running;
  }

  /** Something changed: refresh once the coalescing window has passed. Any thread. */
  void changed() {
    synchronized (this) {
      if (!running || !pending.compareAndSet(false, true)) {
        return;
      }
      flush = scheduler.schedule(coalesce, this::post);
    }
  }

  private void onTick() {
    synchronized (this) {
      if (!running) {
        return;
      }
      tick = scheduler.schedule(interval, this::onTick);
      if (!pending.compareAndSet(false, true)) {
        return; // a refresh is on its way and will read the current state
      }
    }
    post();
  }

  private void post() {
    SwingUtilities.invokeLater(
        () -> {
          if (!isRunning() || !pending.compareAndSet(true, false)) {
            return;
          }
          refresh.run();
        });
  }
}

package dev.quarry.devtools.swing;

import dev.quarry.core.Cancellable;
import dev.quarry.core.Scheduler;
import java.time.Duration;
import javax.swing.Timer;

/**
 * A {@link Scheduler} on one-shot {@link Timer}s: tasks run on the event dispatch thread, and no
 * thread is started (Swing's shared timer thread already exists in a Swing application).
 */
final class SwingTimerScheduler implements Scheduler {
  static final SwingTimerScheduler INSTANCE = new SwingTimerScheduler();

  private SwingTimerScheduler() {}

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    int millis = (int) Math.max(0, Math.min(Integer.MAX_VALUE, delay.toMillis()));
    Timer timer = new Timer(millis, e -> task.run());
    timer.setRepeats(false);
    timer.start();
    return () -> {
      boolean running = timer.isRunning();
      timer.stop();
      return running;
    };
  }

  @Override
  public String toString() {
    return "SwingTimerScheduler";
  }
}

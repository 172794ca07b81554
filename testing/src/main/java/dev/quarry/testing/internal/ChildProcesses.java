package dev.quarry.testing.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Child processes of the test-server launchers: their output drained on daemon threads so that the
 * pipes never fill, a bounded tail of it kept for error messages, and bounded stops.
 *
 * <p>Static helpers, thread-safe. Every wait is bounded; an interrupt ends the wait early, is
 * re-asserted on the thread, and a stop then kills the process.
 */
public final class ChildProcesses {
  private ChildProcesses() {}

  /**
   * Reads {@code in} line by line on a new daemon thread named {@code name}, passing each line to
   * {@code onLine}, then runs {@code onEnd} when the stream ends (the process exited) or fails.
   */
  public static Thread drain(InputStream in, String name, Consumer<String> onLine, Runnable onEnd) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                  onLine.accept(line);
                }
              } catch (IOException e) {
                // The process is gone; nothing is left to read.
              } finally {
                onEnd.run();
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Appends {@code line} to {@code lines} (guarded by itself), dropping the oldest past {@code
   * max}.
   */
  public static void keepLast(Deque<String> lines, String line, int max) {
    synchronized (lines) {
      if (lines.size() == max) {
        lines.removeFirst();
      }
      lines.addLast(line);
    }
  }

  /** A copy of {@code lines}, taken under its own lock. */
  public static List<String> snapshot(Deque<String> lines) {
    synchronized (lines) {
      return new ArrayList<>(lines);
    }
  }

  /**
   * SIGKILL, then waits up to {@code wait} for the exit and as long again for each drain thread.
   *
   * @return whether the process exited
   */
  public static boolean kill(Process process, Duration wait, Thread... drainers) {
    process.destroyForcibly();
    boolean exited = false;
    try {
      exited = process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    join(wait, drainers);
    return exited;
  }

  /**
   * SIGTERM; SIGKILL ({@link #kill}) if the process has not exited after {@code grace}, or if the
   * wait is interrupted. Then waits up to {@code wait} for each drain thread.
   *
   * @return whether the process exited
   */
  public static boolean stop(Process process, Duration grace, Duration wait, Thread... drainers) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        return kill(process, wait, drainers);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return kill(process, wait, drainers);
    }
    join(wait, drainers);
    return true;
  }

  /** Waits up to {@code wait} for each thread to end; stops early if interrupted. */
  public static void join(Duration wait, Thread... threads) {
    try {
      for (Thread t : threads) {
        t.join(wait.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.quarry.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records connection events for real-server tests; every wait is bounded. */
final class Recorder {
  final BlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();

  void record(ConnectionEvent e) {
    events.add(e);
  }

  /** Waits for the first event matching {@code p}, skipping others. */
  <E extends ConnectionEvent> E await(Class<E> type, Predicate<E> p, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      ConnectionEvent e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      assertThat(e).as("a %s within %s", type.getSimpleName(), timeout).isNotNull();
      if (type.isInstance(e) && p.test(type.cast(e))) {
        return type.cast(e);
      }
    }
  }

  <E extends ConnectionEvent> E await(Class<E> type) throws InterruptedException {
    return await(type, e -> true, Duration.ofSeconds(30));
  }
}

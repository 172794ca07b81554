package dev.quarry.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A listener that queues what it receives, so a test can take events one by one and check at the
 * end that nothing unexpected is left ({@link #assertExhausted()}).
 *
 * <pre>{@code
 * RecordingListener<QueryResult<Todo>> results = new RecordingListener<>();
 * client.observe(options, results);
 * assertThat(results.next().status()).isEqualTo(PENDING);
 * time.advance(Duration.ofSeconds(1));
 * assertThat(results.next().data()).contains(todo);
 * results.assertExhausted();
 * }</pre>
 *
 * <p>Thread-safe: events may arrive on any thread. With virtual time and a direct callback executor
 * use {@link #next()}; with real servers and sockets use {@link #next(Duration)}, which waits at
 * most the given time.
 *
 * @param <T> the event type
 */
public final class RecordingListener<T> implements Consumer<T> {
  private final LinkedBlockingQueue<T> events = new LinkedBlockingQueue<>();

  @Override
  public void accept(T event) {
    events.add(event);
  }

  /**
   * The oldest event not yet taken.
   *
   * @throws AssertionError if there is none
   */
  public T next() {
    T e = events.poll();
    if (e == null) {
      throw new AssertionError("expected an event but none was recorded");
    }
    return e;
  }

  /**
   * The oldest event not yet taken, waiting at most {@code timeout} for one.
   *
   * @throws AssertionError if none arrives in time
   */
  public T next(Duration timeout) {
    try {
      T e = events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (e == null) {
        throw new AssertionError("expected an event within " + timeout + " but none arrived");
      }
      return e;
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for an event", ie);
    }
  }

  /** Takes every event recorded so far, oldest first. */
  public List<T> drain() {
    List<T> out = new ArrayList<>();
    events.drainTo(out);
    return out;
  }

  /** The number of events recorded and not yet taken. */
  public int size() {
    return events.size();
  }

  /**
   * Checks that every recorded event was taken.
   *
   * @throws AssertionError listing the events left
   */
  public void assertExhausted() {
    if (!events.isEmpty()) {
      throw new AssertionError("expected no more events but found " + new ArrayList<>(events));
    }
  }
}

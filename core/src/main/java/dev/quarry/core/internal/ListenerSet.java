package dev.quarry.core.internal;

import dev.quarry.core.ErrorHandler;
import dev.quarry.core.Registration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A set of listeners that receive events on the callback executor: each listener in the order the
 * events were emitted, each isolated from the others (one that throws or is slow delays only itself
 * on a multi-threaded executor, and never stops the others receiving).
 *
 * <p>{@link #emit} never runs listener code on the calling thread unless the callback executor is a
 * direct one, and never while holding a lock of this class. Callers that need a total order of
 * events across threads must serialize their calls to {@code emit}.
 *
 * @param <E> the event type
 */
public final class ListenerSet<E> {
  private final Executor callbackExecutor;
  private final ErrorHandler errorHandler;
  private final String context;
  private final CopyOnWriteArrayList<Entry<E>> entries = new CopyOnWriteArrayList<>();

  /**
   * @param context names the source of the events in error reports, e.g. {@code "connectivity"}
   */
  public ListenerSet(Executor callbackExecutor, ErrorHandler errorHandler, String context) {
    this.callbackExecutor = callbackExecutor;
    this.errorHandler = errorHandler;
    this.context = context;
  }

  /** Registers a listener; the handle removes it. */
  public Registration add(Consumer<? super E> listener) {
    Entry<E> entry =
        new Entry<>(
            listener,
            new SerialExecutor(
                callbackExecutor, errorHandler, "listener " + listener + " of " + context));
    entries.add(entry);
    return () -> {
      entry.closed = true;
      entries.remove(entry);
    };
  }

  /** Delivers {@code event} to every current listener. */
  public void emit(E event) {
    for (Entry<E> entry : entries) {
      entry.executor.execute(
          () -> {
            if (!entry.closed) {
              entry.listener.accept(event);
            }
          });
    }
  }

  /**
   * Delivers {@code event} to every current listener, then runs {@code whenDelivered} once every
   * one of them has returned (or thrown, or was closed before its turn): on the callback executor,
   * or at once on the calling thread when there is no listener. A completion that listeners must
   * see after the last event (a stream's end) goes here rather than after {@link #emit}.
   */
  public void emit(E event, Runnable whenDelivered) {
    List<Entry<E>> current = List.copyOf(entries);
    if (current.isEmpty()) {
      whenDelivered.run();
      return;
    }
    AtomicInteger left = new AtomicInteger(current.size());
    for (Entry<E> entry : current) {
      entry.executor.execute(
          () -> {
            try {
              if (!entry.closed) {
                entry.listener.accept(event);
              }
            } finally {
              if (left.decrementAndGet() == 0) {
                whenDelivered.run();
              }
            }
          });
    }
  }

  /** The number of registered listeners. */
  public int size() {
    return entries.size();
  }

  /** Whether no listener is registered. */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  private static final class Entry<E> {
    final Consumer<? super E> listener;
    final SerialExecutor executor;
    volatile boolean closed;

    Entry(Consumer<? super E> listener, SerialExecutor executor) {
      this.listener = listener;
      this.executor = executor;
    }
  }
}

package dev.quarry.internal;

import dev.quarry.Notifications;
import dev.quarry.core.Clock;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.Registration;
import dev.quarry.core.internal.SerialExecutor;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** A bounded, observable notification feed; see {@link Notifications}. */
public final class RealNotifications<N> implements Notifications<N> {
  private final int capacity;
  private final Clock clock;
  private final Executor callbackExecutor;
  private final ErrorHandler errorHandler;
  private final Deque<Item<N>> items = new ArrayDeque<>();
  private final CopyOnWriteArrayList<Listener<N>> listeners = new CopyOnWriteArrayList<>();
  private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
  private final SerialExecutor delivery;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CopyOnWriteArrayList<Registration> sources = new CopyOnWriteArrayList<>();
  private long nextId = 1;

  private static final class Listener<N> {
    final Consumer<? super Feed<N>> consumer;
    final SerialExecutor executor;
    volatile boolean closed;

    Listener(Consumer<? super Feed<N>> consumer, SerialExecutor executor) {
      this.consumer = consumer;
      this.executor = executor;
    }
  }

  /**
   * @throws IllegalArgumentException if {@code capacity} is below 1
   */
  public RealNotifications(
      int capacity, Clock clock, Executor callbackExecutor, ErrorHandler errorHandler) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1 but was " + capacity);
    }
    this.capacity = capacity;
    this.clock = clock;
    this.callbackExecutor = callbackExecutor;
    this.errorHandler = errorHandler;
    this.delivery = new SerialExecutor(Runnable::run, errorHandler, "notifications");
  }

  /** Ties a source (the realtime listener) to this feed's lifetime. */
  public void addSource(Registration source) {
    sources.add(source);
    if (closed.get()) {
      source.close();
    }
  }

  @Override
  public synchronized Feed<N> feed() {
    int unread = 0;
    for (Item<N> i : items) {
      if (!i.read()) {
        unread++;
      }
    }
    return new Feed<>(new ArrayList<>(items), unread);
  }

  @Override
  public void post(N payload) {
    java.util.Objects.requireNonNull(payload, "payload");
    change(
        () -> {
          items.addFirst(
              new Item<>(
                  nextId++, payload, Instant.ofEpochMilli(clock.currentTimeMillis()), false));
          while (items.size() > capacity) {
            items.removeLast();
          }
          return true;
        });
  }

  @Override
  public boolean markRead(long id) {
    boolean[] found = {false};
    change(
        () -> {
          List<Item<N>> copy = new ArrayList<>(items);
          items.clear();
          boolean changed = false;
          for (Item<N> i : copy) {
            if (i.id() == id) {
              found[0] = true;
              changed = !i.read();
              items.addLast(i.asRead());
            } else {
              items.addLast(i);
            }
          }
          return changed;
        });
    return found[0];
  }

  @Override
  public void markAllRead() {
    change(
        () -> {
          List<Item<N>> copy = new ArrayList<>(items);
          items.clear();
          boolean changed = false;
          for (Item<N> i : copy) {
            changed |= !i.read();
            items.addLast(i.asRead());
          }
          return changed;
        });
  }

  @Override
  public void clear() {
    change(
        () -> {
          boolean changed = !items.isEmpty();
          items.clear();
          return changed;
        });
  }

  private interface Change {
    boolean apply();
  }

  private void change(Change change) {
    synchronized (this) {
      if (!change.apply()) {
        return;
      }
      // Queued under the lock so that listeners see the changes in the order they happened.
      Feed<N> feed = feed();
      pending.add(
          () -> {
            for (Listener<N> l : listeners) {
              deliver(l, feed);
            }
          });
    }
    delivery.execute(
        () -> {
          Runnable next = pending.poll();
          if (next != null) {
            next.run();
          }
        });
  }

  private void deliver(Listener<N> l, Feed<N> feed) {
    l.executor.execute(
        () -> {
          if (!l.closed) {
            l.consumer.accept(feed);
          }
        });
  }

  @Override
  public Registration subscribe(Consumer<? super Feed<N>> listener) {
    Listener<N> l =
        new Listener<>(
            listener,
            new SerialExecutor(
                callbackExecutor, errorHandler, "notification listener " + listener));
    synchronized (this) {
      listeners.add(l);
      Feed<N> feed = feed();
      pending.add(() -> deliver(l, feed));
    }
    delivery.execute(
        () -> {
          Runnable next = pending.poll();
          if (next != null) {
            next.run();
          }
        });
    return () -> {
      l.closed = true;
      listeners.remove(l);
    };
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      sources.forEach(Registration::close);
    }
  }
}

package dev.quarry.core.internal;

import dev.quarry.core.ErrorHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/**
 * What a Quarry client created for itself and must stop: "use what I was given, or create it and
 * own it", in one place. A resource the application gave a client is never recorded here, so it is
 * never closed by Quarry.
 *
 * <p>The one closing policy, used by every client and the facade: {@link #close()} stops the
 * resources in the reverse order of their recording, each exactly once, and goes on when one fails
 * (the failure goes to the {@link ErrorHandler}). An executor is shut down and then waited for at
 * most {@link #CLOSE_WAIT}; then it is interrupted ({@code shutdownNow}) and its threads are left
 * to end on their own; when it has terminated, the thread of a {@link #singleThreadExecutor} is
 * also waited for (within the same bound), so it is not alive when {@code close()} returns. Waiting
 * is skipped when {@code close()} runs on one of the owned threads (a listener closing its client),
 * so a close never waits for itself. An owned {@link OkHttpClient} has its calls cancelled, its
 * idle connections evicted and its dispatcher stopped the same way.
 *
 * <p>Thread-safe: resources are recorded while a client is built and closed once; {@code close()}
 * is idempotent and later recordings are closed at once.
 */
public final class Owned implements AutoCloseable {
  /** The longest time {@link #close()} waits for each owned executor's tasks to end. */
  public static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private final String owner;
  private final ErrorHandler errors;
  private final Deque<Entry> entries = new ArrayDeque<>();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private boolean closed;

  private record Entry(String what, AutoCloseable resource) {}

  /**
   * @param owner names the owner in error reports, for example {@code "query client"}
   * @param errors where failures to close are reported
   */
  public Owned(String owner, ErrorHandler errors) {
    this.owner = owner;
    this.errors = errors;
  }

  /** Records {@code resource}, closed by {@link #close()}; returns it. */
  public <T extends AutoCloseable> T add(String what, T resource) {
    boolean late;
    synchronized (this) {
      late = closed;
      if (!late) {
        entries.push(new Entry(what, resource));
      }
    }
    if (late) {
      closeOne(new Entry(what, resource));
    }
    return resource;
  }

  /**
   * Creates a single-thread executor with a daemon thread named {@code quarry-<role>-...}, owned
   * (stopped by {@link #close()}).
   */
  public ExecutorService singleThreadExecutor(String role) {
    Set<Thread> its = ConcurrentHashMap.newKeySet();
    ExecutorService executor = Executors.newSingleThreadExecutor(threadFactory(role, its));
    add(role, () -> stop(executor, its));
    return executor;
  }

  /**
   * A factory of named daemon threads ({@code quarry-<role>-...}) that this owner knows as its own,
   * so that {@link #close()} called on one of them does not wait for itself.
   */
  public ThreadFactory threadFactory(String role) {
    return threadFactory(role, ConcurrentHashMap.newKeySet());
  }

  /** Like {@link #threadFactory(String)}, recording each live thread in {@code its} as well. */
  private ThreadFactory threadFactory(String role, Set<Thread> its) {
    NamedThreadFactory names = new NamedThreadFactory(role);
    return r -> {
      Thread[] self = new Thread[1];
      // A thread leaves the set when it ends, so a pool that replaces its threads (OkHttp's
      // dispatcher keeps idle ones 60 s) does not make the set grow for the client's whole life.
      Thread t =
          names.newThread(
              () -> {
                try {
                  r.run();
                } finally {
                  threads.remove(self[0]);
                  its.remove(self[0]);
                }
              });
      self[0] = t;
      threads.add(t);
      its.add(t);
      return t;
    };
  }

  /** Records {@code executor}, stopped by {@link #close()} with the policy above; returns it. */
  public ExecutorService executor(String what, ExecutorService executor) {
    add(what, () -> stop(executor, Set.of()));
    return executor;
  }

  /**
   * Records {@code client}, created by its owner: its calls are cancelled, its pool evicted and its
   * dispatcher stopped by {@link #close()}; returns it.
   */
  public OkHttpClient okHttp(OkHttpClient client) {
    add(
        "HTTP client",
        () -> {
          client.dispatcher().cancelAll();
          client.connectionPool().evictAll();
          stop(client.dispatcher().executorService(), Set.of());
        });
    return client;
  }

  /** Whether the current thread is one this owner created. */
  public boolean onOwnThread() {
    return threads.contains(Thread.currentThread());
  }

  /** Stops every recorded resource; see the class documentation. Idempotent. */
  @Override
  public void close() {
    List<Entry> toClose;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = List.copyOf(entries);
      entries.clear();
    }
    for (Entry e : toClose) {
      closeOne(e);
    }
  }

  private void closeOne(Entry e) {
    try {
      e.resource().close();
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    } catch (Exception | Error failure) {
      errors.safeHandle("closing the " + e.what() + " of the " + owner, failure);
    }
  }

  /**
   * Shuts {@code executor} down and waits for it; once it has terminated, waits (within the same
   * bound) for {@code its} threads to be gone too, as an executor reports termination while its
   * last thread is still on its way out.
   */
  private void stop(ExecutorService executor, Set<Thread> its) throws InterruptedException {
    List<Thread> leaving = List.copyOf(its);
    executor.shutdown();
    if (onOwnThread()) {
      return;
    }
    try {
      long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
      if (!executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
        return;
      }
      for (Thread t : leaving) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left > 0) {
          t.join(left);
        }
      }
    } catch (InterruptedException interrupted) {
      executor.shutdownNow();
      throw interrupted;
    }
  }

  @Override
  public String toString() {
    return "Owned{" + owner + "}";
  }
}

package dev.quarry.store;

import dev.quarry.core.ErrorHandler;
import dev.quarry.core.Registration;
import dev.quarry.core.internal.SerialExecutor;
import dev.quarry.core.internal.SubsystemErrors;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Store} implementation. The state lives in an {@link AtomicReference} changed by
 * compare-and-set, so no lock is ever held around user code. Notifications are level-triggered: a
 * change only marks each watcher as needing a look, and the watcher, running serially on the
 * callback executor, reads the latest state and compares its selection with the last one it
 * delivered. That gives per-listener order without a global lock and without re-entrancy problems
 * when a listener changes the store.
 */
final class DefaultStore<S> implements Store<S> {
  /** The "nothing delivered yet" marker; selections are compared with it by identity. */
  private static final Object NONE = new Object();

  private final String name;
  private final Executor callbackExecutor;
  private final ErrorHandler errorHandler;
  private final AtomicReference<Versioned<S>> state;
  private final CopyOnWriteArrayList<Watcher<?>> watchers = new CopyOnWriteArrayList<>();
  private final AtomicInteger openBatches = new AtomicInteger();
  private final @Nullable FilePersister<S> persister;
  private final @Nullable StoreRegistry registry;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DefaultStore(
      String name,
      S initial,
      Executor callbackExecutor,
      ErrorHandler errorHandler,
      @Nullable FilePersister<S> persister,
      @Nullable StoreRegistry registry) {
    this.name = name;
    this.callbackExecutor = callbackExecutor;
    this.errorHandler = errorHandler;
    this.state = new AtomicReference<>(new Versioned<>(initial, 0));
    this.persister = persister;
    this.registry = registry;
  }

  static <S> Store<S> create(
      String name,
      S initialState,
      Executor callbackExecutor,
      ErrorHandler errorHandler,
      @Nullable StorePersistence<S> persistence,
      @Nullable StoreRegistry registry) {
    // the default handler logs under dev.quarry.store, like the other subsystems
    ErrorHandler errors = SubsystemErrors.of(errorHandler, "dev.quarry.store");
    FilePersister<S> persister = null;
    S initial = initialState;
    if (persistence != null) {
      persister = new FilePersister<>(name, persistence, errors);
      initial = persister.restore(initialState);
    }
    DefaultStore<S> store =
        new DefaultStore<>(name, initial, callbackExecutor, errors, persister, registry);
    if (registry != null) {
      try {
        registry.register(store);
      } catch (RuntimeException e) {
        store.closed.set(true);
        if (persister != null) {
          persister.close(store.current());
        }
        throw e;
      }
    }
    return store;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public S get() {
    return current().value();
  }

  @Override
  public S update(UnaryOperator<S> fn) {
    Objects.requireNonNull(fn, "fn");
    checkOpen();
    while (true) {
      Versioned<S> current = current();
      S next = fn.apply(current.value());
      if (next == null) {
        throw new NullPointerException("update function of store '" + name + "' returned null");
      }
      if (next == current.value()) {
        return next; // nothing changed; the read was the linearization point
      }
      if (state.compareAndSet(current, new Versioned<>(next, current.version() + 1))) {
        changed();
        return next;
      }
    }
  }

  @Override
  public void set(S newState) {
    Objects.requireNonNull(newState, "state");
    checkOpen();
    state.updateAndGet(v -> new Versioned<>(newState, v.version() + 1));
    changed();
  }

  @Override
  public <T> Registration select(
      Function<? super S, ? extends T> selector, Consumer<? super T> listener) {
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(listener, "listener");
    checkOpen();
    Watcher<T> watcher = new Watcher<>(selector, listener);
    watchers.add(watcher);
    watcher.signal(); // delivers the current value
    return watcher;
  }

  @Override
  public Registration subscribe(Consumer<? super S> listener) {
    return select(Function.identity(), listener);
  }

  @Override
  public void batch(Runnable changes) {
    Objects.requireNonNull(changes, "changes");
    checkOpen();
    openBatches.incrementAndGet();
    try {
      changes.run();
    } finally {
      if (openBatches.decrementAndGet() == 0) {
        changed();
      }
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Watcher<?> w : watchers) {
      w.close();
    }
    if (persister != null) {
      persister.close(current());
    }
    if (registry != null) {
      registry.unregister(this);
    }
  }

  @Override
  public String toString() {
    return "Store[" + name + "=" + get() + "]";
  }

  private Versioned<S> current() {
    // Never null: set at construction and only ever replaced by non-null values.
    return Objects.requireNonNull(state.get());
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("store '" + name + "' is closed");
    }
  }

  /** Called after every committed change (and at the end of a batch): notify and persist. */
  private void changed() {
    if (openBatches.get() > 0) {
      return; // the outermost batch calls again when it ends
    }
    for (Watcher<?> w : watchers) {
      w.signal();
    }
    FilePersister<S> p = persister;
    if (p != null && !closed.get()) {
      p.changed(this::current);
    }
  }

  /** One listener and its selector; also the handle that ends it. */
  private final class Watcher<T> implements Registration {
    private final Function<? super S, ? extends T> selector;
    private final Consumer<? super T> listener;
    private final SerialExecutor serial;
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile boolean cancelled;

    /** The last value given to the listener, or NONE; touched only by tasks on {@code serial}. */
    private @Nullable Object last = NONE;

    Watcher(Function<? super S, ? extends T> selector, Consumer<? super T> listener) {
      this.selector = selector;
      this.listener = listener;
      this.serial =
          new SerialExecutor(
              callbackExecutor, errorHandler, "listener " + listener + " of store '" + name + "'");
    }

    /** Asks for a look at the latest state, unless one is already queued. */
    void signal() {
      if (!cancelled && pending.compareAndSet(false, true)) {
        serial.execute(this::deliver);
      }
    }

    private void deliver() {
      // Cleared before reading, so a change committed after the read queues another look.
      pending.set(false);
      if (cancelled || openBatches.get() > 0) {
        return;
      }
      S latest = current().value();
      T selected;
      try {
        selected = selector.apply(latest);
      } catch (RuntimeException | Error e) {
        errorHandler.safeHandle("selector of " + this, e);
        return;
      }
      if (last != NONE && Objects.equals(last, selected)) {
        return;
      }
      last = selected;
      listener.accept(selected); // a throw is reported by the serial executor
    }

    @Override
    public void close() {
      cancelled = true;
      watchers.remove(this);
    }

    @Override
    public String toString() {
      return "listener " + listener + " of store '" + name + "'";
    }
  }
}

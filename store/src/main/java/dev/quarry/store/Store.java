package dev.quarry.store;

import dev.quarry.core.ErrorHandler;
import dev.quarry.core.Registration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * An observable store of client state (layout, the current view, modals, toasts ...): one immutable
 * state value, typically a record, replaced as a whole by each change. Listeners observe a slice of
 * it through a selector and are told when that slice changes.
 *
 * <pre>{@code
 * record Layout(boolean sidebarOpen, String view) {}
 *
 * Store<Layout> layout = Store.builder(new Layout(true, "episodes"))
 *     .name("layout")
 *     .callbackExecutor(SwingUtilities::invokeLater)
 *     .build();
 * Registration s = layout.select(Layout::sidebarOpen, open -> sidebar.setVisible(open));
 * layout.update(l -> new Layout(!l.sidebarOpen(), l.view()));   // the listener gets false
 * layout.batch(() -> {                                           // one notification, final state
 *   layout.update(l -> new Layout(true, l.view()));
 *   layout.update(l -> new Layout(l.sidebarOpen(), "scenes"));
 * });
 * s.close();
 * layout.close();
 * }</pre>
 *
 * <p><b>Changes.</b> {@link #update} is atomic: it reads the state, applies the function and
 * installs the result only if no other change happened in between, otherwise it runs the function
 * again on the newer state (a compare-and-set loop). No update is ever lost under contention, and
 * the function must therefore be pure (no side effects; it may run more than once) and must not
 * call the store. No lock is held while the function runs.
 *
 * <p><b>Notifications.</b> {@link #select} and {@link #subscribe} deliver the current value once,
 * at subscription, and then every change of the selected value ({@link Object#equals}). Delivery
 * runs on the callback executor, in order per listener, never while the store holds a lock, and
 * never on a stale value after a newer one. When several changes happen before a listener runs, it
 * sees only the latest (intermediate values may be skipped; the last value it sees is always the
 * store's latest state). A listener may call {@link #update} or {@link #set}: the change is
 * delivered after the listener returns. A selector or listener that throws is reported to the
 * {@link ErrorHandler}; other listeners, and later changes, are still delivered.
 *
 * <p><b>Batches.</b> Inside {@link #batch}, changes apply at once ({@link #get()} sees them) but
 * notifications and persistence wait until the outermost batch ends, then happen once with the
 * final state. While any batch is open, changes made by other threads are applied atomically as
 * usual and are included in that one notification. A batch is not a transaction: if the runnable
 * throws, the changes it made stay, listeners are notified and the exception propagates.
 *
 * <p><b>Threads.</b> Thread-safe. With the default direct callback executor, listeners run on the
 * thread that made the change (or on the thread of a concurrent change, when both would notify at
 * once), after the change is visible and outside any lock. Pass an executor (the UI thread, a pool)
 * to run them elsewhere.
 *
 * <p><b>Nullness.</b> States are never null; an update function that returns null is an error
 * ({@link NullPointerException}, the state is unchanged).
 *
 * <p><b>Lifecycle.</b> {@link #close()} stops notifications and persistence (writing the final
 * state first), stops the threads the store owns and removes it from its {@link StoreRegistry}. It
 * is idempotent. After it, {@link #get()} still answers; {@link #update}, {@link #set}, {@link
 * #batch}, {@link #select} and {@link #subscribe} throw {@link IllegalStateException}.
 *
 * <p><b>After {@code close()}</b>, as for every Quarry client: {@code close()} again does nothing;
 * a call that starts new work throws {@link IllegalStateException} saying the client is closed;
 * work in flight when it closed completes exceptionally, never stays pending; what can still be
 * read answers from what is left.
 *
 * @param <S> the state type: immutable, with a meaningful {@code equals} (a record)
 */
public interface Store<S> extends AutoCloseable {

  /** Starts a builder for a store whose state starts as {@code initialState}. */
  static <S> Builder<S> builder(S initialState) {
    return new Builder<>(Objects.requireNonNull(initialState, "initialState"));
  }

  /** The store's name, unique within its registry; used in thread names and error reports. */
  String name();

  /** The current state; never blocks. */
  S get();

  /**
   * Atomically replaces the state with {@code fn} applied to it and returns the new state. {@code
   * fn} may run several times under contention and must be pure. An exception thrown by {@code fn}
   * propagates to the caller and leaves the state unchanged.
   *
   * @throws IllegalStateException if the store is closed
   */
  S update(UnaryOperator<S> fn);

  /**
   * Replaces the state with {@code state}.
   *
   * @throws IllegalStateException if the store is closed
   */
  void set(S state);

  /**
   * Calls {@code listener} with the value {@code selector} picks from the state: once now (on the
   * callback executor) and then whenever that value changes by {@code equals}. The selector runs on
   * the callback executor too, on each change, and should be cheap and pure.
   *
   * @return a handle that ends the subscription
   * @throws IllegalStateException if the store is closed
   */
  <T> Registration select(Function<? super S, ? extends T> selector, Consumer<? super T> listener);

  /**
   * Calls {@code listener} with the whole state: once now and then on every change (by {@code
   * equals}); the same as {@code select(s -> s, listener)}.
   *
   * @throws IllegalStateException if the store is closed
   */
  Registration subscribe(Consumer<? super S> listener);

  /**
   * Runs {@code changes} (which may call {@link #update}, {@link #set} and nested {@code batch})
   * and notifies listeners once, with the final state, when the outermost batch ends.
   *
   * @throws IllegalStateException if the store is closed
   */
  void batch(Runnable changes);

  /** Stops the store (see the class documentation); idempotent, never throws. */
  @Override
  void close();

  /**
   * Configures a {@link Store}. Not thread-safe; {@link #build()} may be called more than once,
   * each time making an independent store.
   *
   * @param <S> the state type
   */
  final class Builder<S> {
    private final S initialState;
    private Executor callbackExecutor = Runnable::run;
    private ErrorHandler errorHandler = ErrorHandler.logging();
    private String name = "store";
    private @Nullable StorePersistence<S> persistence;
    private @Nullable StoreRegistry registry;

    private Builder(S initialState) {
      this.initialState = initialState;
    }

    /**
     * Where listeners run; by default directly on the thread that made the change (outside any
     * lock). The store never shuts this executor down.
     */
    public Builder<S> callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "callbackExecutor");
      return this;
    }

    /** Receives exceptions from selectors and listeners and persistence failures. */
    public Builder<S> errorHandler(ErrorHandler handler) {
      this.errorHandler = Objects.requireNonNull(handler, "errorHandler");
      return this;
    }

    /**
     * The store's name (default {@code "store"}): letters, digits, {@code '-'}, {@code '_'} or
     * {@code '.'}.
     */
    public Builder<S> name(String name) {
      Objects.requireNonNull(name, "name");
      if (!name.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalArgumentException(
            "name must be letters, digits, '-', '_' or '.', got: '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /** Keeps the state (or a slice) in a JSON file, restored by {@link #build()}. */
    public Builder<S> persistence(StorePersistence<S> persistence) {
      this.persistence = Objects.requireNonNull(persistence, "persistence");
      return this;
    }

    /** Lists the store in {@code registry} from {@link #build()} until {@link Store#close()}. */
    public Builder<S> registry(StoreRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Builds the store, restoring persisted state if configured (a corrupt file is reported to the
     * error handler and the initial state used; see {@link StorePersistence}).
     *
     * @throws IllegalArgumentException if the registry already holds a store with this name
     */
    public Store<S> build() {
      return DefaultStore.create(
          name, initialState, callbackExecutor, errorHandler, persistence, registry);
    }
  }
}

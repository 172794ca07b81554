package dev.quarry.core;

import dev.quarry.core.internal.ListenerSet;
import dev.quarry.core.internal.SerialExecutor;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Whether the application is online and whether it is focused: the two signals that pause and
 * resume queries and mutations (TanStack's {@code onlineManager} and {@code focusManager}).
 *
 * <p>Starts online and focused. The application (a network callback, the realtime connection, a
 * window focus listener) and other Quarry modules set the state; listeners are told only on a
 * change, in the order the changes happened.
 *
 * <pre>{@code
 * Connectivity connectivity = Connectivity.create();
 * frame.addWindowFocusListener(new WindowAdapter() {
 *   public void windowGainedFocus(WindowEvent e) { connectivity.setFocused(true); }
 *   public void windowLostFocus(WindowEvent e) { connectivity.setFocused(false); }
 * });
 * }</pre>
 *
 * <p>Thread-safe. Listeners run on the callback executor given at creation (by default, the thread
 * that made the change, after the change is visible and outside any lock); a throwing listener is
 * reported to the error handler.
 */
public final class Connectivity {
  private final Object lock = new Object();
  private final SerialExecutor notifications;
  private final ListenerSet<Boolean> onlineListeners;
  private final ListenerSet<Boolean> focusListeners;
  private boolean online = true;
  private boolean focused = true;

  private Connectivity(Executor callbackExecutor, ErrorHandler errorHandler) {
    this.notifications = new SerialExecutor(Runnable::run, errorHandler, "connectivity");
    this.onlineListeners = new ListenerSet<>(callbackExecutor, errorHandler, "connectivity online");
    this.focusListeners = new ListenerSet<>(callbackExecutor, errorHandler, "connectivity focus");
  }

  /** Online and focused; listeners run on the thread that changes the state. */
  public static Connectivity create() {
    return new Connectivity(Runnable::run, ErrorHandler.logging());
  }

  /** Online and focused; listeners run on {@code callbackExecutor}, errors go to the handler. */
  public static Connectivity create(Executor callbackExecutor, ErrorHandler errorHandler) {
    return new Connectivity(
        Objects.requireNonNull(callbackExecutor, "callbackExecutor"),
        Objects.requireNonNull(errorHandler, "errorHandler"));
  }

  /** Whether the application is online. */
  public boolean isOnline() {
    synchronized (lock) {
      return online;
    }
  }

  /** Whether the application is focused. */
  public boolean isFocused() {
    synchronized (lock) {
      return focused;
    }
  }

  /** Sets the online state; listeners are told if it changed. */
  public void setOnline(boolean value) {
    synchronized (lock) {
      if (online == value) {
        return;
      }
      online = value;
      // Queued under the lock so that notifications keep the order of the changes; delivered
      // outside it.
      notifications.enqueue(() -> onlineListeners.emit(value));
    }
    notifications.flush();
  }

  /** Sets the focus state; listeners are told if it changed. */
  public void setFocused(boolean value) {
    synchronized (lock) {
      if (focused == value) {
        return;
      }
      focused = value;
      notifications.enqueue(() -> focusListeners.emit(value));
    }
    notifications.flush();
  }

  /** Listens to online changes: {@code true} when coming online. */
  public Registration onOnlineChange(Consumer<Boolean> listener) {
    return onlineListeners.add(listener);
  }

  /** Listens to focus changes: {@code true} when gaining focus. */
  public Registration onFocusChange(Consumer<Boolean> listener) {
    return focusListeners.add(listener);
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "Connectivity{online=" + online + ", focused=" + focused + "}";
    }
  }
}

package dev.quarry.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The error boundary: receives every exception thrown by user code that Quarry calls (listeners,
 * observers, query and mutation callbacks, selectors, ...) and every error that has no caller to be
 * reported to (a malformed frame, an unreadable outbox record).
 *
 * <p>Quarry catches the exception, calls the handler, and carries on: other listeners still
 * receive, the cache stays consistent. The handler may be called from any Quarry thread and must
 * not block; an exception it throws is logged and dropped.
 */
@FunctionalInterface
public interface ErrorHandler {
  /**
   * Handles an error.
   *
   * @param context what Quarry was doing, naming the key, topic or listener, for example {@code
   *     "observer of [\"episodes\",\"p1\"]"}
   * @param error the exception
   */
  void handle(String context, Throwable error);

  /** The default handler: logs at WARN through SLF4J (logger {@code dev.quarry}). */
  static ErrorHandler logging() {
    return LoggingErrorHandler.INSTANCE;
  }

  /**
   * Calls this handler and swallows whatever it throws (logging it), so that a broken handler
   * cannot break the caller.
   */
  default void safeHandle(String context, Throwable error) {
    try {
      handle(context, error);
    } catch (RuntimeException | Error e) {
      LoggingErrorHandler.Log.LOG.error(
          "error handler failed while handling error in {}", context, e);
    }
  }
}

/** Logs through SLF4J, which starts only when something is logged. */
enum LoggingErrorHandler implements ErrorHandler {
  INSTANCE;

  /** Loaded on first use, so that an application with its own handler never starts SLF4J here. */
  static final class Log {
    static final Logger LOG = LoggerFactory.getLogger("dev.quarry");

    private Log() {}
  }

  @Override
  public void handle(String context, Throwable error) {
    Log.LOG.warn("uncaught error in {}", context, error);
  }
}

package dev.quarry.core.internal;

import dev.quarry.core.ErrorHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives each subsystem its own logger for the default error handler: a client built with {@link
 * ErrorHandler#logging()} reports under {@code dev.quarry.cache}, {@code dev.quarry.realtime}, ...
 * instead of one shared {@code dev.quarry}, so an application can tune them apart. A handler the
 * application gave is used as it is.
 *
 * <p>Thread-safe. SLF4J starts only when the first error is logged.
 */
public final class SubsystemErrors {
  private SubsystemErrors() {}

  /**
   * {@code given}, or, when it is the default logging handler, one that logs the same way under
   * {@code logger}.
   */
  public static ErrorHandler of(ErrorHandler given, String logger) {
    return given == ErrorHandler.logging() ? new LoggingTo(logger) : given;
  }

  /** Logs at WARN under one logger, fetched on first use. */
  private static final class LoggingTo implements ErrorHandler {
    private final String name;
    private volatile @Nullable Logger log;

    LoggingTo(String name) {
      this.name = name;
    }

    @Override
    public void handle(String context, Throwable error) {
      Logger l = log;
      if (l == null) {
        l = LoggerFactory.getLogger(name);
        log = l;
      }
      l.warn("uncaught error in {}", context, error);
    }

    @Override
    public String toString() {
      return "ErrorHandler.logging(" + name + ")";
    }
  }
}

package dev.quarry.realtime;

/**
 * Receives an event's first argument decoded into {@code T}. Runs on the client's callback
 * executor; an exception goes to the error handler and does not stop delivery to other listeners.
 *
 * <pre>{@code
 * client.on("agent-complete", Completion.class, c -> done(c.executionId()));
 * }</pre>
 */
@FunctionalInterface
public interface EventListener<T> {
  /** Handles one event. */
  void onEvent(T payload);
}

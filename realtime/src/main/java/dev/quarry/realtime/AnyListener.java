package dev.quarry.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Receives every event with its name, for {@link RealtimeClient#onAny(AnyListener)} (events from
 * the server) and {@link RealtimeClient#onAnyOutgoing(AnyListener)} (events this client writes).
 * Runs on the client's callback executor, never on the socket's reader thread nor under the
 * client's lock; an exception goes to the error handler and does not stop delivery to other
 * listeners.
 *
 * <pre>{@code
 * Registration trace = client.onAny((event, args) -> log.debug("<- {} {}", event, args));
 * }</pre>
 */
@FunctionalInterface
public interface AnyListener {
  /**
   * Handles one event.
   *
   * @param event the event name, never null
   * @param args its arguments in order (without the recovery offset), an immutable list, never
   *     null; binary attachments are {@link com.fasterxml.jackson.databind.node.BinaryNode}s
   */
  void onEvent(String event, List<JsonNode> args);
}

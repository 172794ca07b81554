package dev.quarry.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Receives every argument of an event and the {@link Ack} to answer it with, for {@link
 * RealtimeClient#onArgs(String, ArgsListener)}. Runs on the client's callback executor, never on
 * the socket's reader thread; an exception goes to the error handler and does not stop delivery to
 * other listeners.
 *
 * <pre>{@code
 * client.onArgs("upload", (args, ack) -> {
 *   byte[] data = args.get(1).binaryValue();
 *   store(args.get(0).asText(), data);
 *   ack.send("stored"); // sends nothing if the server did not ask
 * });
 * }</pre>
 */
@FunctionalInterface
public interface ArgsListener {
  /**
   * Handles one event.
   *
   * @param args the event's arguments in order (without the recovery offset), an immutable list,
   *     never null, empty if there are none; binary attachments are {@link
   *     com.fasterxml.jackson.databind.node.BinaryNode}s
   * @param ack the answer; {@link Ack#requested()} says whether the server asked for one
   */
  void onEvent(List<JsonNode> args, Ack ack);
}

package dev.quarry.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The server refused the namespace connection (a Socket.IO {@code CONNECT_ERROR}, typically from an
 * auth middleware calling {@code next(err)}). Carries the server's {@code message} and, if the
 * server set {@code err.data}, that data. Unless {@link
 * RealtimeOptions.Builder#reconnectAfterConnectError(boolean)} is set, the client does not
 * reconnect on its own: it reports {@link ConnectionEvent.Disconnected} with this exception.
 *
 * <pre>{@code
 * client.onConnectionEvent(e -> {
 *   if (e instanceof ConnectionEvent.Disconnected d
 *       && d.cause().orElse(null) instanceof ConnectErrorException c) {
 *     log.warn("refused: {} {}", c.serverMessage(), c.data().orElse(null));
 *   }
 * });
 * }</pre>
 */
public final class ConnectErrorException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  private final String serverMessage;
  private final transient @Nullable JsonNode data;

  /** Creates the exception from the server's message and optional data. */
  public ConnectErrorException(String namespace, String serverMessage, @Nullable JsonNode data) {
    super(
        "server refused namespace '"
            + namespace
            + "': "
            + serverMessage
            + (data == null ? "" : " " + data));
    this.serverMessage = serverMessage;
    this.data = data;
  }

  /** The {@code message} the server sent. */
  public String serverMessage() {
    return serverMessage;
  }

  /** The {@code data} the server sent, if any. */
  public Optional<JsonNode> data() {
    return Optional.ofNullable(data);
  }
}

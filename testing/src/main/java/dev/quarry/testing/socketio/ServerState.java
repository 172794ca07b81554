package dev.quarry.testing.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of what the socket.io test server sees, read by {@link SocketIoTestServer#state()}.
 *
 * <p>A value read once: it never changes after it was read and is safe to share between threads as
 * long as nobody modifies the {@link JsonNode}s it holds (treat them as read-only). Binary values
 * in {@code auth}, {@code acks} and {@code received} are reported as {@code {"$binary": base64}}.
 * The logs keep at most 100,000 entries each.
 *
 * <pre>{@code
 * ServerState state = server.state();
 * assertThat(state.socket(sid).orElseThrow().rooms()).contains("{\"executionId\":\"e1\"}");
 * }</pre>
 *
 * @param sockets the connected sockets of every namespace, in connection order
 * @param handshakes Socket.IO namespace CONNECT attempts since start or the last {@link
 *     SocketIoTestServer#resetCounters()}, accepted or rejected by the auth middleware, recovered
 *     sessions included; attempts refused at the Engine.IO level are not counted here
 * @param engineHandshakes Engine.IO handshake requests (one per new WebSocket connection),
 *     including those refused by {@link SocketIoTestServer#refuseHandshakes(boolean)}
 * @param acks a JSON array of the acks the server received from clients for events it emitted on
 *     their request ({@code ping-me}), each {@code {"sid", "namespace", "event", "args": [...]}}
 * @param received a JSON array of every event clients emitted to the server, in arrival order, each
 *     {@code {"sid", "namespace", "event", "args": [...]}} (ack callbacks left out)
 * @param disconnects a JSON array of server-side disconnects, each {@code {"sid", "namespace",
 *     "reason"}}, with socket.io's reason (for example {@code "transport close"}, {@code "client
 *     namespace disconnect"}, {@code "server namespace disconnect"}, {@code "ping timeout"})
 */
public record ServerState(
    List<SocketInfo> sockets,
    int handshakes,
    int engineHandshakes,
    JsonNode acks,
    JsonNode received,
    JsonNode disconnects) {

  /** Copies {@code sockets}. */
  public ServerState {
    sockets = List.copyOf(sockets);
  }

  /** Reads the reply of {@code GET /control/state}. */
  static ServerState parse(JsonNode s) {
    List<SocketInfo> sockets = new ArrayList<>();
    for (JsonNode socket : s.path("sockets")) {
      List<String> rooms = new ArrayList<>();
      socket.path("rooms").forEach(r -> rooms.add(r.asText()));
      sockets.add(
          new SocketInfo(
              socket.path("id").asText(),
              rooms,
              socket.path("recovered").asBoolean(),
              socket.path("auth"),
              socket.path("namespace").asText()));
    }
    return new ServerState(
        sockets,
        s.path("handshakes").asInt(),
        s.path("engineHandshakes").asInt(),
        s.path("acks"),
        s.path("received"),
        s.path("disconnects"));
  }

  /** The connected socket with this Socket.IO id, if there is one. */
  public Optional<SocketInfo> socket(String id) {
    return sockets.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  /** The connected sockets that are members of {@code room}. */
  public List<SocketInfo> inRoom(String room) {
    return sockets.stream().filter(s -> s.rooms().contains(room)).toList();
  }

  /**
   * One connected socket as the server sees it.
   *
   * @param id the Socket.IO socket id (the {@code sid} of the CONNECT reply, not the Engine.IO sid)
   * @param rooms the rooms it joined, in join order, without the room named by its own id
   * @param recovered whether this connection restored a previous session (connection state
   *     recovery)
   * @param auth the auth object of its CONNECT packet ({@code {}} when it sent none)
   * @param namespace its namespace, for example {@code "/"}
   */
  public record SocketInfo(
      String id, List<String> rooms, boolean recovered, JsonNode auth, String namespace) {

    /** Copies {@code rooms}. */
    public SocketInfo {
      rooms = List.copyOf(rooms);
    }
  }
}

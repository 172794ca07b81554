package dev.quarry.benchmarks.realtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One connection of a {@link ReplayServer}: the WebSocket upgrade, the Engine.IO / Socket.IO
 * packets the server answers (see {@link ReplayServer} for which), floods and Engine.IO pings.
 *
 * <p><b>Threads.</b> The reader thread ({@code quarry-replay-reader-N}, started by the server when
 * it accepts the socket, running {@link #read()}) owns the input: it performs the upgrade, reads
 * every client frame and writes the replies (open packet, CONNECT reply, acks, pongs, close) at
 * once. After the upgrade it starts the writer thread ({@code quarry-replay-writer-N}), which
 * writes the floods queued by {@link ReplayServer#flood} (at most {@value
 * ReplayServer#MAX_QUEUED_FLOODS} waiting) and the Engine.IO pings, and closes the connection when
 * a pong is late. Both write through {@link #lock}, held for one whole frame or one flood block, so
 * nothing is ever written inside another frame.
 *
 * <p><b>Lifecycle.</b> The connection ends when the client closes it (close frame, Engine.IO close,
 * end of stream), on a protocol error or an oversized message (a close frame with 1002 or 1009
 * first), on a late pong, or by {@link #end()} (any thread, idempotent): the socket is closed, the
 * writer interrupted, waiting floods fail, and the server forgets the connection. Anything but a
 * normal close by the client leaves a note on the server.
 */
final class ReplayConnection {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final ReplayServer server;
  final int id;
  private final Socket socket;
  private final OutputStream out;

  /** Held while one whole frame or one flood block is written. */
  private final ReentrantLock lock = new ReentrantLock();

  /** Floods waiting for the writer thread. */
  final BlockingQueue<ReplayServer.Job> jobs =
      new ArrayBlockingQueue<>(ReplayServer.MAX_QUEUED_FLOODS);

  private final String socketId = ReplayServer.randomId();

  /** Set by {@code subscribe}, cleared by {@code unsubscribe} or a namespace disconnect. */
  volatile boolean subscribed;

  /** The connection is closing or closed: no more floods, and its errors are not news. */
  volatile boolean ending;

  private volatile @Nullable Thread writer;

  /** Reader thread only. */
  private boolean namespaceConnected;

  /** When the next ping is due; set by the reader (upgrade, each pong). */
  private volatile long nextPingAt;

  /** Written by the writer thread; {@link #awaitingPong} is cleared by the reader on a pong. */
  private volatile long pingSentAt;

  private volatile boolean awaitingPong;

  ReplayConnection(ReplayServer server, int id, Socket socket) throws IOException {
    this.server = server;
    this.id = id;
    this.socket = socket;
    socket.setTcpNoDelay(true);
    this.out = socket.getOutputStream();
  }

  /** A named daemon thread, registered for {@link ReplayServer#close()} to join; not started. */
  Thread newThread(Runnable body, String name) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    server.register(t);
    return t;
  }

  /** Writes whole frames under the lock. */
  private void send(byte[] bytes) throws IOException {
    lock.lock();
    try {
      out.write(bytes);
    } finally {
      lock.unlock();
    }
  }

  private void sendText(String text) throws IOException {
    send(WebSocketWire.text(text));
  }

  /** A close frame, unless a flood holds the lock for over a second; then ends. */
  private void closeWith(int code) {
    ending = true;
    try {
      if (lock.tryLock(1, TimeUnit.SECONDS)) {
        try {
          out.write(WebSocketWire.close(code));
        } finally {
          lock.unlock();
        }
      }
    } catch (IOException e) {
      // the peer is gone: nothing to tell it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    end();
  }

  /** Ends the connection; any thread, idempotent. */
  void end() {
    ending = true;
    ReplayServer.closeQuietly(socket);
    Thread w = writer;
    if (w != null && w != Thread.currentThread()) {
      w.interrupt();
    }
    ReplayServer.Job job;
    while ((job = jobs.poll()) != null) {
      job.started().completeExceptionally(new IOException("connection " + id + " closed"));
    }
    server.removed(this);
  }

  // ---- reader thread

  /** The reader thread's body. */
  void read() {
    try {
      DataInputStream in =
          new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
      if (!upgrade(in)) {
        return;
      }
      WebSocketWire.Message message = new WebSocketWire.Message(ReplayServer.MAX_MESSAGE);
      while (!ending) {
        WebSocketWire.Frame frame = WebSocketWire.readFrame(in, ReplayServer.MAX_MESSAGE);
        switch (frame.opcode()) {
          case WebSocketWire.PING -> send(WebSocketWire.frame(WebSocketWire.PONG, frame.payload()));
          case WebSocketWire.PONG -> {}
          case WebSocketWire.CLOSE -> {
            ending = true;
            byte[] p = frame.payload();
            send(
                WebSocketWire.frame(
                    WebSocketWire.CLOSE, p.length >= 2 ? new byte[] {p[0], p[1]} : p));
            return;
          }
          case WebSocketWire.TEXT, WebSocketWire.BINARY, WebSocketWire.CONTINUATION -> {
            WebSocketWire.Frame whole = message.add(frame);
            if (whole != null && whole.opcode() == WebSocketWire.TEXT) {
              onEngineIo(new String(whole.payload(), StandardCharsets.UTF_8));
            } else if (whole != null) {
              server.note(id, "binary message of " + whole.payload().length + " bytes ignored");
            }
          }
          default ->
              throw new WebSocketWire.WireException(
                  WebSocketWire.PROTOCOL_ERROR, "unknown opcode " + frame.opcode());
        }
      }
    } catch (WebSocketWire.WireException e) {
      server.note(id, e.getMessage() + "; closed with " + e.closeCode());
      closeWith(e.closeCode());
    } catch (EOFException e) {
      if (!ending && !server.isClosed()) {
        server.note(id, String.valueOf(e.getMessage()));
      }
    } catch (IOException | RuntimeException e) {
      if (!ending && !server.isClosed()) {
        server.note(id, "reader: " + e);
      }
    } finally {
      end();
    }
  }

  /** The HTTP upgrade; false (and answered 400) if the request is not a Socket.IO WebSocket. */
  private boolean upgrade(DataInputStream in) throws IOException {
    WebSocketWire.Request r;
    try {
      r = WebSocketWire.readRequest(in, ReplayServer.MAX_HEAD);
    } catch (WebSocketWire.WireException e) {
      server.refuse(socket, 400, "Bad Request", String.valueOf(e.getMessage()));
      return false;
    }
    Map<String, String> query = r.query();
    String problem = null;
    if (!r.method().equals("GET")) {
      problem = "method " + r.method() + ": only GET";
    } else if (!r.path().equals("/socket.io/")) {
      problem = "path " + r.path() + ": only /socket.io/";
    } else if (!"4".equals(query.get("EIO"))) {
      problem = "EIO=" + query.get("EIO") + ": only EIO=4";
    } else if (!"websocket".equals(query.get("transport"))) {
      problem =
          "transport="
              + query.get("transport")
              + ": only transport=websocket (no HTTP long-polling here)";
    } else if (!r.header("upgrade").equalsIgnoreCase("websocket")) {
      problem = "no 'Upgrade: websocket' header";
    } else if (r.header("sec-websocket-key").isEmpty()) {
      problem = "no Sec-WebSocket-Key header";
    } else if (!r.header("sec-websocket-version").equals("13")) {
      problem = "Sec-WebSocket-Version " + r.header("sec-websocket-version") + ": only 13";
    }
    if (problem != null) {
      server.refuse(socket, 400, "Bad Request", problem);
      return false;
    }
    byte[] head = WebSocketWire.switchingProtocols(r.header("sec-websocket-key"));
    byte[] sid = ("0{\"sid\":\"" + ReplayServer.randomId() + "\"").getBytes(StandardCharsets.UTF_8);
    byte[] open = new byte[sid.length + server.openPacketJson.length];
    System.arraycopy(sid, 0, open, 0, sid.length);
    System.arraycopy(server.openPacketJson, 0, open, sid.length, server.openPacketJson.length);
    byte[] frame = WebSocketWire.frame(WebSocketWire.TEXT, open);
    byte[] both = new byte[head.length + frame.length];
    System.arraycopy(head, 0, both, 0, head.length);
    System.arraycopy(frame, 0, both, head.length, frame.length);
    nextPingAt = System.nanoTime() + server.pingIntervalNanos;
    send(both);
    Thread w = newThread(this::write, "quarry-replay-writer-" + id);
    writer = w;
    w.start();
    return true;
  }

  private void onEngineIo(String text) throws IOException {
    if (text.isEmpty()) {
      throw new WebSocketWire.WireException(WebSocketWire.PROTOCOL_ERROR, "empty Engine.IO packet");
    }
    switch (text.charAt(0)) {
      case '4' -> onSocketIo(text);
      case '3' -> {
        nextPingAt = System.nanoTime() + server.pingIntervalNanos;
        awaitingPong = false;
      }
      case '1' -> {
        ending = true; // the client closes its session
        end();
      }
      case '2' ->
          server.note(id, "the client sent an Engine.IO ping (in v4 the server pings); ignored");
      case '6' -> {}
      default ->
          throw new WebSocketWire.WireException(
              WebSocketWire.PROTOCOL_ERROR, "unknown Engine.IO packet: " + abbreviate(text));
    }
  }

  private void onSocketIo(String text) throws IOException {
    if (text.length() < 2) {
      throw new WebSocketWire.WireException(WebSocketWire.PROTOCOL_ERROR, "empty Socket.IO packet");
    }
    char type = text.charAt(1);
    if (type == '0') {
      if (text.startsWith("40/")) {
        int comma = text.indexOf(',');
        String nsp = comma < 0 ? text.substring(2) : text.substring(2, comma);
        if (!nsp.equals("/")) {
          sendText("44" + nsp + ",{\"message\":\"Invalid namespace\"}");
          return;
        }
      }
      namespaceConnected = true;
      sendText("40{\"sid\":\"" + socketId + "\"}");
    } else if (type == '1') {
      namespaceConnected = false;
      subscribed = false;
    } else if (type == '2') {
      if (!namespaceConnected) {
        server.note(id, "event before CONNECT ignored: " + abbreviate(text));
        return;
      }
      onEvent(text);
    } else if (type != '3') {
      server.note(id, "Socket.IO packet not handled here: " + abbreviate(text));
    }
  }

  /** {@code 42[<id>][name, args...]}. */
  private void onEvent(String text) throws IOException {
    int at = 2;
    while (at < text.length() && Character.isDigit(text.charAt(at)) && at < 20) {
      at++;
    }
    long ackId = at > 2 ? Long.parseLong(text.substring(2, at)) : -1;
    JsonNode array;
    try {
      array = JSON.readTree(text.substring(at));
    } catch (JsonProcessingException e) {
      throw new WebSocketWire.WireException(
          WebSocketWire.PROTOCOL_ERROR, "event is not JSON: " + abbreviate(text));
    }
    if (array == null || !array.isArray() || array.isEmpty() || !array.get(0).isTextual()) {
      throw new WebSocketWire.WireException(
          WebSocketWire.PROTOCOL_ERROR,
          "event is not an array starting with a name: " + abbreviate(text));
    }
    String name = array.get(0).asText();
    ArrayNode args = JSON.createArrayNode();
    for (int i = 1; i < array.size(); i++) {
      args.add(array.get(i));
    }
    switch (name) {
      case "subscribe", "unsubscribe" -> {
        JsonNode reply = membership(name.equals("subscribe"), args);
        if (ackId >= 0) {
          sendText("43" + ackId + "[" + JSON.writeValueAsString(reply) + "]");
        }
      }
      case "echo" -> {
        if (ackId >= 0) {
          sendText("43" + ackId + JSON.writeValueAsString(args));
        } else {
          args.insert(0, "echo");
          sendText("42" + JSON.writeValueAsString(args));
        }
      }
      default -> {} // the Node server records it and never acks
    }
  }

  private JsonNode membership(boolean join, ArrayNode args) {
    JsonNode payload = args.isEmpty() ? null : args.get(0);
    if (payload == null || !payload.isObject()) {
      String got = payload == null ? "undefined" : payload.toString();
      return JSON.createObjectNode()
          .put("ok", false)
          .put("error", "payload must be a JSON object, got " + got);
    }
    String room = SocketIoTestServer.roomOf(JSON.convertValue(payload, MAP));
    subscribed = join;
    return JSON.createObjectNode().put("ok", true).put("room", room);
  }

  // ---- writer thread

  /** The writer thread's body. */
  private void write() {
    try {
      while (!ending && !server.isClosed()) {
        long now = System.nanoTime();
        long wake = awaitingPong ? pingSentAt + server.pingTimeoutNanos : nextPingAt;
        ReplayServer.Job job = jobs.poll(Math.max(0, wake - now), TimeUnit.NANOSECONDS);
        heartbeat();
        if (job != null) {
          flood(job);
        }
      }
    } catch (InterruptedException e) {
      // end(): the connection is closing
    } catch (IOException e) {
      if (!ending && !server.isClosed()) {
        server.note(id, "write failed: " + e);
      }
    } finally {
      end();
    }
  }

  private void flood(ReplayServer.Job job) throws IOException {
    ReplayServer.Block block = job.block();
    int left = job.count();
    boolean first = true;
    try {
      while (left > 0 && !ending) {
        int n = Math.min(ReplayServer.BLOCK, left);
        lock.lock();
        try {
          if (first) {
            job.started().complete(System.nanoTime());
            first = false;
          }
          block.writeTo(out, n);
        } finally {
          lock.unlock();
        }
        left -= n;
        heartbeat();
      }
    } finally {
      job.started().completeExceptionally(new IOException("connection " + id + " closed"));
    }
  }

  /** Sends a ping when one is due; ends the connection when a pong is late. Writer thread. */
  private void heartbeat() throws IOException {
    long now = System.nanoTime();
    if (awaitingPong) {
      if (now - pingSentAt >= server.pingTimeoutNanos) {
        server.note(
            id, "ping timeout: no pong within " + server.pingTimeoutNanos / 1_000_000 + " ms");
        closeWith(WebSocketWire.NORMAL);
      }
    } else if (now >= nextPingAt) {
      pingSentAt = now;
      awaitingPong = true;
      sendText("2");
      server.pinged();
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "... (" + text.length() + " chars)";
  }
}

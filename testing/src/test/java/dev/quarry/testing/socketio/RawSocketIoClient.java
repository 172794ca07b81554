package dev.quarry.testing.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * A bare Engine.IO v4 / Socket.IO v5 peer over an OkHttp WebSocket: it answers pings ({@code 2} ->
 * {@code 3}) and queues every other frame, so tests can check the exact wire traffic.
 */
final class RawSocketIoClient implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final ObjectMapper JSON = new ObjectMapper();

  /** Marks the end of the connection in the frame queue. */
  record Closed(int code, @Nullable Throwable failure, @Nullable Integer httpStatus) {}

  private final BlockingQueue<Object> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private final WebSocket webSocket;

  private RawSocketIoClient(OkHttpClient http, int port) {
    Request request =
        new Request.Builder()
            .url("ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket")
            .build();
    webSocket =
        http.newWebSocket(
            request,
            new WebSocketListener() {
              @Override
              public void onMessage(WebSocket ws, String text) {
                if (text.equals("2")) {
                  ws.send("3");
                } else {
                  frames.add(text);
                }
              }

              @Override
              public void onMessage(WebSocket ws, ByteString bytes) {
                frames.add(bytes);
              }

              @Override
              public void onClosing(WebSocket ws, int code, String reason) {
                ws.close(1000, null);
                end(new Closed(code, null, null));
              }

              @Override
              public void onFailure(WebSocket ws, Throwable t, @Nullable Response response) {
                end(new Closed(-1, t, response == null ? null : response.code()));
              }
            });
  }

  private void end(Closed c) {
    if (closed.complete(c)) {
      frames.add(c);
    }
  }

  /** Opens the WebSocket; the open packet is the first queued frame. */
  static RawSocketIoClient open(OkHttpClient http, int port) {
    return new RawSocketIoClient(http, port);
  }

  /**
   * Reads the open packet, sends CONNECT with {@code auth} (a JSON object or "") and returns the
   * CONNECT reply's JSON ({@code sid}, {@code pid}).
   */
  JsonNode handshake(String auth) {
    expectOpen();
    send("40" + auth);
    String connect = nextText();
    assertThat(connect).startsWith("40{");
    return json(connect.substring(2));
  }

  /** Reads the Engine.IO open packet and returns its JSON. */
  JsonNode expectOpen() {
    String open = nextText();
    assertThat(open).startsWith("0{");
    return json(open.substring(1));
  }

  void send(String text) {
    assertThat(webSocket.send(text)).as("sent %s", text).isTrue();
  }

  void send(ByteString bytes) {
    assertThat(webSocket.send(bytes)).isTrue();
  }

  /** The next frame within {@link #WAIT}; fails the test if none comes. */
  Object next() {
    Object frame = poll(WAIT);
    assertThat(frame).as("a frame within %s", WAIT).isNotNull();
    return frame;
  }

  /** The next frame, or null when none arrives within {@code timeout}. */
  @Nullable Object poll(Duration timeout) {
    try {
      return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  String nextText() {
    Object frame = next();
    assertThat(frame).as("a text frame").isInstanceOf(String.class);
    return (String) frame;
  }

  ByteString nextBinary() {
    Object frame = next();
    assertThat(frame).as("a binary frame").isInstanceOf(ByteString.class);
    return (ByteString) frame;
  }

  /** Waits (bounded) for the connection to end, returning how. */
  Closed awaitClosed() {
    try {
      return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("the connection did not end within " + WAIT, e);
    }
  }

  JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    webSocket.cancel();
  }
}

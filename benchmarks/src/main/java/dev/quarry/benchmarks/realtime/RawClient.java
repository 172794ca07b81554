package dev.quarry.benchmarks.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.jspecify.annotations.Nullable;

/**
 * The limit: an OkHttp WebSocket speaking Engine.IO v4 / Socket.IO v5 text frames by hand. Frames
 * are handled on OkHttp's reader thread: a ping is answered at once, an event is parsed with
 * Jackson ({@code readTree}, as any client must to use it) and counted, an ack completes its
 * future. No reconnection, no buffering, no listener isolation.
 */
final class RawClient implements BenchClient {
  private final ObjectMapper mapper = new ObjectMapper();
  private final OkHttpClient http =
      new OkHttpClient.Builder().readTimeout(Duration.ZERO).pingInterval(Duration.ZERO).build();
  private final Map<Integer, CompletableFuture<JsonNode>> acks = new ConcurrentHashMap<>();
  private final AtomicInteger nextAckId = new AtomicInteger();
  private final List<String> disconnects = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> connected = new CompletableFuture<>();
  private @Nullable WebSocket socket;
  private volatile @Nullable TickCounter ticks;
  private volatile boolean closing;

  @Override
  public String name() {
    return "raw OkHttp WebSocket";
  }

  @Override
  public void connect(String url, Map<String, String> params, TickCounter counter, Duration timeout)
      throws Exception {
    String ws = url.replaceFirst("^http", "ws") + "/socket.io/?EIO=4&transport=websocket";
    WebSocket s = http.newWebSocket(new Request.Builder().url(ws).build(), new Listener());
    socket = s;
    connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    int id = nextAckId.getAndIncrement();
    CompletableFuture<JsonNode> ack = new CompletableFuture<>();
    acks.put(id, ack);
    s.send("42" + id + mapper.writeValueAsString(List.of("subscribe", params)));
    ack.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    ticks = counter;
  }

  @Override
  public CompletableFuture<?> echo(Map<String, Object> payload) {
    WebSocket s = socket;
    if (s == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
    }
    int id = nextAckId.getAndIncrement();
    CompletableFuture<JsonNode> ack = new CompletableFuture<>();
    acks.put(id, ack);
    try {
      s.send("42" + id + mapper.writeValueAsString(List.of("echo", payload)));
    } catch (Exception e) {
      acks.remove(id);
      return CompletableFuture.failedFuture(e);
    }
    return ack;
  }

  @Override
  public List<String> disconnects() {
    return disconnects;
  }

  @Override
  public void close() {
    closing = true;
    WebSocket s = socket;
    if (s != null) {
      s.send("41");
      s.close(1000, null);
    }
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  private final class Listener extends WebSocketListener {
    @Override
    public void onMessage(WebSocket webSocket, String text) {
      if (text.isEmpty()) {
        return;
      }
      switch (text.charAt(0)) {
        case '0' -> webSocket.send("40");
        case '2' -> webSocket.send("3");
        case '1' -> disconnects.add("engine.io close");
        case '4' -> onSocketIo(text);
        default -> {}
      }
    }

    private void onSocketIo(String text) {
      if (text.length() < 2) {
        return;
      }
      char type = text.charAt(1);
      try {
        if (type == '2') {
          int start = 2;
          while (start < text.length() && Character.isDigit(text.charAt(start))) {
            start++;
          }
          JsonNode array = mapper.readTree(text.substring(start));
          TickCounter t = ticks;
          if (t != null && "tick".equals(array.path(0).asText())) {
            t.tick();
          }
        } else if (type == '3') {
          int end = 2;
          while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
          }
          int id = Integer.parseInt(text.substring(2, end));
          JsonNode args = mapper.readTree(text.substring(end));
          CompletableFuture<JsonNode> ack = acks.remove(id);
          if (ack != null) {
            ack.complete(args);
          }
        } else if (type == '0') {
          connected.complete(null);
        } else if (type == '1') {
          disconnects.add("io server disconnect");
        } else if (type == '4') {
          connected.completeExceptionally(new IllegalStateException("connect error " + text));
        }
      } catch (Exception e) {
        disconnects.add("bad frame: " + e);
      }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      if (!closing) {
        disconnects.add("closing " + code + " " + reason);
      }
      webSocket.close(1000, null);
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, @Nullable Response response) {
      connected.completeExceptionally(t);
      if (!closing) {
        disconnects.add("failure " + t);
      }
    }
  }
}

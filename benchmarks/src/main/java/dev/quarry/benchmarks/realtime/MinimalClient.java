package dev.quarry.benchmarks.realtime;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
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
 * The baseline: a minimal hand-written OkHttp WebSocket client that speaks Engine.IO v4 / Socket.IO
 * v5 text frames by hand and decodes every {@code tick} event into a {@link TickRecord} on OkHttp's
 * reader thread, the practical limit for a Java client on OkHttp + Jackson.
 *
 * <p>On the reader thread: the open packet is answered with CONNECT {@code 40}, a ping {@code 2}
 * with a pong {@code 3} at once, in frame order. A frame that starts with {@code 42["tick",} is
 * decoded with one {@link ObjectReader} prepared at construction ({@code
 * readerFor(TickRecord.class)}): the frame's characters after that prefix are copied into a buffer
 * reused by the reader thread, a parser is opened on it and the reader reads the first value, the
 * payload object, into the record (the closing bracket is never read). No tree, no lock, no queue,
 * no thread hop; then the tick counts. Other events are ignored without parsing. An ack {@code
 * 43<id>[...]} is parsed as a tree (acks carry small payloads and are not what the flood measures)
 * and completes its future. No reconnection, no buffering, no listener isolation.
 *
 * <p>{@link #tree()} is the harness's earlier baseline: the same client parsing every event frame
 * with {@code readTree} (a {@link JsonNode} tree of the whole array) and checking the event name in
 * the tree.
 */
final class MinimalClient implements BenchClient {
  private static final String TICK_PREFIX = "42[\"tick\",";

  private final ObjectMapper mapper = new ObjectMapper();
  private final ObjectReader tickReader = mapper.readerFor(TickRecord.class);
  private final OkHttpClient http =
      new OkHttpClient.Builder().readTimeout(Duration.ZERO).pingInterval(Duration.ZERO).build();
  private final Map<Integer, CompletableFuture<JsonNode>> acks = new ConcurrentHashMap<>();
  private final AtomicInteger nextAckId = new AtomicInteger();
  private final List<String> disconnects = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> connected = new CompletableFuture<>();
  private final boolean tree;
  private @Nullable WebSocket socket;
  private volatile @Nullable TickCounter ticks;
  private volatile boolean closing;

  /** Read and written by the reader thread only. */
  private char[] buffer = new char[2048];

  /** The last decoded record's seq, so the decode has a use; reader thread only. */
  @SuppressWarnings("unused")
  private int lastSeq;

  /** The baseline: every tick decoded into a {@link TickRecord}. */
  MinimalClient() {
    this(false);
  }

  private MinimalClient(boolean tree) {
    this.tree = tree;
  }

  /** The earlier baseline: every event frame parsed with {@code readTree}. */
  static MinimalClient tree() {
    return new MinimalClient(true);
  }

  @Override
  public String name() {
    return tree
        ? "hand-written OkHttp WebSocket, readTree"
        : "minimal OkHttp WebSocket + Jackson record";
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

  /** Decodes the payload of a {@code 42["tick",{...}]} frame into a record; reader thread. */
  private void onTick(String text) throws java.io.IOException {
    int from = TICK_PREFIX.length();
    int length = text.length() - from;
    char[] b = buffer;
    if (b.length < length) {
      b = new char[Math.max(length, 2 * b.length)];
      buffer = b;
    }
    text.getChars(from, text.length(), b, 0);
    try (JsonParser parser = tickReader.createParser(b, 0, length)) {
      TickRecord tick = tickReader.readValue(parser);
      lastSeq = tick.seq();
    }
    TickCounter t = ticks;
    if (t != null) {
      t.tick();
    }
  }

  private final class Listener extends WebSocketListener {
    @Override
    public void onMessage(WebSocket webSocket, String text) {
      if (text.isEmpty()) {
        return;
      }
      try {
        if (!tree && text.startsWith(TICK_PREFIX)) {
          onTick(text);
          return;
        }
        switch (text.charAt(0)) {
          case '0' -> webSocket.send("40");
          case '2' -> webSocket.send("3");
          case '1' -> disconnects.add("engine.io close");
          case '4' -> onSocketIo(text);
          default -> {}
        }
      } catch (Exception e) {
        disconnects.add("bad frame: " + e);
      }
    }

    private void onSocketIo(String text) throws java.io.IOException {
      if (text.length() < 2) {
        return;
      }
      char type = text.charAt(1);
      if (type == '2') {
        if (tree) {
          int start = 2;
          while (start < text.length() && Character.isDigit(text.charAt(start))) {
            start++;
          }
          JsonNode array = mapper.readTree(text.substring(start));
          TickCounter t = ticks;
          if (t != null && "tick".equals(array.path(0).asText())) {
            t.tick();
          }
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

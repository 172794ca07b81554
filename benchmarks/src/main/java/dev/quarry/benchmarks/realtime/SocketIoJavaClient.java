package dev.quarry.benchmarks.realtime;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import io.socket.engineio.client.transports.WebSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.json.JSONObject;
import org.jspecify.annotations.Nullable;

/**
 * socket.io-client-java 2.1.2 on OkHttp 5 (its OkHttp 3 dependency is excluded), WebSocket only, no
 * reconnection. Listeners run on its single event thread, as the library does.
 */
final class SocketIoJavaClient implements BenchClient {
  private final OkHttpClient http =
      new OkHttpClient.Builder().readTimeout(Duration.ZERO).pingInterval(Duration.ZERO).build();
  private final List<String> disconnects = new CopyOnWriteArrayList<>();
  private @Nullable Socket socket;
  private volatile boolean closing;

  @Override
  public String name() {
    return "socket.io-client-java 2.1.2";
  }

  @Override
  public void connect(String url, Map<String, String> params, TickCounter ticks, Duration timeout)
      throws Exception {
    IO.Options options =
        IO.Options.builder()
            .setTransports(new String[] {WebSocket.NAME})
            .setReconnection(false)
            .setForceNew(true)
            .build();
    options.webSocketFactory = http;
    options.callFactory = http;
    Socket s = IO.socket(URI.create(url), options);
    socket = s;
    CompletableFuture<Void> connected = new CompletableFuture<>();
    s.on(Socket.EVENT_CONNECT, args -> connected.complete(null));
    s.on(
        Socket.EVENT_CONNECT_ERROR,
        args -> connected.completeExceptionally(new IllegalStateException("connect error")));
    s.on(
        Socket.EVENT_DISCONNECT,
        args -> {
          if (!closing) {
            disconnects.add(args.length > 0 ? String.valueOf(args[0]) : "disconnect");
          }
        });
    s.on("tick", args -> ticks.tick());
    s.connect();
    connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    CompletableFuture<Void> subscribed = new CompletableFuture<>();
    s.emit(
        "subscribe", new Object[] {new JSONObject(params)}, (Ack) a -> subscribed.complete(null));
    subscribed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletableFuture<?> echo(Map<String, Object> payload) {
    Socket s = socket;
    if (s == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
    }
    CompletableFuture<Object[]> ack = new CompletableFuture<>();
    s.emit("echo", new Object[] {new JSONObject(payload)}, (Ack) ack::complete);
    return ack;
  }

  @Override
  public List<String> disconnects() {
    return disconnects;
  }

  @Override
  public void close() {
    closing = true;
    Socket s = socket;
    if (s != null) {
      s.disconnect();
      s.close();
    }
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}

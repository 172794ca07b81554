package dev.quarry.benchmarks.realtime;

import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.RealtimeTransport;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicSubscription;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Quarry's RealtimeClient with its defaults (its own OkHttp client, scheduler and callback thread),
 * subscribed through a {@link Topic}, listening with {@code on("tick", TickRecord.class, ...)}
 * (every event decoded into the record, as the minimal client does); the default transport
 * (WebSocket) or, with {@link #polling()}, HTTP long-polling only.
 */
final class QuarryClient implements BenchClient {
  private final List<String> disconnects = new CopyOnWriteArrayList<>();
  private final RealtimeTransport transport;
  private final int idleTopics;
  private final boolean topicListeners;
  private @Nullable RealtimeClient client;
  private volatile boolean closing;

  /** The default client: WebSocket. */
  QuarryClient() {
    this(RealtimeTransport.WEBSOCKET, 0, false);
  }

  /**
   * The default client that also subscribes {@code idleTopics} more topics that no event matches,
   * without a listener (an app that joins many rooms and listens by event name) or, with {@code
   * topicListeners}, each with a listener (an app that listens per room): every event then finds
   * them subscribed, and with listeners has them routed by the routing rule.
   */
  QuarryClient(int idleTopics, boolean topicListeners) {
    this(RealtimeTransport.WEBSOCKET, idleTopics, topicListeners);
  }

  private QuarryClient(RealtimeTransport transport, int idleTopics, boolean topicListeners) {
    this.transport = transport;
    this.idleTopics = idleTopics;
    this.topicListeners = topicListeners;
  }

  /** The same client over HTTP long-polling only. */
  static QuarryClient polling() {
    return new QuarryClient(RealtimeTransport.POLLING, 0, false);
  }

  @Override
  public String name() {
    return transport == RealtimeTransport.WEBSOCKET
        ? "Quarry RealtimeClient"
        : "Quarry RealtimeClient (polling)";
  }

  @Override
  public void connect(String url, Map<String, String> params, TickCounter ticks, Duration timeout)
      throws Exception {
    RealtimeClient c =
        RealtimeClient.create(
            RealtimeOptions.builder(URI.create(url)).transports(transport).build());
    client = c;
    CompletableFuture<Void> connected = new CompletableFuture<>();
    c.onConnectionEvent(
        e -> {
          if (e instanceof ConnectionEvent.Connected) {
            connected.complete(null);
          } else if (!closing
              && (e instanceof ConnectionEvent.Disconnected
                  || e instanceof ConnectionEvent.Reconnecting)) {
            disconnects.add(e.toString());
          }
        });
    c.on("tick", TickRecord.class, tick -> ticks.tick());
    TopicSubscription sub = c.subscribe(Topic.of("bench", params));
    c.connect();
    connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    sub.confirmed().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    List<CompletableFuture<?>> idle = new ArrayList<>();
    for (int i = 0; i < idleTopics; i++) {
      TopicSubscription s = c.subscribe(Topic.of("idle", Map.of("i", i)));
      if (topicListeners) {
        s.listen(e -> {});
      }
      idle.add(s.confirmed());
    }
    CompletableFuture.allOf(idle.toArray(CompletableFuture[]::new))
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletableFuture<?> echo(Map<String, Object> payload) {
    RealtimeClient c = client;
    if (c == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
    }
    return c.emitWithAck("echo", Duration.ofSeconds(10), payload);
  }

  @Override
  public List<String> disconnects() {
    return disconnects;
  }

  @Override
  public void close() {
    closing = true;
    RealtimeClient c = client;
    if (c != null) {
      c.close();
    }
  }
}

package dev.quarry.internal;

import dev.quarry.Inspector;
import dev.quarry.core.Clock;
import dev.quarry.core.Connectivity;
import dev.quarry.core.Subscription;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicSubscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Follows the realtime connection for the facade: feeds {@link Connectivity} (when asked to),
 * remembers the last reconnect and counts the topics the facade subscribed, for the inspector.
 */
public final class RealtimeMonitor implements AutoCloseable {
  private final RealtimeClient client;
  private final Clock clock;
  private final Subscription listening;
  private final Map<Topic, Integer> topics = new LinkedHashMap<>();
  private Inspector.@Nullable Recovery lastRecovery;

  /**
   * @param connectivity set online when connected and offline while reconnecting or disconnected;
   *     null when the application owns connectivity
   */
  public RealtimeMonitor(RealtimeClient client, Clock clock, @Nullable Connectivity connectivity) {
    this.client = client;
    this.clock = clock;
    this.listening =
        client.onConnectionEvent(
            event -> {
              if (event instanceof ConnectionEvent.Connected c) {
                if (c.reconnect()) {
                  synchronized (this) {
                    lastRecovery =
                        new Inspector.Recovery(
                            Instant.ofEpochMilli(clock.currentTimeMillis()),
                            c.recovered(),
                            c.sessionId());
                  }
                }
                if (connectivity != null) {
                  connectivity.setOnline(true);
                }
              } else if (event instanceof ConnectionEvent.Reconnecting
                  || event instanceof ConnectionEvent.Disconnected) {
                if (connectivity != null) {
                  connectivity.setOnline(false);
                }
              }
            });
  }

  /** The client. */
  public RealtimeClient client() {
    return client;
  }

  /** Subscribes to {@code topic} and counts the handle until it is closed. */
  public TopicSubscription subscribe(Topic topic) {
    TopicSubscription sub = client.subscribe(topic);
    synchronized (this) {
      topics.merge(topic, 1, Integer::sum);
    }
    AtomicBoolean closed = new AtomicBoolean();
    return new TopicSubscription() {
      @Override
      public Topic topic() {
        return sub.topic();
      }

      @Override
      public java.util.concurrent.CompletableFuture<com.fasterxml.jackson.databind.JsonNode>
          confirmed() {
        return sub.confirmed();
      }

      @Override
      public Subscription listen(
          java.util.function.Consumer<? super dev.quarry.realtime.TopicEvent> listener) {
        return sub.listen(listener);
      }

      @Override
      public <T> Subscription on(
          String event, Class<T> type, dev.quarry.realtime.EventListener<? super T> listener) {
        return sub.on(event, type, listener);
      }

      @Override
      public void close() {
        if (closed.compareAndSet(false, true)) {
          synchronized (RealtimeMonitor.this) {
            topics.computeIfPresent(topic, (t, n) -> n == 1 ? null : n - 1);
          }
          sub.close();
        }
      }
    };
  }

  /** The inspector's view of the connection. */
  public synchronized Inspector.RealtimeRow row() {
    List<String> subs = new ArrayList<>();
    for (Topic t : topics.keySet()) {
      subs.add(t.name() + " " + t.params());
    }
    return new Inspector.RealtimeRow(client.state(), subs, Optional.ofNullable(lastRecovery));
  }

  /** The clock the monitor stamps recoveries with. */
  Clock clock() {
    return clock;
  }

  @Override
  public void close() {
    listening.close();
  }
}

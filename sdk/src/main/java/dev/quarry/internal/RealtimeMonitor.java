package dev.quarry.internal;

import dev.quarry.Inspector;
import dev.quarry.core.Clock;
import dev.quarry.core.Connectivity;
import dev.quarry.core.Registration;
import dev.quarry.core.internal.Redaction;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicSubscription;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Follows the realtime connection for the facade: feeds {@link Connectivity} (when asked to),
 * remembers the last reconnect and the endpoint connected to, for the inspector.
 */
public final class RealtimeMonitor implements AutoCloseable {
  private final RealtimeClient client;
  private final Clock clock;
  private final Registration listening;
  private Inspector.@Nullable Recovery lastRecovery;
  private @Nullable URI endpoint;

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
                synchronized (this) {
                  endpoint = Redaction.uri(c.endpoint()); // shown by the inspector
                }
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

  /** Subscribes to {@code topic}; the client's {@link RealtimeClient#topics()} lists it. */
  public TopicSubscription subscribe(Topic topic) {
    return client.subscribe(topic);
  }

  /** The inspector's view of the connection. */
  public Inspector.RealtimeRow row() {
    URI at;
    Inspector.@Nullable Recovery recovery;
    synchronized (this) {
      at = endpoint;
      recovery = lastRecovery;
    }
    return new Inspector.RealtimeRow(
        client.state(), Optional.ofNullable(at), client.topics(), Optional.ofNullable(recovery));
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

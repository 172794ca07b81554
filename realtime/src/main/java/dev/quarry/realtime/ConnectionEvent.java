package dev.quarry.realtime;

import dev.quarry.core.internal.Redaction;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * A change of a {@link RealtimeClient}'s {@link ConnectionState}, delivered in order to the
 * listeners of {@link RealtimeClient#onConnectionEvent}.
 *
 * <pre>{@code
 * client.onConnectionEvent(e -> {
 *   if (e instanceof ConnectionEvent.Connected c) {
 *     log.info("connected, recovered={}", c.recovered());
 *   } else if (e instanceof ConnectionEvent.Reconnecting r) {
 *     log.info("retry {} in {}", r.attempt(), r.delay());
 *   }
 * });
 * }</pre>
 */
public sealed interface ConnectionEvent {
  /** The state this event enters. */
  ConnectionState state();

  /** The first connection attempt started. */
  record Connecting() implements ConnectionEvent {
    @Override
    public ConnectionState state() {
      return ConnectionState.CONNECTING;
    }
  }

  /**
   * The namespace connected.
   *
   * @param sessionId the Socket.IO socket id the server assigned
   * @param recovered whether the server restored the previous session (connection state recovery):
   *     same id, same rooms, missed events replayed. When false after a reconnect, events may have
   *     been missed and every topic was subscribed again
   * @param reconnect whether this is not the first connect of this client
   * @param endpoint the server URI connected to, one of {@link RealtimeOptions#endpoints()}
   */
  record Connected(String sessionId, boolean recovered, boolean reconnect, URI endpoint)
      implements ConnectionEvent {
    @Override
    public ConnectionState state() {
      return ConnectionState.CONNECTED;
    }

    /** The record's text, with the endpoint's user info and secret parameters redacted. */
    @Override
    public String toString() {
      return "Connected[sessionId="
          + sessionId
          + ", recovered="
          + recovered
          + ", reconnect="
          + reconnect
          + ", endpoint="
          + Redaction.url(endpoint)
          + "]";
    }
  }

  /**
   * The connection was lost (or an attempt failed); the next attempt starts after {@code delay}.
   *
   * @param attempt the number of this reconnect attempt since the last successful connect, from 1
   * @param reason what ended the previous connection, e.g. {@code "ping timeout"}
   * @param endpoint the server URI the next attempt goes to, one of {@link
   *     RealtimeOptions#endpoints()}
   */
  record Reconnecting(
      int attempt, Duration delay, String reason, Optional<Throwable> cause, URI endpoint)
      implements ConnectionEvent {
    @Override
    public ConnectionState state() {
      return ConnectionState.RECONNECTING;
    }

    /** The record's text, with the endpoint's user info and secret parameters redacted. */
    @Override
    public String toString() {
      return "Reconnecting[attempt="
          + attempt
          + ", delay="
          + delay
          + ", reason="
          + reason
          + ", cause="
          + cause
          + ", endpoint="
          + Redaction.url(endpoint)
          + "]";
    }
  }

  /**
   * The client stopped trying: the server refused ({@link ConnectErrorException} as the cause), the
   * server disconnected the client, or the attempts ran out. {@link RealtimeClient#connect()}
   * starts again.
   */
  record Disconnected(String reason, Optional<Throwable> cause) implements ConnectionEvent {
    @Override
    public ConnectionState state() {
      return ConnectionState.DISCONNECTED;
    }
  }

  /** The client was closed. */
  record Closed() implements ConnectionEvent {
    @Override
    public ConnectionState state() {
      return ConnectionState.CLOSED;
    }
  }
}

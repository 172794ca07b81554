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
   * @param reason what ended the previous connection or attempt
   * @param detail the same in words, with specifics, e.g. {@code "connect timeout: no CONNECT reply
   *     within PT20S"}; for logs, not for matching
   * @param endpoint the server URI the next attempt goes to, one of {@link
   *     RealtimeOptions#endpoints()}
   */
  record Reconnecting(
      int attempt,
      Duration delay,
      DisconnectReason reason,
      String detail,
      Optional<Throwable> cause,
      URI endpoint)
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
          + ", detail="
          + detail
          + ", cause="
          + cause
          + ", endpoint="
          + Redaction.url(endpoint)
          + "]";
    }
  }

  /**
   * The client stopped trying: the server refused ({@link ConnectErrorException} as the cause,
   * {@link DisconnectReason#CONNECT_ERROR}), the server disconnected the client ({@link
   * DisconnectReason#IO_SERVER_DISCONNECT}), the application called {@link
   * RealtimeClient#disconnect()} ({@link DisconnectReason#IO_CLIENT_DISCONNECT}), or the attempts
   * ran out (the reason of the last one, and a detail that says so). {@link
   * RealtimeClient#connect()} starts again.
   *
   * @param reason what ended the connection or the last attempt
   * @param detail the same in words, with specifics; for logs, not for matching
   */
  record Disconnected(DisconnectReason reason, String detail, Optional<Throwable> cause)
      implements ConnectionEvent {
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

package dev.quarry.realtime;

/**
 * Where a {@link RealtimeClient} is in its lifecycle.
 *
 * <pre>{@code
 * DISCONNECTED --connect()--> CONNECTING --CONNECT reply--> CONNECTED
 * CONNECTED --transport lost / ping timeout--> RECONNECTING --backoff, CONNECT reply--> CONNECTED
 * any --CONNECT_ERROR, server disconnect, attempts exhausted, disconnect()--> DISCONNECTED
 * DISCONNECTED --connect()--> CONNECTING (a new session)
 * any --close()--> CLOSED (final)
 * }</pre>
 */
public enum ConnectionState {
  /** The first connection attempt is in progress. */
  CONNECTING,
  /** The namespace is connected: events flow, emits are sent at once. */
  CONNECTED,
  /** The connection was lost; the client waits out the backoff or is trying again. */
  RECONNECTING,
  /**
   * Not connected and not trying: before {@link RealtimeClient#connect()}, or after a refusal, a
   * server-side disconnect, the last reconnect attempt or {@link RealtimeClient#disconnect()}.
   * Emits are buffered.
   */
  DISCONNECTED,
  /** {@link RealtimeClient#close()} was called; final. */
  CLOSED
}

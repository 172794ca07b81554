package dev.quarry.realtime.internal;

import java.util.Map;

/** One WebSocket connection, as the client needs it. Implementations are thread-safe. */
interface Transport {
  /** Queues a text frame; false if the transport is closing or its queue is full. */
  boolean send(String text);

  /** Queues a binary frame; false if the transport is closing or its queue is full. */
  boolean send(byte[] bytes);

  /** Starts a graceful close. */
  void close(int code, String reason);

  /** Drops the connection at once. */
  void cancel();

  /** Receives what happens on a transport; called on the transport's reader thread, in order. */
  interface Listener {
    void onText(Transport t, String text);

    void onBinary(Transport t, byte[] bytes);

    /** The transport ended (closed, failed or refused); called at most once. */
    void onEnd(Transport t, String reason, @org.jspecify.annotations.Nullable Throwable cause);
  }

  /** Opens transports. */
  interface Factory {
    /** Starts opening a WebSocket to {@code url} (ws/wss or http/https) with these headers. */
    Transport open(String url, Map<String, String> headers, Listener listener);
  }
}

package dev.quarry.benchmarks.realtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One Socket.IO client under test. Not thread-safe for setup; {@link #echo} may be called from one
 * thread at a time; the tick counter is updated on whatever thread the client delivers events on.
 */
interface BenchClient extends AutoCloseable {
  /** The name in the tables. */
  String name();

  /**
   * Connects to {@code url} (namespace "/"), subscribes to the room of {@code params} with the
   * server's {@code subscribe} event and waits for its ack. Every {@code tick} event received after
   * this counts on {@code ticks}.
   */
  void connect(String url, Map<String, String> params, TickCounter ticks, Duration timeout)
      throws Exception;

  /** Emits {@code echo(payload)} with an ack; the future completes when the ack arrives. */
  CompletableFuture<?> echo(Map<String, Object> payload);

  /** Disconnects seen since {@link #connect}, with their reasons (none expected). */
  List<String> disconnects();

  @Override
  void close();
}

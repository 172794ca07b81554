package dev.quarry.spring.boot;

import java.util.Map;

/**
 * The auth object of the realtime handshake (socket.io's {@code auth}), asked for on every connect
 * and reconnect so that a refreshed token is used. Define one as a bean and the auto-configured
 * {@link dev.quarry.Quarry} sends it.
 *
 * <pre>{@code
 * @Bean
 * QuarryRealtimeAuth realtimeAuth(TokenSource tokens) {
 *   return () -> Map.of("token", tokens.current());
 * }
 * }</pre>
 *
 * <p>Called on a Quarry thread (not the OkHttp reader thread); it must not block for long and must
 * not return {@code null}. An exception fails that connection attempt, which is retried with
 * backoff. The values are sent to the server only: Quarry never logs them, and the inspector and
 * the health indicator never show them.
 */
@FunctionalInterface
public interface QuarryRealtimeAuth {
  /** The handshake's auth object, written as JSON. */
  Map<String, ?> handshakeAuth();
}

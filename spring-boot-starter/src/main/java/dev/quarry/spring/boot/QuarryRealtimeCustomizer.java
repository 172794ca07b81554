package dev.quarry.spring.boot;

import dev.quarry.realtime.RealtimeOptions;

/**
 * Changes the {@link RealtimeOptions.Builder} that the {@code quarry.realtime.*} properties made,
 * before the auto-configured {@link dev.quarry.Quarry} is built: handshake headers, reconnect
 * backoff, routing rule, limits.
 *
 * <pre>{@code
 * @Bean
 * QuarryRealtimeCustomizer studioRealtime() {
 *   return r -> r.header("X-Client", "studio-bff").maxReconnectAttempts(20);
 * }
 * }</pre>
 *
 * <p>Called once, only when {@code quarry.realtime.uri} is set, on the thread that creates the
 * {@code Quarry} bean, in the beans' {@code @Order}; an exception fails the bean's creation.
 */
@FunctionalInterface
public interface QuarryRealtimeCustomizer {
  /** Changes {@code builder}. */
  void customize(RealtimeOptions.Builder builder);
}

/**
 * A Socket.IO v5 client (Engine.IO v4 over an OkHttp WebSocket) for the JVM: {@link
 * dev.quarry.realtime.RealtimeClient} with events and acknowledgements, topic {@link
 * dev.quarry.realtime.TopicSubscription subscriptions} that survive reconnects, reconnection with
 * backoff, and socket.io connection state recovery.
 *
 * <p>Start with {@link dev.quarry.realtime.RealtimeOptions#builder(java.net.URI)}. Everything here
 * is non-null unless annotated {@code @Nullable}. The machinery lives in {@code
 * dev.quarry.realtime.internal} and is not API.
 */
@NullMarked
package dev.quarry.realtime;

import org.jspecify.annotations.NullMarked;

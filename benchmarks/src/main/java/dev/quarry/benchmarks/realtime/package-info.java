/**
 * The realtime harness: three Socket.IO clients (Quarry's RealtimeClient, socket.io-client-java
 * 2.1.2 and a raw OkHttp WebSocket that speaks Engine.IO v4 / Socket.IO v5 frames by hand) against
 * the same Node socket.io 4.8.4 server, alternating, in one run.
 */
@NullMarked
package dev.quarry.benchmarks.realtime;

import org.jspecify.annotations.NullMarked;

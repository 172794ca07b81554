/**
 * The realtime harnesses: Socket.IO clients (the minimal hand-written OkHttp WebSocket client that
 * decodes every event into a record on its reader thread, Quarry's RealtimeClient and facade, and
 * socket.io-client-java 2.1.2) against the same Node socket.io 4.8.4 server, alternating in one run
 * ({@code RealtimeHarness}); the same clients against an in-process server that writes pre-encoded
 * frames from memory, so that a flood measures the client's receive path and not the server ({@code
 * ReplayHarness}, {@code ReplayServer}); and cold client JVMs flooded at their first heartbeats
 * ({@code ColdStartHarness}).
 */
@NullMarked
package dev.quarry.benchmarks.realtime;

import org.jspecify.annotations.NullMarked;

/**
 * The realtime client's machinery: the Engine.IO / Socket.IO codec ({@link
 * dev.quarry.realtime.internal.PacketCodec}), the session state machine ({@link
 * dev.quarry.realtime.internal.RealRealtimeClient}: connect, reconnect, endpoints, recovery), one
 * transport attempt ({@code Conn}: handshake, heartbeat, incoming frames), the outgoing side
 * ({@code Outbound}: acks and the send buffer), topics ({@code Topics}) and listeners. All of it
 * shares the client's one lock; user code is queued and runs after the lock is released. Not API.
 */
@NullMarked
package dev.quarry.realtime.internal;

import org.jspecify.annotations.NullMarked;

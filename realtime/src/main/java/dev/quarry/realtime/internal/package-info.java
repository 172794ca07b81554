/**
 * The realtime client's machinery: the Engine.IO / Socket.IO codec ({@link
 * dev.quarry.realtime.internal.PacketCodec}), the connection state machine ({@link
 * dev.quarry.realtime.internal.RealRealtimeClient}) and ordered callback delivery. Not API.
 */
@NullMarked
package dev.quarry.realtime.internal;

import org.jspecify.annotations.NullMarked;

package dev.quarry.realtime;

/**
 * Counters of a {@link RealtimeClient}'s incoming events, for monitoring (for example Micrometer
 * meters): a snapshot from {@link RealtimeClient#stats()}.
 *
 * <p>{@code eventsReceived} and {@code eventsDropped} count from the client's creation and never go
 * down; the two {@code queued} values are the callback queue's depth at the moment of the snapshot
 * (while the listeners are busy it may still count up to 31 events they have just been handed,
 * unless the delivery stall timeout is zero; it is exact whenever the queue is idle). A dropped
 * event is also received; an event no listener or topic wanted is received and neither queued nor
 * dropped. Acknowledgement replies and the client's own control traffic are not events.
 *
 * @param eventsReceived events that arrived from the server
 * @param eventsDropped events that did not fit in the callback queue (the limit of {@link
 *     RealtimeOptions.Builder#maxQueuedEvents(int, long)}) and reached no listener; each drop is
 *     also reported as a {@link DeliveryOverflowException}
 * @param queuedEvents events waiting now for their listeners (admitted, not yet delivered)
 * @param queuedBytes the size of those events' payloads
 */
public record RealtimeStats(
    long eventsReceived, long eventsDropped, int queuedEvents, long queuedBytes) {}

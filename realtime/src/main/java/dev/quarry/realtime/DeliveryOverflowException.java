package dev.quarry.realtime;

/**
 * Incoming events arrived faster than the listeners took them, and the queue between the socket and
 * the listeners reached a bound of {@link RealtimeOptions.Builder#maxQueuedEvents(int, long)}. The
 * client dropped the event that did not fit, closed the connection and reconnects after the
 * backoff; events queued before it are still delivered. With connection state recovery the server
 * replays the dropped event and what followed; without it every topic gets a {@link TopicEvent.Gap}
 * and {@link ConnectionEvent.Connected#recovered()} is false.
 *
 * <p>Reported to the {@link dev.quarry.core.ErrorHandler} and as the cause of the {@link
 * ConnectionEvent.Reconnecting} event; both run on the client's control lane, not behind the full
 * event queue.
 *
 * <pre>{@code
 * RealtimeOptions.builder(uri).errorHandler((context, e) -> {
 *   if (e instanceof DeliveryOverflowException d) metrics.add("realtime.dropped", d.dropped());
 * });
 * }</pre>
 */
public final class DeliveryOverflowException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  private final int dropped;
  private final int queuedEvents;
  private final long queuedBytes;

  /** Creates the exception; the numbers are those at the moment of the overflow. */
  public DeliveryOverflowException(
      int dropped, int queuedEvents, long queuedBytes, int maxEvents, long maxBytes) {
    super(
        dropped
            + " incoming event(s) dropped: "
            + queuedEvents
            + " events ("
            + queuedBytes
            + " bytes) were waiting for their listeners, the limit is "
            + maxEvents
            + " events or "
            + maxBytes
            + " bytes (maxQueuedEvents); connection closed to recover");
    this.dropped = dropped;
    this.queuedEvents = queuedEvents;
    this.queuedBytes = queuedBytes;
  }

  /** The number of events dropped (not delivered to any listener). */
  public int dropped() {
    return dropped;
  }

  /** Events waiting for their listeners when the overflow happened. */
  public int queuedEvents() {
    return queuedEvents;
  }

  /** Bytes of the events waiting for their listeners when the overflow happened. */
  public long queuedBytes() {
    return queuedBytes;
  }
}

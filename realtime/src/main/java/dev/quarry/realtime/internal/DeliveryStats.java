package dev.quarry.realtime.internal;

import dev.quarry.realtime.RealtimeStats;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The incoming-event counters behind {@link dev.quarry.realtime.RealtimeClient#stats()}: counted
 * where an event is handed to the callback queue (under the client's lock, so the increments are
 * cheap and never contended by readers), read from any thread.
 */
final class DeliveryStats {
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  /** An event arrived from the server. */
  void received() {
    received.incrementAndGet();
  }

  /** An event did not fit in the callback queue. */
  void dropped() {
    dropped.incrementAndGet();
  }

  /** The counters with the queue's depth now; any thread. */
  RealtimeStats snapshot(Callbacks callbacks) {
    return new RealtimeStats(
        received.get(), dropped.get(), callbacks.queuedEvents(), callbacks.queuedBytes());
  }
}

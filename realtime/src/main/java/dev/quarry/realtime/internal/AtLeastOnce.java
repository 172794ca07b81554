package dev.quarry.realtime.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.quarry.realtime.AckTimeoutException;
import dev.quarry.realtime.DisconnectedException;
import dev.quarry.realtime.SendBufferFullException;
import java.util.ArrayDeque;

/**
 * At-least-once emits ({@code RealtimeOptions.retries > 0}), as socket.io-client 4.6+ sends them:
 * one queue, one event in flight at a time, in order; each waits for its ack up to the ack timeout
 * and is sent again when the ack times out or its connection ends (then it waits in the send buffer
 * for the next connection, its timeout still running), up to {@code retries} more times. Then it is
 * given up: its outcome fails with the last error and the next event goes.
 *
 * <p>Every method runs under the client's lock; outcomes only queue user code.
 */
final class AtLeastOnce {
  private record Entry(String event, ArrayNode data, Outbound.AckOutcome outcome) {}

  private final RealRealtimeClient client;
  private final int retries;
  private final int limit;
  private final ArrayDeque<Entry> queue = new ArrayDeque<>();

  /** The tries of the head of the queue so far, 0 while nothing is in flight. */
  private int tries;

  private boolean inFlight;

  AtLeastOnce(RealRealtimeClient client) {
    this.client = client;
    this.retries = client.options.retries();
    // The queue holds what the send buffer would hold, plus the event in flight.
    this.limit = client.options.sendBufferSize() + 1;
  }

  /** Whether emits go through this queue. */
  boolean enabled() {
    return retries > 0;
  }

  /**
   * Queues an event; {@code data} is the packet's array (name first). Sent at once if nothing is in
   * flight.
   *
   * @throws SendBufferFullException if the queue is full
   * @throws DisconnectedException if the client is closed
   */
  void add(String event, ArrayNode data, Outbound.AckOutcome outcome) {
    if (client.isClosedLocked()) {
      throw new DisconnectedException(event, "client closed");
    }
    if (queue.size() >= limit) {
      throw new SendBufferFullException(event, limit - 1);
    }
    queue.add(new Entry(event, data, outcome));
    drain();
  }

  private void drain() {
    while (!inFlight && !queue.isEmpty()) {
      Entry head = queue.peek();
      inFlight = true;
      tries++;
      try {
        client.outbound.sendWithAck(
            head.event(), head.data().deepCopy(), client.options.ackTimeout(), new Attempt(head));
      } catch (RuntimeException e) {
        // Cannot be sent at all (too large, buffer full, closed): given up, the next one goes.
        giveUp(head, e);
      }
    }
  }

  private void giveUp(Entry head, RuntimeException e) {
    queue.poll();
    inFlight = false;
    tries = 0;
    head.outcome().failed(e);
  }

  /** Fails everything queued: the client is closing. */
  void closed() {
    Entry e;
    while ((e = queue.poll()) != null) {
      e.outcome().failed(new DisconnectedException(e.event(), "client closed"));
    }
    inFlight = false;
    tries = 0;
  }

  /** Queued events, the one in flight included (for tests). */
  int size() {
    return queue.size();
  }

  /** The outcome of one try of the head. */
  private final class Attempt implements Outbound.AckOutcome {
    private final Entry entry;

    Attempt(Entry entry) {
      this.entry = entry;
    }

    @Override
    public void acked(ArrayNode args) {
      if (queue.peek() != entry) {
        return;
      }
      queue.poll();
      inFlight = false;
      tries = 0;
      entry.outcome().acked(args);
      drain();
    }

    @Override
    public void failed(RuntimeException e) {
      if (queue.peek() != entry) {
        return;
      }
      boolean retriable =
          e instanceof AckTimeoutException
              || (e instanceof DisconnectedException && !client.isClosedLocked());
      if (retriable && tries <= retries) {
        inFlight = false;
      } else {
        giveUp(entry, e);
      }
      drain();
    }
  }
}

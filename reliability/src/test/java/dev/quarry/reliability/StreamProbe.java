package dev.quarry.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.TopicEvent;
import dev.quarry.realtime.TopicSubscription;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Records what a subscription delivers, in delivery order: each event's global sequence number
 * ({@code batch * batchSize + seq}) and each {@link TopicEvent.Gap}, plus the connection events.
 * Answers the questions the realtime fault tests ask: what was lost, what was duplicated, and was
 * every hole in the sequence preceded by a gap report. Thread-safe.
 */
final class StreamProbe {
  /** A gap report in the timeline. */
  static final int GAP = -1;

  final int batchSize;
  private final List<Integer> timeline = new ArrayList<>();
  private final List<ConnectionEvent> connection = new ArrayList<>();
  private final BitSet seen = new BitSet();
  private int received;
  private int duplicates;
  private int maxSeq = -1;

  StreamProbe(int batchSize) {
    this.batchSize = batchSize;
  }

  void attach(RealtimeClient client, TopicSubscription sub) {
    client.onConnectionEvent(this::onConnection);
    sub.listen(this::onTopicEvent);
  }

  static Map<String, Object> base(String executionId, int batch) {
    return Map.of("executionId", executionId, "batch", batch);
  }

  private synchronized void onConnection(ConnectionEvent e) {
    connection.add(e);
  }

  synchronized void onTopicEvent(TopicEvent e) {
    if (e instanceof TopicEvent.Gap) {
      timeline.add(GAP);
    } else if (e instanceof TopicEvent.Message m) {
      JsonNode p = m.payload();
      int seq = p.get("batch").asInt() * batchSize + p.get("seq").asInt();
      timeline.add(seq);
      received++;
      if (seen.get(seq)) {
        duplicates++;
      }
      seen.set(seq);
      maxSeq = Math.max(maxSeq, seq);
    }
  }

  synchronized int received() {
    return received;
  }

  synchronized int distinct() {
    return seen.cardinality();
  }

  synchronized int duplicates() {
    return duplicates;
  }

  synchronized int maxSeq() {
    return maxSeq;
  }

  synchronized boolean has(int seq) {
    return seen.get(seq);
  }

  synchronized int gaps() {
    return (int) timeline.stream().filter(s -> s == GAP).count();
  }

  synchronized List<ConnectionEvent> connectionEvents() {
    return List.copyOf(connection);
  }

  synchronized long reconnects() {
    return connection.stream()
        .filter(e -> e instanceof ConnectionEvent.Connected c && c.reconnect())
        .count();
  }

  synchronized long recoveredReconnects() {
    return connection.stream()
        .filter(e -> e instanceof ConnectionEvent.Connected c && c.reconnect() && c.recovered())
        .count();
  }

  /** Events in delivery order that came after a higher one (out of order). */
  synchronized int outOfOrder() {
    int n = 0;
    int last = -1;
    for (int s : timeline) {
      if (s == GAP) {
        continue;
      }
      if (s < last) {
        n++;
      }
      last = Math.max(last, s);
    }
    return n;
  }

  /** Sequence numbers below {@code total} that never arrived. */
  synchronized int missing(int total) {
    return total - seen.get(0, total).cardinality();
  }

  /**
   * Holes (consecutive delivered events whose numbers are not adjacent, or missing events at the
   * end) with no gap report between the two events: losses nobody was told about.
   */
  synchronized List<String> unreportedHoles(int total) {
    List<String> out = new ArrayList<>();
    int last = -1;
    boolean gapSinceLast = false;
    for (int s : timeline) {
      if (s == GAP) {
        gapSinceLast = true;
        continue;
      }
      if (s > last + 1 && !gapSinceLast) {
        out.add("events " + (last + 1) + ".." + (s - 1) + " missing, no gap reported");
      }
      if (s > last) {
        last = s;
      }
      gapSinceLast = false;
    }
    if (last < total - 1 && !gapSinceLast) {
      out.add("events " + (last + 1) + ".." + (total - 1) + " missing at the end, no gap reported");
    }
    return out;
  }

  @Override
  public synchronized String toString() {
    return "received "
        + received
        + " ("
        + seen.cardinality()
        + " distinct, max "
        + maxSeq
        + "), "
        + gaps()
        + " gaps, "
        + connection;
  }
}

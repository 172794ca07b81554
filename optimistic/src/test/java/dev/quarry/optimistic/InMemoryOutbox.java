package dev.quarry.optimistic;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/** A non-durable {@link OutboxStore}: shows that stores plug in, and keeps tests fast. */
final class InMemoryOutbox implements OutboxStore {
  private final TreeMap<Long, OutboxRecord> pending = new TreeMap<>();
  private final TreeMap<Long, OutboxRecord.SetAside> setAside = new TreeMap<>();
  private long next = 1;

  @Override
  public synchronized OutboxRecord append(
      String mutationKey,
      String variables,
      Optional<String> scope,
      String idempotencyKey,
      long submittedAt) {
    OutboxRecord r =
        new OutboxRecord(next++, mutationKey, variables, scope, idempotencyKey, submittedAt);
    pending.put(r.sequence(), r);
    return r;
  }

  @Override
  public synchronized void markDone(long sequence) {
    pending.remove(sequence);
  }

  @Override
  public synchronized List<OutboxRecord> pending() {
    return new ArrayList<>(pending.values());
  }

  @Override
  public synchronized void setAside(long sequence, String reason) {
    OutboxRecord r = pending.remove(sequence);
    if (r != null) {
      setAside.put(sequence, new OutboxRecord.SetAside(r, reason));
    }
  }

  @Override
  public synchronized List<OutboxRecord.SetAside> setAsideRecords() {
    return new ArrayList<>(setAside.values());
  }

  @Override
  public void close() {}
}

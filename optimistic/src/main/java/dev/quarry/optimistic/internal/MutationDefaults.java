package dev.quarry.optimistic.internal;

import dev.quarry.core.QueryKey;
import dev.quarry.optimistic.MutationOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mutation defaults registered by key, in registration order. Thread-safe: writers hold the
 * monitor; readers see an immutable list.
 */
final class MutationDefaults {
  private record Entry(QueryKey key, MutationOptions<?, ?, ?> options) {}

  private volatile List<Entry> entries = List.of();

  /** Registers {@code options} for {@code key}, replacing an entry for an equal key. */
  synchronized void set(QueryKey key, MutationOptions<?, ?, ?> options) {
    List<Entry> next = new ArrayList<>(entries);
    next.removeIf(e -> e.key().equals(key));
    next.add(new Entry(key, options));
    entries = List.copyOf(next);
  }

  /** The defaults registered for exactly {@code key}. */
  Optional<MutationOptions<?, ?, ?>> exact(QueryKey key) {
    for (Entry e : entries) {
      if (e.key().equals(key)) {
        return Optional.of(e.options());
      }
    }
    return Optional.empty();
  }

  /** {@code options} over the defaults registered for keys that prefix its key. */
  <V, R, C> MutationOptions<V, R, C> apply(MutationOptions<V, R, C> options) {
    Optional<QueryKey> key = options.mutationKey();
    if (key.isEmpty()) {
      return options;
    }
    MutationOptions<?, ?, ?> base = null;
    for (Entry e : entries) {
      if (key.get().matches(e.key())) {
        base = base == null ? e.options() : e.options().withDefaults(base);
      }
    }
    return base == null ? options : options.withDefaults(base);
  }
}

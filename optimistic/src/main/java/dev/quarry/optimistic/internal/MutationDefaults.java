package dev.quarry.optimistic.internal;

import dev.quarry.core.QueryKey;
import dev.quarry.optimistic.MutationOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A client's mutation defaults: the client-wide ones, then those registered by key in registration
 * order, as TanStack Query merges them ({@code defaultOptions.mutations}, then every matching
 * {@code setMutationDefaults} entry, then the mutation's own options). Thread-safe: writers hold
 * the monitor; readers see an immutable list.
 */
final class MutationDefaults {
  private record Entry(QueryKey key, MutationOptions<?, ?, ?> options) {}

  private final @Nullable MutationOptions<?, ?, ?> clientWide;
  private volatile List<Entry> entries = List.of();

  /**
   * @param clientWide the client-wide defaults, or null for none
   */
  MutationDefaults(@Nullable MutationOptions<?, ?, ?> clientWide) {
    this.clientWide = clientWide;
  }

  /**
   * Registers {@code options} for {@code key}; an entry for an equal key is replaced where it
   * stands, so it keeps its place in the order (as a JavaScript {@code Map.set} does).
   */
  synchronized void set(QueryKey key, MutationOptions<?, ?, ?> options) {
    List<Entry> next = new ArrayList<>(entries);
    Entry entry = new Entry(key, options);
    boolean replaced = false;
    for (int i = 0; i < next.size(); i++) {
      if (next.get(i).key().equals(key)) {
        next.set(i, entry);
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      next.add(entry);
    }
    entries = List.copyOf(next);
  }

  /**
   * The merge of every entry whose key is a prefix of {@code key} (equal included), later entries
   * winning; empty if none matches. The client-wide defaults are not part of it.
   */
  Optional<MutationOptions<?, ?, ?>> matching(QueryKey key) {
    return Optional.ofNullable(merge(key, null));
  }

  /** {@code options} over the matching entries, over the client-wide defaults. */
  <V, R, C> MutationOptions<V, R, C> apply(MutationOptions<V, R, C> options) {
    Optional<QueryKey> key = options.mutationKey();
    MutationOptions<?, ?, ?> base = key.isEmpty() ? clientWide : merge(key.get(), clientWide);
    return base == null ? options : options.withDefaults(base);
  }

  private @Nullable MutationOptions<?, ?, ?> merge(
      QueryKey key, @Nullable MutationOptions<?, ?, ?> under) {
    MutationOptions<?, ?, ?> base = under;
    for (Entry e : entries) {
      if (key.matches(e.key())) {
        base = base == null ? e.options() : e.options().withDefaults(base);
      }
    }
    return base;
  }
}

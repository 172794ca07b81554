package dev.quarry.optimistic;

import dev.quarry.core.QueryKey;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Selects mutations in the mutation cache (TanStack's {@code MutationFilters}): by key (prefix, or
 * exact), by status, and by a predicate; all given conditions must hold.
 *
 * <pre>{@code
 * int creating = client.isMutating(MutationFilters.key(QueryKey.of("episodes")));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class MutationFilters {
  private static final MutationFilters ALL = new MutationFilters(null, false, null, m -> true);

  private final @Nullable QueryKey key;
  private final boolean exact;
  private final @Nullable MutationStatus status;
  private final Predicate<MutationInfo> predicate;

  private MutationFilters(
      @Nullable QueryKey key,
      boolean exact,
      @Nullable MutationStatus status,
      Predicate<MutationInfo> predicate) {
    this.key = key;
    this.exact = exact;
    this.status = status;
    this.predicate = predicate;
  }

  /** Matches every mutation. */
  public static MutationFilters all() {
    return ALL;
  }

  /** Matches mutations whose key starts with {@code prefix} (partial match, as TanStack). */
  public static MutationFilters key(QueryKey prefix) {
    return new MutationFilters(Objects.requireNonNull(prefix, "prefix"), false, null, m -> true);
  }

  /** Matches mutations whose key equals {@code key}. */
  public static MutationFilters exact(QueryKey key) {
    return new MutationFilters(Objects.requireNonNull(key, "key"), true, null, m -> true);
  }

  /** These filters, also requiring {@code status}. */
  public MutationFilters status(MutationStatus status) {
    return new MutationFilters(key, exact, Objects.requireNonNull(status, "status"), predicate);
  }

  /** These filters, also requiring {@code predicate}. */
  public MutationFilters predicate(Predicate<MutationInfo> predicate) {
    Objects.requireNonNull(predicate, "predicate");
    return new MutationFilters(key, exact, status, this.predicate.and(predicate));
  }

  /** Whether {@code mutation} matches. */
  public boolean matches(MutationInfo mutation) {
    if (key != null) {
      Optional<QueryKey> k = mutation.mutationKey();
      if (k.isEmpty()) {
        return false;
      }
      if (exact ? !k.get().equals(key) : !k.get().matches(key)) {
        return false;
      }
    }
    if (status != null && mutation.state().status() != status) {
      return false;
    }
    return predicate.test(mutation);
  }

  @Override
  public String toString() {
    return "MutationFilters{key=" + key + ", exact=" + exact + ", status=" + status + "}";
  }
}

package dev.quarry.cache;

import dev.quarry.core.QueryKey;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Which queries a bulk operation ({@code invalidateQueries}, {@code refetchQueries}, {@code
 * cancelQueries}, {@code removeQueries}, ...) applies to. Conditions are ANDed.
 *
 * <pre>{@code
 * client.invalidateQueries(QueryFilters.prefix(QueryKey.of("episodes")));        // ["episodes", ...]
 * client.refetchQueries(QueryFilters.all().type(QueryFilters.Type.INACTIVE));
 * client.removeQueries(QueryFilters.exact(key));
 * client.invalidateQueries(QueryFilters.prefix(key).refetchType(QueryFilters.RefetchType.NONE));
 * }</pre>
 *
 * <p>Immutable and thread-safe; each method returns a new instance. The predicate is user code: it
 * runs on the calling thread, outside Quarry's locks.
 */
public final class QueryFilters {
  /** Which queries by observer activity. */
  public enum Type {
    /** Every query (the default). */
    ALL,
    /** Queries with at least one enabled observer. */
    ACTIVE,
    /** Queries without an enabled observer. */
    INACTIVE
  }

  /** Which invalidated queries {@code invalidateQueries} refetches. */
  public enum RefetchType {
    /** The active ones (the default). */
    ACTIVE,
    /** The inactive ones. */
    INACTIVE,
    /** All of them. */
    ALL,
    /** None: only mark them invalidated. */
    NONE
  }

  private static final QueryFilters ALL_QUERIES =
      new QueryFilters(QueryKey.empty(), false, Type.ALL, null, null, null, null);

  private final QueryKey key;
  private final boolean exact;
  private final Type type;
  private final @Nullable Boolean stale;
  private final @Nullable FetchStatus fetchStatus;
  private final @Nullable Predicate<QuerySnapshot> predicate;
  private final @Nullable RefetchType refetchType;

  private QueryFilters(
      QueryKey key,
      boolean exact,
      Type type,
      @Nullable Boolean stale,
      @Nullable FetchStatus fetchStatus,
      @Nullable Predicate<QuerySnapshot> predicate,
      @Nullable RefetchType refetchType) {
    this.key = key;
    this.exact = exact;
    this.type = type;
    this.stale = stale;
    this.fetchStatus = fetchStatus;
    this.predicate = predicate;
    this.refetchType = refetchType;
  }

  /** Every query. */
  public static QueryFilters all() {
    return ALL_QUERIES;
  }

  /** Queries whose key starts with {@code prefix} (TanStack's partial matching). */
  public static QueryFilters prefix(QueryKey prefix) {
    return new QueryFilters(
        Objects.requireNonNull(prefix, "prefix"), false, Type.ALL, null, null, null, null);
  }

  /** The query with exactly this key. */
  public static QueryFilters exact(QueryKey key) {
    return new QueryFilters(
        Objects.requireNonNull(key, "key"), true, Type.ALL, null, null, null, null);
  }

  /** These filters restricted to active or inactive queries. */
  public QueryFilters type(Type type) {
    return new QueryFilters(
        key,
        exact,
        Objects.requireNonNull(type, "type"),
        stale,
        fetchStatus,
        predicate,
        refetchType);
  }

  /**
   * These filters restricted to stale (or fresh) queries, by the query view of staleness (with
   * observers, stale for any observer; without, only when it has no data or is invalidated).
   */
  public QueryFilters stale(boolean stale) {
    return new QueryFilters(key, exact, type, stale, fetchStatus, predicate, refetchType);
  }

  /** These filters restricted to queries with this fetch status. */
  public QueryFilters fetchStatus(FetchStatus status) {
    return new QueryFilters(
        key, exact, type, stale, Objects.requireNonNull(status), predicate, refetchType);
  }

  /** These filters restricted to queries matching {@code predicate}. */
  public QueryFilters predicate(Predicate<QuerySnapshot> predicate) {
    return new QueryFilters(
        key, exact, type, stale, fetchStatus, Objects.requireNonNull(predicate), refetchType);
  }

  /** Which of the invalidated queries {@code invalidateQueries} refetches (default active). */
  public QueryFilters refetchType(RefetchType refetchType) {
    return new QueryFilters(
        key, exact, type, stale, fetchStatus, predicate, Objects.requireNonNull(refetchType));
  }

  /** The key, a prefix unless {@link #isExact()}. */
  public QueryKey key() {
    return key;
  }

  /** Whether the key must match exactly. */
  public boolean isExact() {
    return exact;
  }

  /** The activity condition. */
  public Type type() {
    return type;
  }

  /** The staleness condition, if any. */
  public Optional<Boolean> stale() {
    return Optional.ofNullable(stale);
  }

  /** The fetch status condition, if any. */
  public Optional<FetchStatus> fetchStatus() {
    return Optional.ofNullable(fetchStatus);
  }

  /** The predicate, if any. */
  public Optional<Predicate<QuerySnapshot>> predicate() {
    return Optional.ofNullable(predicate);
  }

  /** The refetch type for {@code invalidateQueries}, if set. */
  public Optional<RefetchType> refetchType() {
    return Optional.ofNullable(refetchType);
  }

  /** Whether {@code queryKey} satisfies the key condition. */
  public boolean matchesKey(QueryKey queryKey) {
    return exact ? queryKey.equals(key) : queryKey.matches(key);
  }

  @Override
  public String toString() {
    return "QueryFilters{"
        + (exact ? "exact " : "prefix ")
        + key
        + ", type="
        + type
        + (stale != null ? ", stale=" + stale : "")
        + (fetchStatus != null ? ", fetchStatus=" + fetchStatus : "")
        + (predicate != null ? ", predicate" : "")
        + (refetchType != null ? ", refetchType=" + refetchType : "")
        + "}";
  }
}

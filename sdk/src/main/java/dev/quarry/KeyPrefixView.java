package dev.quarry;

import dev.quarry.cache.QueryFilters;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.QueryResult;
import dev.quarry.core.QueryKey;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A view of a {@link Quarry} whose query keys are prefixed (the studio's project view): every key
 * given to the view is appended to its {@link #prefix()}, so that everything of one project lives
 * under {@code ["project", id, ...]} and can be invalidated at once.
 *
 * <pre>{@code
 * KeyPrefixView project = quarry.view(QueryKey.of("project", projectId));
 * project.fetch(QueryOptions.of(QueryKey.of("episodes"), ctx -> api.episodes(projectId)));
 * // cached under ["project","p1","episodes"]
 * project.invalidateAll();   // every query of the project refetches if observed
 * }</pre>
 *
 * <p>Immutable and thread-safe; a view holds no resources (closing the facade is enough). Options
 * given to {@link #fetch} and {@link #observe} are copied with the prefixed key; their query
 * function sees the prefixed key in its context.
 */
public final class KeyPrefixView {
  private final Quarry quarry;
  private final QueryKey prefix;

  KeyPrefixView(Quarry quarry, QueryKey prefix) {
    this.quarry = quarry;
    this.prefix = Objects.requireNonNull(prefix, "prefix");
  }

  /** The prefix of every key of this view. */
  public QueryKey prefix() {
    return prefix;
  }

  /** {@code prefix} followed by {@code parts}. */
  public QueryKey key(Object... parts) {
    return prefix.append(parts);
  }

  /** {@code prefix} followed by {@code suffix}. */
  public QueryKey key(QueryKey suffix) {
    return prefix.concat(suffix);
  }

  /** {@code options} with the prefixed key. */
  public <T> QueryOptions<T> options(QueryOptions<T> options) {
    return options.newBuilder().key(key(options.key())).build();
  }

  /** {@link Quarry#fetch} under the prefix. */
  public <T> CompletableFuture<T> fetch(QueryOptions<T> options) {
    return quarry.fetch(options(options));
  }

  /** {@link Quarry#observe} under the prefix. */
  public <T> QueryObserver<T> observe(QueryOptions<T> options, Consumer<QueryResult<T>> listener) {
    return quarry.observe(options(options), listener);
  }

  /** The data under {@code prefix + suffix}. */
  public <T> Optional<T> getQueryData(QueryKey suffix) {
    return quarry.queries().getQueryData(key(suffix));
  }

  /** Stores data under {@code prefix + suffix}. */
  public <T> Optional<T> setQueryData(QueryKey suffix, T value) {
    return quarry.setQueryData(key(suffix), value);
  }

  /** {@link Quarry#updateQueryData} under the prefix. */
  public <T> Optional<T> updateQueryData(QueryKey suffix, UnaryOperator<T> update) {
    return quarry.updateQueryData(key(suffix), update);
  }

  /** Invalidates every query under {@code prefix + suffix}. */
  public CompletableFuture<Void> invalidate(QueryKey suffix) {
    return quarry.invalidate(key(suffix));
  }

  /** Invalidates every query of the view. */
  public CompletableFuture<Void> invalidateAll() {
    return quarry.queries().invalidateQueries(QueryFilters.prefix(prefix));
  }

  /** Removes every query of the view from the cache (leaving a project, say). */
  public void removeAll() {
    quarry.queries().removeQueries(QueryFilters.prefix(prefix));
  }

  /** A narrower view: {@code prefix + suffix}. */
  public KeyPrefixView view(QueryKey suffix) {
    return new KeyPrefixView(quarry, key(suffix));
  }

  @Override
  public String toString() {
    return "KeyPrefixView" + prefix;
  }
}

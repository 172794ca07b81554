package dev.quarry.cache;

import dev.quarry.core.QueryKey;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * An infinite (paged) query: a page function, the first page's parameter and how to compute the
 * next (and optionally the previous) parameter from the loaded pages.
 *
 * <pre>{@code
 * InfiniteQueryOptions<Page, Integer> feed = InfiniteQueryOptions.<Page, Integer>builder(
 *         QueryKey.of("feed"),
 *         (ctx, page) -> ctx.http().get("feed?page=" + page, Page.class),
 *         1,
 *         (last, pages, param, params) -> last.hasMore() ? Optional.of(param + 1) : Optional.empty())
 *     .getPreviousPageParam((first, pages, param, params) ->
 *         param > 0 ? Optional.of(param - 1) : Optional.empty())
 *     .maxPages(10)
 *     .build();
 * }</pre>
 *
 * <p>A refetch (invalidation, mount, focus, reconnect) re-fetches every loaded page in order,
 * recomputing each next parameter from the fresh pages. With {@code maxPages}, adding a page beyond
 * the limit drops the page at the opposite end. Immutable and thread-safe.
 *
 * @param <T> the page type
 * @param <P> the page parameter type
 */
public final class InfiniteQueryOptions<T, P> {
  /**
   * Fetches one page.
   *
   * @param <T> the page type
   * @param <P> the page parameter type
   */
  @FunctionalInterface
  public interface PageFunction<T, P> {
    /** Starts fetching the page for {@code pageParam}. */
    CompletionStage<T> fetch(QueryContext context, P pageParam) throws Exception;
  }

  /**
   * Computes the parameter of the page after the last (or before the first); empty means there is
   * none.
   *
   * @param <T> the page type
   * @param <P> the page parameter type
   */
  @FunctionalInterface
  public interface PageParamFunction<T, P> {
    /**
     * Computes the parameter.
     *
     * @param page the last page (or the first, for the previous parameter)
     * @param pages every loaded page
     * @param pageParam the parameter of {@code page}
     * @param pageParams every loaded parameter
     */
    Optional<P> apply(T page, List<T> pages, P pageParam, List<P> pageParams);
  }

  private final QueryKey key;
  private final PageFunction<T, P> pageFunction;
  private final P initialPageParam;
  private final PageParamFunction<T, P> nextPageParam;
  private final @Nullable PageParamFunction<T, P> previousPageParam;
  private final int maxPages;
  private final int pages;
  private final QueryDefaults settings;
  private final @Nullable Set<ResultProperty> notifyOnChangeProps;

  private InfiniteQueryOptions(Builder<T, P> b) {
    key = b.key;
    pageFunction = b.pageFunction;
    initialPageParam = b.initialPageParam;
    nextPageParam = b.nextPageParam;
    previousPageParam = b.previousPageParam;
    maxPages = b.maxPages;
    pages = b.pages;
    settings = b.settings();
    notifyOnChangeProps = b.notifyOnChangeProps;
  }

  /** A builder with the required parts. */
  public static <T, P> Builder<T, P> builder(
      QueryKey key,
      PageFunction<T, P> pageFunction,
      P initialPageParam,
      PageParamFunction<T, P> getNextPageParam) {
    return new Builder<>(key, pageFunction, initialPageParam, getNextPageParam);
  }

  /** A builder holding these options. */
  public Builder<T, P> newBuilder() {
    Builder<T, P> b = new Builder<>(key, pageFunction, initialPageParam, nextPageParam);
    b.copyFrom(settings);
    b.previousPageParam = previousPageParam;
    b.maxPages = maxPages;
    b.pages = pages;
    b.notifyOnChangeProps = notifyOnChangeProps;
    return b;
  }

  /** The key. */
  public QueryKey key() {
    return key;
  }

  /** The page function. */
  public PageFunction<T, P> pageFunction() {
    return pageFunction;
  }

  /** The first page's parameter. */
  public P initialPageParam() {
    return initialPageParam;
  }

  /** Computes the next page's parameter. */
  public PageParamFunction<T, P> getNextPageParam() {
    return nextPageParam;
  }

  /** Computes the previous page's parameter, if configured. */
  public Optional<PageParamFunction<T, P>> getPreviousPageParam() {
    return Optional.ofNullable(previousPageParam);
  }

  /** The page limit, if any. */
  public Optional<Integer> maxPages() {
    return maxPages == 0 ? Optional.empty() : Optional.of(maxPages);
  }

  /** How many pages a first load fetches (default 1). */
  public int pages() {
    return pages;
  }

  /**
   * The result properties whose change notifies an observer's listeners, or empty for every change
   * (see {@link Builder#notifyOnChangeProps}).
   */
  public Optional<Set<ResultProperty>> notifyOnChangeProps() {
    return Optional.ofNullable(notifyOnChangeProps);
  }

  /** The settings set explicitly on these options. */
  public QueryDefaults settings() {
    return settings;
  }

  @Override
  public String toString() {
    return "InfiniteQueryOptions{key=" + key + ", maxPages=" + maxPages + ", " + settings + "}";
  }

  /**
   * Builds {@link InfiniteQueryOptions}; not thread-safe.
   *
   * @param <T> the page type
   * @param <P> the page parameter type
   */
  public static final class Builder<T, P> extends SettingsBuilder<Builder<T, P>> {
    private final QueryKey key;
    private final PageFunction<T, P> pageFunction;
    private final P initialPageParam;
    private final PageParamFunction<T, P> nextPageParam;
    private @Nullable PageParamFunction<T, P> previousPageParam;
    private int maxPages;
    private int pages = 1;
    private @Nullable Set<ResultProperty> notifyOnChangeProps;

    Builder(
        QueryKey key,
        PageFunction<T, P> pageFunction,
        P initialPageParam,
        PageParamFunction<T, P> nextPageParam) {
      this.key = Objects.requireNonNull(key, "key");
      this.pageFunction = Objects.requireNonNull(pageFunction, "pageFunction");
      this.initialPageParam = Objects.requireNonNull(initialPageParam, "initialPageParam");
      this.nextPageParam = Objects.requireNonNull(nextPageParam, "getNextPageParam");
    }

    /** How to compute the previous page's parameter; without it there is no previous page. */
    public Builder<T, P> getPreviousPageParam(PageParamFunction<T, P> previous) {
      this.previousPageParam = Objects.requireNonNull(previous, "getPreviousPageParam");
      return this;
    }

    /**
     * Keeps at most {@code maxPages} pages.
     *
     * @throws IllegalArgumentException if below 1, naming {@code maxPages}
     */
    public Builder<T, P> maxPages(int maxPages) {
      if (maxPages < 1) {
        throw new IllegalArgumentException("maxPages must be at least 1 but was " + maxPages);
      }
      this.maxPages = maxPages;
      return this;
    }

    /**
     * How many pages a first load fetches.
     *
     * @throws IllegalArgumentException if below 1, naming {@code pages}
     */
    public Builder<T, P> pages(int pages) {
      if (pages < 1) {
        throw new IllegalArgumentException("pages must be at least 1 but was " + pages);
      }
      this.pages = pages;
      return this;
    }

    /**
     * Notifies an observer's listeners only when one of {@code properties} changed between two
     * results, as {@link QueryOptions.Builder#notifyOnChangeProps} does for plain observers: {@link
     * ResultProperty#DATA} follows the pages and their parameters, so a refetch that brings equal
     * pages, or the fetching flag alone, is not delivered. The observer's {@link
     * InfiniteQueryObserver#currentResult()} still follows every change and a new listener still
     * gets the current result first. No argument: listeners get only that first result.
     *
     * @throws NullPointerException if an element is null
     */
    public Builder<T, P> notifyOnChangeProps(ResultProperty... properties) {
      EnumSet<ResultProperty> set = EnumSet.noneOf(ResultProperty.class);
      for (ResultProperty p : properties) {
        set.add(Objects.requireNonNull(p, "notifyOnChangeProps element"));
      }
      this.notifyOnChangeProps = Collections.unmodifiableSet(set);
      return this;
    }

    /** Back to the default: listeners get every changed result. */
    public Builder<T, P> notifyOnAllChanges() {
      this.notifyOnChangeProps = null;
      return this;
    }

    /** The options. */
    public InfiniteQueryOptions<T, P> build() {
      return new InfiniteQueryOptions<>(this);
    }
  }
}

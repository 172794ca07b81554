package dev.quarry.cache;

import java.util.List;
import java.util.Objects;

/**
 * The data of an infinite query: the loaded pages and the parameter each was fetched with, in the
 * same order.
 *
 * <pre>{@code
 * InfiniteData<Page, Integer> d = client.fetchInfiniteQuery(feed).join();
 * d.pages().forEach(p -> render(p.items()));
 * }</pre>
 *
 * @param pages the pages, first to last (an unmodifiable copy)
 * @param pageParams their parameters (an unmodifiable copy)
 * @param <T> the page type
 * @param <P> the page parameter type
 */
public record InfiniteData<T, P>(List<T> pages, List<P> pageParams) {
  /**
   * Copies both lists.
   *
   * @throws IllegalArgumentException if their sizes differ
   */
  public InfiniteData {
    pages = List.copyOf(Objects.requireNonNull(pages, "pages"));
    pageParams = List.copyOf(Objects.requireNonNull(pageParams, "pageParams"));
    if (pages.size() != pageParams.size()) {
      throw new IllegalArgumentException(
          "pages and pageParams must have the same size but had "
              + pages.size()
              + " and "
              + pageParams.size());
    }
  }
}

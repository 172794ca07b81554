package dev.quarry.examples.studio;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One page of a list, as the studio backend serves every list.
 *
 * @param docs the items of this page
 * @param totalDocs how many items the whole list has
 * @param page this page's number, from 1
 * @param limit the page size asked for
 * @param hasNextPage whether a later page exists
 * @param <T> the item type
 */
public record Page<T>(List<T> docs, int totalDocs, int page, int limit, boolean hasNextPage) {
  /** Copies the items. */
  public Page {
    docs = List.copyOf(docs);
  }

  /** This page with {@code item} appended (an optimistic insert). */
  public Page<T> plus(T item) {
    List<T> more = new java.util.ArrayList<>(docs);
    more.add(item);
    return new Page<>(more, totalDocs + 1, page, limit, hasNextPage);
  }

  /** This page with every item replaced by {@code fn} applied to it. */
  public Page<T> map(UnaryOperator<T> fn) {
    return new Page<>(docs.stream().map(fn).toList(), totalDocs, page, limit, hasNextPage);
  }
}

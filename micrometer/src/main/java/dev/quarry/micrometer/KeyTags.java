package dev.quarry.micrometer;

import dev.quarry.core.QueryKey;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns query and mutation keys into tag values of bounded cardinality: a raw key (which holds ids)
 * never becomes a tag.
 *
 * <pre>{@code
 * KeyTags.firstPart()                                  // ["episodes","p1"] -> "episodes"
 * KeyTags.of(key -> key.size() > 1 ? key.parts().get(0) + "/" + key.parts().get(1) : "other")
 * }</pre>
 *
 * <p>The default, {@link #firstPart()}, takes the key's first part if it is a string that looks
 * like a name (letters, digits, {@code -_.:}, at most 64 characters), else {@code "other"}; the
 * empty key is {@code "none"}. Whatever the function, {@link #tag(QueryKey)} gives at most {@link
 * #maxValues()} distinct values (default 100): values past that are reported as {@code "other"},
 * and a function that throws or returns an empty string gives {@code "other"} too.
 *
 * <p>Immutable configuration, thread-safe; the set of values seen grows up to the bound and stays.
 */
public final class KeyTags {
  /** The tag value for keys past the bound, or not name-like. */
  public static final String OTHER = "other";

  /** The tag value for an absent or empty key. */
  public static final String NONE = "none";

  /** The default bound on distinct values. */
  public static final int DEFAULT_MAX_VALUES = 100;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  private final Function<QueryKey, String> function;
  private final int maxValues;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  private KeyTags(Function<QueryKey, String> function, int maxValues) {
    this.function = function;
    this.maxValues = maxValues;
  }

  /** The default: the key's first part if it is a name-like string; at most 100 values. */
  public static KeyTags firstPart() {
    return new KeyTags(KeyTags::firstPartOf, DEFAULT_MAX_VALUES);
  }

  /**
   * Tags made by {@code function} (called on the thread that records, must not block), at most
   * {@link #DEFAULT_MAX_VALUES} distinct values.
   */
  public static KeyTags of(Function<QueryKey, String> function) {
    return new KeyTags(Objects.requireNonNull(function, "function"), DEFAULT_MAX_VALUES);
  }

  /**
   * These tags with at most {@code maxValues} distinct values.
   *
   * @throws IllegalArgumentException if {@code maxValues} is below 1
   */
  public KeyTags withMaxValues(int maxValues) {
    if (maxValues < 1) {
      throw new IllegalArgumentException("maxValues must be at least 1 but was " + maxValues);
    }
    return new KeyTags(function, maxValues);
  }

  /** The bound on distinct values. */
  public int maxValues() {
    return maxValues;
  }

  /** The tag value of {@code key}; never null, never empty. */
  public String tag(QueryKey key) {
    if (key.isEmpty()) {
      return NONE;
    }
    String value;
    try {
      value = function.apply(key);
    } catch (RuntimeException e) {
      return OTHER;
    }
    if (value == null || value.isEmpty()) {
      return OTHER;
    }
    if (seen.contains(value)) {
      return value;
    }
    synchronized (seen) {
      if (seen.size() >= maxValues && !seen.contains(value)) {
        return OTHER;
      }
      seen.add(value);
    }
    return value;
  }

  private static String firstPartOf(QueryKey key) {
    Object first = key.parts().get(0);
    if (first instanceof String s && NAME.matcher(s).matches()) {
      return s;
    }
    return OTHER;
  }

  @Override
  public String toString() {
    return "KeyTags{maxValues=" + maxValues + ", seen=" + seen.size() + "}";
  }
}

package dev.quarry.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The identity of a cached query or a mutation: an immutable list of parts, as TanStack Query's
 * array keys.
 *
 * <pre>{@code
 * QueryKey.of("episodes", projectId, Map.of("page", 2, "filter", "draft"))
 * // ["episodes","p1",{"filter":"draft","page":2}]
 * }</pre>
 *
 * <p><b>Parts.</b> Strings, numbers, booleans, {@code null}, lists, maps, enums (their name) and
 * anything Jackson can turn into a tree (records, beans, {@link JsonNode}). Parts are copied into a
 * canonical form: integral numbers of any Java type are equal ({@code 1 == 1L}), map keys are
 * strings sorted recursively, records and beans become maps. As in JSON, an {@link
 * Optional#empty()} stands for JavaScript's {@code undefined}: dropped from a map, {@code null} in
 * a list. Sets without an order, non-finite numbers and values Jackson cannot write are refused
 * with an {@link IllegalArgumentException} naming the part.
 *
 * <p><b>Equality</b> is that of the canonical JSON form ({@link #hash()}), computed once: keys
 * whose maps differ only in entry order are equal and hash alike.
 *
 * <p><b>Matching</b> ({@link #matches(QueryKey)}) is TanStack's partial matching: the filter is a
 * structural prefix of the key, where a map in the filter matches a map in the key that has at
 * least its entries. {@code []} matches every key; {@code null} never matches a map. Exact matching
 * is {@link #equals(Object)}.
 *
 * <p>Immutable and thread-safe; {@link #parts()} returns unmodifiable views.
 */
public final class QueryKey {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final QueryKey EMPTY = new QueryKey(List.of());

  private final List<@Nullable Object> parts;
  private final String hash;

  private QueryKey(List<@Nullable Object> canonicalParts) {
    this.parts = Collections.unmodifiableList(canonicalParts);
    try {
      this.hash = MAPPER.writeValueAsString(parts);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("query key cannot be written as JSON: " + parts, e);
    }
  }

  /**
   * A key of the given parts.
   *
   * @throws IllegalArgumentException if a part cannot be represented (the message names it)
   */
  public static QueryKey of(@Nullable Object... parts) {
    Objects.requireNonNull(parts, "parts");
    return fromList(Arrays.asList(parts));
  }

  /** A key whose parts are the elements of {@code parts}. */
  public static QueryKey fromList(List<?> parts) {
    Objects.requireNonNull(parts, "parts");
    if (parts.isEmpty()) {
      return EMPTY;
    }
    List<@Nullable Object> canonical = new ArrayList<>(parts.size());
    int i = 0;
    for (Object part : parts) {
      canonical.add(canonicalize(part, "part " + i, false));
      i++;
    }
    return new QueryKey(canonical);
  }

  /**
   * Reads a key from its JSON form, as produced by {@link #hash()}.
   *
   * @throws IllegalArgumentException if {@code json} is not a JSON array
   */
  public static QueryKey fromJson(String json) {
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a JSON query key: " + abbreviate(json), e);
    }
    if (node == null || !node.isArray()) {
      throw new IllegalArgumentException(
          "a query key must be a JSON array but was " + abbreviate(json));
    }
    List<@Nullable Object> canonical = new ArrayList<>();
    for (JsonNode element : node) {
      canonical.add(fromNode(element));
    }
    return new QueryKey(canonical);
  }

  /** The empty key {@code []}, which as a filter matches every key. */
  public static QueryKey empty() {
    return EMPTY;
  }

  /**
   * The canonical parts: String, Long, BigInteger, Double, BigDecimal, Boolean, null, List, Map.
   */
  public List<@Nullable Object> parts() {
    return parts;
  }

  /** The number of parts. */
  public int size() {
    return parts.size();
  }

  /** Whether the key has no parts. */
  public boolean isEmpty() {
    return parts.isEmpty();
  }

  /** This key with {@code more} parts appended. */
  public QueryKey append(@Nullable Object... more) {
    List<Object> all = new ArrayList<>(parts);
    all.addAll(Arrays.asList(more));
    return fromList(all);
  }

  /** This key with every part of {@code suffix} appended. */
  public QueryKey concat(QueryKey suffix) {
    List<@Nullable Object> all = new ArrayList<>(parts);
    all.addAll(suffix.parts);
    return new QueryKey(all);
  }

  /**
   * Whether this key matches {@code filter} partially: every part of the filter matches the part at
   * the same index of this key, recursively; a filter map matches a key map holding at least its
   * entries.
   */
  public boolean matches(QueryKey filter) {
    return partialMatch(parts, filter.parts);
  }

  /** The canonical JSON form, e.g. {@code ["todos",{"a":1,"b":2}]}; also {@link #toString()}. */
  public String hash() {
    return hash;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof QueryKey k && hash.equals(k.hash);
  }

  @Override
  public int hashCode() {
    return hash.hashCode();
  }

  @Override
  public String toString() {
    return hash;
  }

  private static boolean partialMatch(@Nullable Object key, @Nullable Object filter) {
    if (Objects.equals(key, filter)) {
      return true;
    }
    if (filter instanceof Map<?, ?> f) {
      if (!(key instanceof Map<?, ?> k)) {
        return false;
      }
      for (Map.Entry<?, ?> e : f.entrySet()) {
        if (!k.containsKey(e.getKey()) || !partialMatch(k.get(e.getKey()), e.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (filter instanceof List<?> f) {
      if (!(key instanceof List<?> k) || k.size() < f.size()) {
        return false;
      }
      for (int i = 0; i < f.size(); i++) {
        if (!partialMatch(k.get(i), f.get(i))) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /** Marker for JavaScript's undefined while canonicalizing; never stored. */
  private static final Object UNDEFINED = new Object();

  private static @Nullable Object canonicalize(
      @Nullable Object value, String where, boolean inMap) {
    if (value == null || value instanceof String || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Optional<?> o) {
      if (o.isEmpty()) {
        return inMap ? UNDEFINED : null;
      }
      return canonicalize(o.get(), where, inMap);
    }
    if (value instanceof Character c) {
      return String.valueOf(c);
    }
    if (value instanceof Number n) {
      return canonicalNumber(n, where);
    }
    if (value instanceof Enum<?> e) {
      return e.name();
    }
    if (value instanceof UUID || value instanceof TemporalAccessor) {
      return value.toString();
    }
    if (value instanceof Map<?, ?> m) {
      TreeMap<String, @Nullable Object> sorted = new TreeMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String name = String.valueOf(e.getKey());
        Object v = canonicalize(e.getValue(), where + "." + name, true);
        if (v != UNDEFINED) {
          sorted.put(name, v);
        }
      }
      return Collections.unmodifiableMap(sorted);
    }
    if (value instanceof Set<?> && !(value instanceof SortedSet<?>)) {
      throw new IllegalArgumentException(
          "query key "
              + where
              + " is a Set, which has no order: use a List or a SortedSet ("
              + value
              + ")");
    }
    if (value instanceof Collection<?> c) {
      return canonicalList(c.iterator(), where);
    }
    if (value instanceof Object[] array) {
      return canonicalList(Arrays.asList(array).iterator(), where);
    }
    if (value instanceof JsonNode node) {
      return fromNode(node);
    }
    JsonNode tree;
    try {
      tree = MAPPER.valueToTree(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "query key "
              + where
              + " of type "
              + value.getClass().getName()
              + " cannot be written as JSON",
          e);
    }
    return fromNode(tree);
  }

  private static List<@Nullable Object> canonicalList(Iterator<?> it, String where) {
    List<@Nullable Object> out = new ArrayList<>();
    int i = 0;
    while (it.hasNext()) {
      out.add(canonicalize(it.next(), where + "[" + i + "]", false));
      i++;
    }
    return Collections.unmodifiableList(out);
  }

  private static Object canonicalNumber(Number n, String where) {
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException("query key " + where + " is not a finite number: " + n);
      }
    }
    BigDecimal bd;
    try {
      bd = new BigDecimal(n.toString()).stripTrailingZeros();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("query key " + where + " is not a number: " + n, e);
    }
    if (bd.scale() <= 0) {
      BigInteger bi = bd.toBigIntegerExact();
      return bi.bitLength() < 64 ? (Object) bi.longValue() : bi;
    }
    double d = bd.doubleValue();
    return new BigDecimal(Double.toString(d)).compareTo(bd) == 0 ? (Object) d : bd;
  }

  private static @Nullable Object fromNode(JsonNode node) {
    if (node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isNumber()) {
      return canonicalNumber(node.numberValue(), "number");
    }
    if (node.isArray()) {
      List<@Nullable Object> out = new ArrayList<>();
      for (JsonNode e : (ArrayNode) node) {
        out.add(fromNode(e));
      }
      return Collections.unmodifiableList(out);
    }
    if (node.isObject()) {
      TreeMap<String, @Nullable Object> sorted = new TreeMap<>();
      node.properties().forEach(e -> sorted.put(e.getKey(), fromNode(e.getValue())));
      return Collections.unmodifiableMap(sorted);
    }
    if (node.isBinary()) {
      return node.asText();
    }
    return node.asText();
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}

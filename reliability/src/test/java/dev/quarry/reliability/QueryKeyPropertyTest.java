package dev.quarry.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.QueryKey;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded property tests of {@link QueryKey} hashing and matching against a reference written from
 * the query spec (section 2.10: hash = JSON with object keys sorted, undefined properties dropped;
 * partial matching = structural prefix / subset, differing types never match, null never matches an
 * object).
 */
class QueryKeyPropertyTest {
  private static final long SEED = 0x9E7_0001L;
  private static final int KEYS = 10_000;
  private static final String[] WORDS = {"todos", "a", "b", "ä", "", "page", "id", "😀"};

  private final Random random = new Random(SEED);

  @Test
  void hash_equalCanonicalForms_iffEqualHashes_andEntryOrderNeverMatters() {
    FaultTally tally = new FaultTally("QueryKey hashing properties (random keys)");
    int equalPairs = 0;
    for (int i = 0; i < KEYS; i++) {
      List<Object> raw = randomKey();
      QueryKey key = QueryKey.fromList(toJava(raw));
      // The same key written differently: map entries shuffled, numbers retyped.
      QueryKey variant = QueryKey.fromList(rewrite(raw));
      tally.injected(3);
      check(
          tally,
          key.equals(variant)
              && key.hashCode() == variant.hashCode()
              && key.hash().equals(variant.hash()),
          "variant of " + key + " hashed as " + variant);
      check(tally, QueryKey.fromJson(key.hash()).equals(key), "fromJson(hash) of " + key);
      // An independent key: equal hashes exactly when the reference forms are equal.
      List<Object> otherRaw = randomKey();
      QueryKey other = QueryKey.fromList(toJava(otherRaw));
      boolean refEqual = normalize(raw).equals(normalize(otherRaw));
      if (refEqual) {
        equalPairs++;
      }
      check(
          tally,
          refEqual == key.hash().equals(other.hash()) && refEqual == key.equals(other),
          key + " vs " + other + ": reference says " + (refEqual ? "equal" : "different"));
    }
    tally.print(
        "seed "
            + Long.toHexString(SEED)
            + ": "
            + KEYS
            + " keys; "
            + equalPairs
            + " independently drawn pairs were equal");
    assertThat(tally.samples()).isEmpty();
    assertThat(equalPairs).as("the generator must produce some equal pairs").isGreaterThan(20);
  }

  @Test
  void matches_everyKeyMatchesItsPrefixesAndSubsets_andAgreesWithTheSpecReference() {
    FaultTally tally = new FaultTally("QueryKey partial matching vs spec 2.10 reference");
    int matched = 0;
    int notMatched = 0;
    for (int i = 0; i < KEYS; i++) {
      List<Object> raw = randomKey();
      QueryKey key = QueryKey.fromList(toJava(raw));
      for (int p = 0; p <= raw.size(); p++) {
        tally.injected(1);
        QueryKey prefix = QueryKey.fromList(toJava(raw.subList(0, p)));
        check(tally, key.matches(prefix), key + " does not match its prefix " + prefix);
      }
      // A prefix whose last part is shrunk (map entries dropped, list elements cut).
      List<Object> shrunk = new ArrayList<>(raw.subList(0, 1 + random.nextInt(raw.size())));
      shrunk.set(shrunk.size() - 1, shrink(shrunk.get(shrunk.size() - 1)));
      tally.injected(1);
      check(
          tally, key.matches(QueryKey.fromList(toJava(shrunk))), key + " does not match " + shrunk);
      // Random filters (derived and independent) against the reference.
      List<Object> filter = random.nextBoolean() ? mutate(raw) : randomKey();
      boolean expected = refMatch(normalize(raw), normalize(filter));
      QueryKey filterKey = QueryKey.fromList(toJava(filter));
      boolean actual = key.matches(filterKey);
      tally.injected(1);
      if (expected) {
        matched++;
      } else {
        notMatched++;
      }
      check(
          tally,
          expected == actual,
          key + " matches " + filterKey + ": " + actual + ", reference: " + expected);
    }
    tally.print(
        "seed "
            + Long.toHexString(SEED)
            + ": "
            + KEYS
            + " keys; random filters: "
            + matched
            + " matching, "
            + notMatched
            + " not matching per reference");
    assertThat(tally.samples()).isEmpty();
    assertThat(matched).isGreaterThan(KEYS / 20);
    assertThat(notMatched).isGreaterThan(KEYS / 20);
  }

  private static void check(FaultTally tally, boolean ok, String what) {
    if (ok) {
      tally.survived(1);
    } else {
      tally.lost(1, what);
    }
  }

  // ---- generation ----

  private List<Object> randomKey() {
    int n = 1 + random.nextInt(4);
    List<Object> key = new ArrayList<>();
    key.add(WORDS[random.nextInt(3)]);
    for (int i = 1; i < n; i++) {
      key.add(value(2));
    }
    return key;
  }

  private Object value(int depth) {
    switch (random.nextInt(depth > 0 ? 9 : 6)) {
      case 0:
        return WORDS[random.nextInt(WORDS.length)];
      case 1:
        return (long) random.nextInt(4);
      case 2:
        return random.nextBoolean();
      case 3:
        return new Object[] {0.5, 1.25, -2.0, 3.0, new BigInteger("123456789012345678901234567890")}
            [random.nextInt(5)];
      case 4:
        return NULL;
      case 5:
        return WORDS[random.nextInt(3)];
      case 6:
      case 7:
        {
          Map<String, Object> m = new LinkedHashMap<>();
          int n = random.nextInt(4);
          for (int i = 0; i < n; i++) {
            m.put(
                WORDS[random.nextInt(WORDS.length)],
                random.nextInt(8) == 0 ? Optional.empty() : value(depth - 1));
          }
          return m;
        }
      default:
        {
          List<Object> l = new ArrayList<>();
          int n = random.nextInt(3);
          for (int i = 0; i < n; i++) {
            l.add(value(depth - 1));
          }
          return l;
        }
    }
  }

  /** JSON null inside generated values (a List may hold null, Map.of may not: keep a marker). */
  private static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  /** The same value written differently: shuffled map entries, other number types. */
  private Object rewriteValue(Object v) {
    if (v instanceof Map<?, ?> m) {
      List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
      Collections.shuffle(entries, random);
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : entries) {
        out.put((String) e.getKey(), rewriteValue(e.getValue()));
      }
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) {
        out.add(rewriteValue(o));
      }
      return out;
    }
    if (v instanceof Long n) {
      return switch (random.nextInt(4)) {
        case 0 -> n.intValue();
        case 1 -> BigInteger.valueOf(n);
        case 2 -> (double) n; // 2.0 is the number 2, as in JavaScript
        default -> n;
      };
    }
    if (v instanceof Double d) {
      return random.nextBoolean() ? new BigDecimal(Double.toString(d) + "000") : d;
    }
    return v;
  }

  private List<Object> rewrite(List<Object> raw) {
    List<Object> out = new ArrayList<>();
    for (Object o : raw) {
      out.add(rewriteValue(o));
    }
    return toJava(out);
  }

  /** A copy with fewer map entries and list elements. */
  private Object shrink(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (random.nextBoolean()) {
          out.put((String) e.getKey(), random.nextBoolean() ? shrink(e.getValue()) : e.getValue());
        }
      }
      return out;
    }
    if (v instanceof List<?> l && !l.isEmpty()) {
      List<Object> out = new ArrayList<>(l.subList(0, random.nextInt(l.size() + 1)));
      return out;
    }
    return v;
  }

  /** A filter near {@code raw}: a prefix, a changed part, a shrunk or grown part. */
  private List<Object> mutate(List<Object> raw) {
    List<Object> f = new ArrayList<>(raw.subList(0, 1 + random.nextInt(raw.size())));
    int i = random.nextInt(f.size());
    switch (random.nextInt(4)) {
      case 0 -> f.set(i, value(1));
      case 1 -> f.set(i, shrink(f.get(i)));
      case 2 -> f.add(value(1));
      default -> {
        Object v = f.get(i);
        if (v instanceof Map<?, ?> m) {
          Map<String, Object> grown = new LinkedHashMap<>();
          m.forEach((k, x) -> grown.put((String) k, x));
          grown.put(WORDS[random.nextInt(WORDS.length)], value(0));
          f.set(i, grown);
        }
      }
    }
    return f;
  }

  // ---- the reference, from spec 2.10 ----

  /** Replaces the NULL marker by Java null for QueryKey. */
  @SuppressWarnings("unchecked")
  private static <T> T toJava(Object v) {
    if (v == NULL) {
      return null;
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put((String) k, toJava(x)));
      return (T) out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) {
        out.add(toJava(o));
      }
      return (T) out;
    }
    return (T) v;
  }

  /**
   * The JSON data model: numbers as stripped BigDecimals, objects as sorted maps without undefined
   * (Optional.empty) properties, undefined list elements as null.
   */
  private static Object normalize(Object v) {
    if (v == null || v == NULL || v instanceof Optional<?>) {
      return NULL;
    }
    if (v instanceof Number n) {
      BigDecimal d = new BigDecimal(n.toString()).stripTrailingZeros();
      return d.signum() == 0 ? BigDecimal.ZERO : d;
    }
    if (v instanceof Map<?, ?> m) {
      TreeMap<String, Object> out = new TreeMap<>();
      m.forEach(
          (k, x) -> {
            if (!(x instanceof Optional<?> o && o.isEmpty())) {
              out.put((String) k, normalize(x));
            }
          });
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) {
        out.add(normalize(o));
      }
      return out;
    }
    return v;
  }

  /** Spec 2.10 partial matching on normalized values. */
  private static boolean refMatch(Object key, Object filter) {
    if (filter instanceof Map<?, ?> f) {
      if (!(key instanceof Map<?, ?> k)) {
        return false; // differing types (null included) never match an object
      }
      for (Map.Entry<?, ?> e : f.entrySet()) {
        if (!k.containsKey(e.getKey()) || !refMatch(k.get(e.getKey()), e.getValue())) {
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
        if (!refMatch(k.get(i), f.get(i))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(key, filter);
  }
}

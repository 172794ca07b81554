package dev.quarry.cache.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BinaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Structural sharing, node by node (TanStack's {@code replaceEqualDeep}): from the data already
 * cached and new data, the value to store, in which every part of the new data that is equal to the
 * part at the same place in the old data is the old part's instance, and which is the old value
 * itself when nothing changed. Neither argument is modified; where a container has both kept and
 * new parts, a new container is built.
 *
 * <p>What is walked (the old and the new value must be of the same kind, else the new one is kept):
 *
 * <ul>
 *   <li>{@link List}: element by element at the same index (linear, through iterators). A rebuilt
 *       list is of the new list's class when that is {@link ArrayList} or {@link LinkedList}, an
 *       unmodifiable list when it is a JDK list whose class is not public ({@code List.of}, {@code
 *       Collections.unmodifiableList}, {@code Arrays.asList}, ...); a list of any other class is
 *       kept as it came when it cannot be the old one.
 *   <li>{@link Map}: value by value for the same key, in the new map's order. The old map is kept
 *       when it has the same keys with kept values (for a {@link LinkedHashMap}, also in the same
 *       order). A rebuilt map is a {@link LinkedHashMap}, {@link HashMap} or {@link TreeMap} (same
 *       comparator) like the new one, or an unmodifiable map in the new map's order for a JDK map
 *       whose class is not public; a map of any other class is kept as it came.
 *   <li>Jackson {@link ObjectNode} (field by field, like a {@link LinkedHashMap}) and {@link
 *       ArrayNode} (index by index); a rebuilt node comes from the new node's factory. Other nodes
 *       are compared with {@code equals}.
 *   <li>Records of the same class: the old record if {@code equals} says so, else component by
 *       component; a new record is built through the canonical constructor only when some
 *       components are kept and others are not. A record whose class cannot be reached by
 *       reflection, or whose constructor refuses the mix, is compared whole with {@code equals},
 *       respectively kept as it came.
 *   <li>Anything else: the old instance if {@code equals}, else the new one.
 * </ul>
 *
 * <p>Bounded: past {@value #MAX_DEPTH} nested levels, the rest of a branch is compared whole with
 * {@code equals}; if that comparison itself runs out of stack (a pathologically deep or cyclic
 * value), the new part is kept. Stateless and thread-safe; exceptions thrown by {@code equals} or a
 * record accessor propagate.
 */
public final class ReplaceEqualDeep {
  /** Nesting levels walked before the rest of a branch is compared whole. */
  static final int MAX_DEPTH = 500;

  /** The default structural sharing, as a function of the old and the new data. */
  public static final BinaryOperator<Object> FUNCTION = ReplaceEqualDeep::share;

  /** Structural sharing turned off: the new data as it came. */
  public static final BinaryOperator<Object> NONE = (old, fresh) -> fresh;

  private ReplaceEqualDeep() {}

  /**
   * The value to store in place of {@code old} for {@code fresh}; see the class documentation.
   *
   * @return {@code old}, {@code fresh}, or a value built from parts of both
   */
  @SuppressWarnings("unchecked")
  public static <T> T share(T old, T fresh) {
    Objects.requireNonNull(old, "old");
    Objects.requireNonNull(fresh, "fresh");
    return (T) Objects.requireNonNull(share(old, fresh, 0, true));
  }

  /**
   * @param equalsFirst whether a record is first compared whole with its equals; false below a
   *     record whose equals ran out of stack, so that a deep chain of records is not compared whole
   *     again at every level
   */
  private static @Nullable Object share(
      @Nullable Object old, @Nullable Object fresh, int depth, boolean equalsFirst) {
    if (old == fresh || old == null || fresh == null) {
      return fresh;
    }
    if (depth >= MAX_DEPTH) {
      return whole(old, fresh);
    }
    if (fresh instanceof JsonNode f) {
      return old instanceof JsonNode o ? json(o, f, depth, equalsFirst) : fresh;
    }
    if (fresh instanceof List<?> f) {
      return old instanceof List<?> o ? list(o, f, depth, equalsFirst) : fresh;
    }
    if (fresh instanceof Map<?, ?> f) {
      return old instanceof Map<?, ?> o ? map(o, f, depth, equalsFirst) : fresh;
    }
    Class<?> type = fresh.getClass();
    if (old.getClass() == type) {
      RecordShape shape = RecordShape.of(type);
      if (shape != null) {
        return record(shape, old, fresh, depth, equalsFirst);
      }
    }
    return old.equals(fresh) ? old : fresh;
  }

  private static Object whole(Object old, Object fresh) {
    try {
      return old.equals(fresh) ? old : fresh;
    } catch (StackOverflowError tooDeep) {
      // Only reachable past MAX_DEPTH levels: the value is too deep (or cyclic) to compare, and
      // storing the new one is always correct.
      return fresh;
    }
  }

  // ---------------------------------------------------------------- lists

  @SuppressWarnings("JdkObsolete") // a LinkedList is rebuilt as one: the caller's kind is kept
  private static Object list(List<?> old, List<?> fresh, int depth, boolean equalsFirst) {
    int n = fresh.size();
    @Nullable Object[] out = new Object[n];
    boolean allOld = old.size() == n;
    boolean allFresh = true;
    Iterator<?> olds = old.iterator();
    Iterator<?> freshes = fresh.iterator();
    for (int i = 0; i < n && freshes.hasNext(); i++) {
      Object f = freshes.next();
      Object s;
      if (olds.hasNext()) {
        Object o = olds.next();
        s = share(o, f, depth + 1, equalsFirst);
        allOld &= s == o;
      } else {
        s = f;
        allOld = false;
      }
      allFresh &= s == f;
      out[i] = s;
    }
    if (allOld) {
      return old;
    }
    if (allFresh) {
      return fresh;
    }
    Class<?> type = fresh.getClass();
    if (type == ArrayList.class) {
      return new ArrayList<>(Arrays.asList(out));
    }
    if (type == LinkedList.class) {
      return new LinkedList<>(Arrays.asList(out));
    }
    if (isHiddenJdkClass(type)) {
      return Collections.unmodifiableList(Arrays.asList(out));
    }
    return fresh;
  }

  // ---------------------------------------------------------------- maps

  private static Object map(Map<?, ?> old, Map<?, ?> fresh, int depth, boolean equalsFirst) {
    int n = fresh.size();
    @Nullable Object[] keys = new Object[n];
    @Nullable Object[] values = new Object[n];
    boolean allOld = old.size() == n;
    boolean allFresh = true;
    boolean sameOrder = true;
    Iterator<? extends Map.Entry<?, ?>> olds = old.entrySet().iterator();
    int i = 0;
    for (Map.Entry<?, ?> e : fresh.entrySet()) {
      if (i == n) {
        break;
      }
      Object k = e.getKey();
      Object f = e.getValue();
      Object s = f;
      boolean found = false;
      if (sameOrder && olds.hasNext()) {
        Map.Entry<?, ?> oe = olds.next();
        if (Objects.equals(oe.getKey(), k)) {
          found = true;
          Object o = oe.getValue();
          s = share(o, f, depth + 1, equalsFirst);
          allOld &= s == o;
        } else {
          sameOrder = false;
        }
      } else {
        sameOrder = false;
      }
      if (!found) {
        if (containsKey(old, k)) {
          Object o = old.get(k);
          s = share(o, f, depth + 1, equalsFirst);
          allOld &= s == o;
        } else {
          allOld = false;
        }
      }
      allFresh &= s == f;
      keys[i] = k;
      values[i] = s;
      i++;
    }
    Class<?> type = fresh.getClass();
    if (allOld && (sameOrder || type != LinkedHashMap.class)) {
      return old;
    }
    if (allFresh) {
      return fresh;
    }
    if (type == LinkedHashMap.class || isHiddenJdkClass(type)) {
      Map<@Nullable Object, @Nullable Object> out = new LinkedHashMap<>(capacity(i));
      fill(out, keys, values, i);
      return type == LinkedHashMap.class ? out : Collections.unmodifiableMap(out);
    }
    if (type == HashMap.class) {
      Map<@Nullable Object, @Nullable Object> out = new HashMap<>(capacity(i));
      fill(out, keys, values, i);
      return out;
    }
    if (type == TreeMap.class) {
      @SuppressWarnings("unchecked")
      Map<@Nullable Object, @Nullable Object> out =
          new TreeMap<>(((TreeMap<Object, ?>) fresh).comparator());
      fill(out, keys, values, i);
      return out;
    }
    return fresh;
  }

  /** {@code map.containsKey(key)}, false where the map rejects the key's type or a null key. */
  private static boolean containsKey(Map<?, ?> map, @Nullable Object key) {
    try {
      return map.containsKey(key);
    } catch (ClassCastException | NullPointerException rejected) {
      return false;
    }
  }

  private static void fill(
      Map<@Nullable Object, @Nullable Object> out,
      @Nullable Object[] keys,
      @Nullable Object[] values,
      int n) {
    for (int i = 0; i < n; i++) {
      out.put(keys[i], values[i]);
    }
  }

  private static int capacity(int n) {
    return (int) Math.min(Integer.MAX_VALUE, n * 4L / 3 + 1);
  }

  /**
   * A JDK collection whose class callers cannot name ({@code List.of}, the unmodifiable and
   * synchronized wrappers, {@code Arrays.asList}, sub-lists): they can only hold it as the
   * interface, so an unmodifiable list or map of our own is as good.
   */
  private static boolean isHiddenJdkClass(Class<?> type) {
    return !Modifier.isPublic(type.getModifiers()) && type.getName().startsWith("java.util.");
  }

  // ---------------------------------------------------------------- Jackson trees

  private static JsonNode json(JsonNode old, JsonNode fresh, int depth, boolean equalsFirst) {
    if (fresh instanceof ObjectNode f && old instanceof ObjectNode o) {
      return object(o, f, depth, equalsFirst);
    }
    if (fresh instanceof ArrayNode f && old instanceof ArrayNode o) {
      return array(o, f, depth, equalsFirst);
    }
    return old.equals(fresh) ? old : fresh;
  }

  @SuppressWarnings("ReferenceEquality") // which instance was kept is the point
  private static JsonNode object(ObjectNode old, ObjectNode fresh, int depth, boolean equalsFirst) {
    int n = fresh.size();
    String[] names = new String[n];
    JsonNode[] values = new JsonNode[n];
    boolean allOld = old.size() == n;
    boolean allFresh = true;
    boolean sameOrder = true;
    Iterator<Map.Entry<String, JsonNode>> olds = old.properties().iterator();
    int i = 0;
    for (Map.Entry<String, JsonNode> e : fresh.properties()) {
      if (i == n) {
        break;
      }
      String name = e.getKey();
      JsonNode f = e.getValue();
      JsonNode o = null;
      if (sameOrder && olds.hasNext()) {
        Map.Entry<String, JsonNode> oe = olds.next();
        if (oe.getKey().equals(name)) {
          o = oe.getValue();
        } else {
          sameOrder = false;
        }
      } else {
        sameOrder = false;
      }
      if (o == null) {
        o = old.get(name);
      }
      JsonNode s = f;
      if (o != null) {
        s = (JsonNode) Objects.requireNonNull(share(o, f, depth + 1, equalsFirst));
        allOld &= s == o;
      } else {
        allOld = false;
      }
      allFresh &= s == f;
      names[i] = name;
      values[i] = s;
      i++;
    }
    if (allOld && sameOrder) {
      return old;
    }
    if (allFresh) {
      return fresh;
    }
    ObjectNode out = fresh.objectNode();
    for (int j = 0; j < i; j++) {
      out.set(names[j], values[j]);
    }
    return out;
  }

  @SuppressWarnings("ReferenceEquality") // which instance was kept is the point
  private static JsonNode array(ArrayNode old, ArrayNode fresh, int depth, boolean equalsFirst) {
    int n = fresh.size();
    JsonNode[] out = new JsonNode[n];
    boolean allOld = old.size() == n;
    boolean allFresh = true;
    int common = Math.min(n, old.size());
    for (int i = 0; i < n; i++) {
      JsonNode f = fresh.get(i);
      JsonNode s = f;
      if (i < common) {
        JsonNode o = old.get(i);
        s = (JsonNode) Objects.requireNonNull(share(o, f, depth + 1, equalsFirst));
        allOld &= s == o;
      }
      allFresh &= s == f;
      out[i] = s;
    }
    if (allOld) {
      return old;
    }
    if (allFresh) {
      return fresh;
    }
    ArrayNode rebuilt = fresh.arrayNode(n);
    for (JsonNode node : out) {
      rebuilt.add(node);
    }
    return rebuilt;
  }

  // ---------------------------------------------------------------- records

  private static Object record(
      RecordShape shape, Object old, Object fresh, int depth, boolean equalsFirst) {
    // The record's own equals first: it is the type's definition of "unchanged" (as for any other
    // class), and the compiled component compare is far cheaper than walking through reflection,
    // which is left for the records that did change.
    if (equalsFirst) {
      try {
        if (old.equals(fresh)) {
          return old;
        }
      } catch (StackOverflowError tooDeep) {
        equalsFirst = false; // too deep to compare whole: walk, and do not try again below
      }
    }
    int n = shape.size();
    @Nullable Object[] out = new Object[n];
    boolean allOld = true;
    boolean allFresh = true;
    for (int i = 0; i < n; i++) {
      Object o = shape.get(old, i);
      Object f = shape.get(fresh, i);
      Object s = share(o, f, depth + 1, equalsFirst);
      if (!shape.accepts(i, s)) {
        s = f; // a rebuilt container of a kind this component cannot hold
      }
      allOld &= s == o;
      allFresh &= s == f;
      out[i] = s;
    }
    if (allOld) {
      return old;
    }
    if (allFresh) {
      return fresh;
    }
    Object rebuilt = shape.build(out);
    return rebuilt != null ? rebuilt : fresh;
  }
}

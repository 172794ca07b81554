package dev.quarry.realtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.realtime.RoutingRule;
import dev.quarry.realtime.Topic;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The built-in routing rules ({@link RoutingRule#matchingParams()}, {@link
 * RoutingRule#byField(String)}): an event belongs to a topic if its first argument is a JSON object
 * with every field of the topic's params (or just {@code field}) at an equal value. Because the
 * rule is known, the client can {@link #index} the topics it routes to and find an event's topics
 * by looking its field values up, instead of asking the rule once per topic.
 *
 * <p>Immutable and thread-safe, as its {@link Index}es are.
 */
public final class ParamsRouting implements RoutingRule {
  private final @Nullable String field;
  private final Function<Topic, ObjectNode> params;

  /**
   * @param field the one field compared, or null for all of the topic's params
   * @param params a topic's params, not copied (the rule only reads them)
   */
  public ParamsRouting(@Nullable String field, Function<Topic, ObjectNode> params) {
    this.field = field;
    this.params = params;
  }

  @Override
  public boolean routes(Topic topic, String event, List<JsonNode> args) {
    if (args.isEmpty() || !args.get(0).isObject()) {
      return false;
    }
    JsonNode payload = args.get(0);
    ObjectNode p = params.apply(topic);
    if (field != null) {
      JsonNode want = p.get(field);
      return want != null && want.equals(payload.get(field));
    }
    for (Map.Entry<String, JsonNode> e : p.properties()) {
      if (!e.getValue().equals(payload.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * An index of {@code items}' topics (in this order) by the values this rule compares: {@link
   * Index#matches} gives the items whose topic an event belongs to, in the same order, as asking
   * {@link #routes} of each would.
   */
  <T> Index<T> index(List<T> items, Function<T, Topic> topicOf) {
    // one group per set of compared field names, in their order in the params: for each, the
    // items by their values of those fields
    Map<List<String>, Map<List<JsonNode>, List<Integer>>> groups = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      ObjectNode p = params.apply(topicOf.apply(items.get(i)));
      List<String> names = new ArrayList<>();
      List<JsonNode> values = new ArrayList<>();
      if (field != null) {
        JsonNode v = p.get(field);
        if (v == null) {
          continue; // never routed to
        }
        names.add(field);
        values.add(v);
      } else {
        for (Map.Entry<String, JsonNode> e : p.properties()) {
          names.add(e.getKey());
          values.add(e.getValue());
        }
      }
      groups
          .computeIfAbsent(List.copyOf(names), n -> new HashMap<>())
          .computeIfAbsent(List.copyOf(values), v -> new ArrayList<>())
          .add(i);
    }
    List<Group> built = new ArrayList<>(groups.size());
    groups.forEach(
        (names, byValues) -> {
          Map<List<JsonNode>, int[]> positions = new HashMap<>();
          byValues.forEach(
              (values, at) ->
                  positions.put(values, at.stream().mapToInt(Integer::intValue).toArray()));
          built.add(new Group(names.toArray(String[]::new), positions));
        });
    return new Index<>(List.copyOf(items), List.copyOf(built));
  }

  /** The items of one set of field names, by their values. */
  private record Group(String[] names, Map<List<JsonNode>, int[]> positions) {}

  /** The topics a {@link ParamsRouting} routes to, by value; immutable. */
  static final class Index<T> {
    private final List<T> items;
    private final List<Group> groups;

    private Index(List<T> items, List<Group> groups) {
      this.items = items;
      this.groups = groups;
    }

    /** The items whose topic an event of {@code args} belongs to, in the index's order. */
    List<T> matches(List<JsonNode> args) {
      if (groups.isEmpty() || args.isEmpty() || !args.get(0).isObject()) {
        return List.of();
      }
      JsonNode payload = args.get(0);
      int[] found = null;
      for (Group g : groups) {
        JsonNode[] key = new JsonNode[g.names().length];
        boolean complete = true;
        for (int k = 0; k < key.length; k++) {
          JsonNode v = payload.get(g.names()[k]);
          if (v == null) {
            complete = false;
            break;
          }
          key[k] = v;
        }
        int[] at = complete ? g.positions().get(Arrays.asList(key)) : null;
        if (at != null) {
          found = found == null ? at : merge(found, at);
        }
      }
      if (found == null) {
        return List.of();
      }
      if (found.length == 1) {
        return List.of(items.get(found[0]));
      }
      List<T> out = new ArrayList<>(found.length);
      for (int i : found) {
        out.add(items.get(i));
      }
      return out;
    }

    private static int[] merge(int[] a, int[] b) {
      int[] out = Arrays.copyOf(a, a.length + b.length);
      System.arraycopy(b, 0, out, a.length, b.length);
      Arrays.sort(out);
      return out;
    }
  }
}

package dev.quarry.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.core.QueryKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Successful queries written out as JSON, to persist a cache across restarts: {@link
 * QueryClient#dehydrate()} produces it, {@link QueryClient#hydrate} reads it back, where the newer
 * {@code dataUpdatedAt} wins and a running fetch keeps running.
 *
 * <pre>{@code
 * Files.writeString(file, client.dehydrate().toJson());
 * // next start:
 * client.hydrate(DehydratedState.fromJson(Files.readString(file)));
 * }</pre>
 *
 * <p>Functions and options are not dehydrated; the data is decoded on hydration with the type
 * registered for the key ({@code dataType} in per-key or client defaults) or given to {@link
 * QueryClient#hydrate(DehydratedState, java.util.function.Function)}. Immutable and thread-safe.
 *
 * @param queries the dehydrated queries
 */
public record DehydratedState(List<Query> queries) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * One dehydrated query.
   *
   * @param key its key
   * @param data its data as a JSON tree
   * @param dataUpdatedAt when the data was stored, epoch ms
   * @param dataUpdateCount how often the data was updated
   * @param isInvalidated whether it was invalidated
   * @param dehydratedAt when it was dehydrated, epoch ms
   * @param infinite whether it is an infinite query
   */
  public record Query(
      QueryKey key,
      JsonNode data,
      long dataUpdatedAt,
      int dataUpdateCount,
      boolean isInvalidated,
      long dehydratedAt,
      boolean infinite) {
    /** Checks that no component is null. */
    public Query {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(data, "data");
    }
  }

  /** Copies the list. */
  public DehydratedState {
    queries = List.copyOf(queries);
  }

  /** This state as a JSON tree: {@code {"queries":[{"key":[...],"data":...,...}]}}. */
  public JsonNode toJsonNode() {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode array = root.putArray("queries");
    for (Query q : queries) {
      ObjectNode n = array.addObject();
      try {
        n.set("key", MAPPER.readTree(q.key().hash()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write query key " + q.key(), e);
      }
      n.set("data", q.data());
      n.put("dataUpdatedAt", q.dataUpdatedAt());
      n.put("dataUpdateCount", q.dataUpdateCount());
      n.put("isInvalidated", q.isInvalidated());
      n.put("dehydratedAt", q.dehydratedAt());
      n.put("queryType", q.infinite() ? "infinite" : "query");
    }
    return root;
  }

  /** This state as JSON text. */
  public String toJson() {
    return toJsonNode().toString();
  }

  /**
   * Reads a state written by {@link #toJson()}.
   *
   * @throws IllegalArgumentException if {@code json} is not such a state (the message says what is
   *     wrong)
   */
  public static DehydratedState fromJson(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("dehydrated state is not JSON: " + e.getMessage(), e);
    }
    return fromJsonNode(root);
  }

  /** Reads a state from its JSON tree; see {@link #fromJson(String)}. */
  public static DehydratedState fromJsonNode(JsonNode root) {
    if (root == null || !root.path("queries").isArray()) {
      throw new IllegalArgumentException("dehydrated state must have a \"queries\" array");
    }
    List<Query> out = new ArrayList<>();
    int i = 0;
    for (JsonNode n : root.get("queries")) {
      JsonNode key = n.get("key");
      JsonNode data = n.get("data");
      if (key == null || !key.isArray() || data == null) {
        throw new IllegalArgumentException(
            "dehydrated query " + i + " needs a \"key\" array and \"data\"");
      }
      out.add(
          new Query(
              QueryKey.fromJson(key.toString()),
              data,
              n.path("dataUpdatedAt").asLong(0),
              n.path("dataUpdateCount").asInt(0),
              n.path("isInvalidated").asBoolean(false),
              n.path("dehydratedAt").asLong(0),
              "infinite".equals(n.path("queryType").asText("query"))));
      i++;
    }
    return new DehydratedState(out);
  }
}

package dev.quarry.optimistic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.core.QueryKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Mutations written out as JSON, to carry paused writes across a restart or to another client
 * (TanStack Query's dehydrated mutations): {@link MutationClient#dehydrate()} produces it, {@link
 * MutationClient#hydrate(DehydratedMutations)} builds the mutations again, each of which finds its
 * function (and its variables type) in the {@link MutationClient#setMutationDefaults defaults} of
 * its key on the client that hydrates it.
 *
 * <pre>{@code
 * Files.writeString(file, mutations.dehydrate().toJson());
 * // next start, after setMutationDefaults(...):
 * mutations.hydrate(DehydratedMutations.fromJson(Files.readString(file)));
 * mutations.resumePausedMutations();
 * }</pre>
 *
 * <p>Functions, callbacks and options other than key, scope and meta are not dehydrated, nor are
 * the {@code onMutate} context, the data and the errors; variables and meta are written as JSON.
 * Immutable and thread-safe.
 *
 * @param mutations the dehydrated mutations, in submission order
 */
public record DehydratedMutations(List<Entry> mutations) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * One dehydrated mutation.
   *
   * @param mutationKey its key, if it has one (without one, only client-wide defaults can supply
   *     its function on hydration)
   * @param variables its variables as a JSON tree
   * @param scope its scope id, if any
   * @param meta its meta map as a JSON object (empty if none)
   * @param status its status when it was dehydrated
   * @param isPaused whether it was paused
   * @param failureCount the failures it had
   * @param submittedAt when it was submitted, epoch ms
   */
  public record Entry(
      Optional<QueryKey> mutationKey,
      JsonNode variables,
      Optional<String> scope,
      JsonNode meta,
      MutationStatus status,
      boolean isPaused,
      int failureCount,
      long submittedAt) {
    /** Checks that no component is null and that {@code meta} is an object. */
    public Entry {
      Objects.requireNonNull(mutationKey, "mutationKey");
      Objects.requireNonNull(variables, "variables");
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(status, "status");
      if (!meta.isObject()) {
        throw new IllegalArgumentException("meta must be a JSON object but was " + meta);
      }
    }
  }

  /** Copies the list. */
  public DehydratedMutations {
    mutations = List.copyOf(mutations);
  }

  /** No mutations. */
  public static DehydratedMutations empty() {
    return new DehydratedMutations(List.of());
  }

  /**
   * This state as a JSON tree: {@code {"mutations":[{"mutationKey":[...],"variables":...,...}]}}.
   */
  public ObjectNode toJsonNode() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode array = root.putArray("mutations");
    for (Entry m : mutations) {
      ObjectNode n = array.addObject();
      if (m.mutationKey().isPresent()) {
        try {
          n.set("mutationKey", MAPPER.readTree(m.mutationKey().get().hash()));
        } catch (JsonProcessingException e) {
          throw new IllegalStateException("cannot write mutation key " + m.mutationKey(), e);
        }
      }
      n.set("variables", m.variables());
      m.scope().ifPresent(s -> n.put("scope", s));
      n.set("meta", m.meta());
      n.put("status", m.status().name().toLowerCase(Locale.ROOT));
      n.put("isPaused", m.isPaused());
      n.put("failureCount", m.failureCount());
      n.put("submittedAt", m.submittedAt());
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
  public static DehydratedMutations fromJson(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("dehydrated mutations are not JSON: " + e.getMessage(), e);
    }
    return fromJsonNode(root);
  }

  /**
   * Reads a state from its JSON tree; see {@link #fromJson(String)}. A tree without a {@code
   * "mutations"} member (a state with queries only) holds no mutations.
   *
   * @throws IllegalArgumentException if an entry is malformed, naming it
   */
  public static DehydratedMutations fromJsonNode(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("dehydrated mutations must be a JSON object");
    }
    JsonNode array = root.get("mutations");
    if (array == null || array.isNull()) {
      return empty();
    }
    if (!array.isArray()) {
      throw new IllegalArgumentException("\"mutations\" must be an array but was " + array);
    }
    List<Entry> out = new ArrayList<>();
    int i = 0;
    for (JsonNode n : array) {
      JsonNode key = n.get("mutationKey");
      JsonNode variables = n.get("variables");
      if (variables == null || (key != null && !key.isArray())) {
        throw new IllegalArgumentException(
            "dehydrated mutation "
                + i
                + " needs \"variables\" and an array \"mutationKey\" if any");
      }
      MutationStatus status;
      try {
        status = MutationStatus.valueOf(n.path("status").asText("").toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "dehydrated mutation " + i + " has an unknown status " + n.get("status"), e);
      }
      JsonNode meta = n.get("meta");
      out.add(
          new Entry(
              key == null ? Optional.empty() : Optional.of(QueryKey.fromJson(key.toString())),
              variables,
              n.hasNonNull("scope") ? Optional.of(n.get("scope").asText()) : Optional.empty(),
              meta != null && meta.isObject() ? meta : JsonNodeFactory.instance.objectNode(),
              status,
              n.path("isPaused").asBoolean(false),
              n.path("failureCount").asInt(0),
              n.path("submittedAt").asLong(0)));
      i++;
    }
    return new DehydratedMutations(out);
  }
}

package dev.quarry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.cache.DehydratedState;
import dev.quarry.optimistic.DehydratedMutations;
import java.util.Objects;

/**
 * A {@link Quarry}'s queries and mutations written out together (TanStack Query's dehydrated
 * state): {@link Quarry#dehydrate()} produces it, {@link Quarry#hydrate(Dehydrated)} reads it back.
 * Its JSON is {@code {"queries":[...],"mutations":[...]}}, the two halves as {@link
 * DehydratedState} and {@link DehydratedMutations} write them.
 *
 * <pre>{@code
 * Files.writeString(file, quarry.dehydrate().toJson());
 * // next start, after setMutationDefaults(...) for the keys of paused writes:
 * quarry.hydrate(Dehydrated.fromJson(Files.readString(file)));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param queries the successful queries
 * @param mutations the paused mutations
 */
public record Dehydrated(DehydratedState queries, DehydratedMutations mutations) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Checks that no component is null. */
  public Dehydrated {
    Objects.requireNonNull(queries, "queries");
    Objects.requireNonNull(mutations, "mutations");
  }

  /** Both halves as one JSON text. */
  public String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.setAll((ObjectNode) queries.toJsonNode());
    root.setAll(mutations.toJsonNode());
    return root.toString();
  }

  /**
   * Reads a state written by {@link #toJson()}; a state without {@code "mutations"} (written by
   * {@code QueryClient}) has none.
   *
   * @throws IllegalArgumentException if {@code json} is not such a state (the message says what is
   *     wrong)
   */
  public static Dehydrated fromJson(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("dehydrated state is not JSON: " + e.getMessage(), e);
    }
    return new Dehydrated(
        DehydratedState.fromJsonNode(root), DehydratedMutations.fromJsonNode(root));
  }
}

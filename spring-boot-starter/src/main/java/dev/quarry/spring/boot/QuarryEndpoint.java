package dev.quarry.spring.boot;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.Inspector;
import dev.quarry.Quarry;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The read-only Actuator endpoint {@code quarry}: the {@link Inspector}'s snapshot of the queries,
 * mutations, realtime connection and stores, as JSON ({@code GET /actuator/quarry} once exposed
 * with {@code management.endpoints.web.exposure.include=quarry}).
 *
 * <p>What it shows is the inspector's JSON: query keys and states, mutation ids, keys and states
 * (never variables or results), the realtime state, the endpoint with its user info and
 * secret-looking query parameters redacted, topics, and the stores. Store states are replaced by
 * {@code "<hidden>"} unless {@code quarry.actuator.show-store-state=true}, since client state may
 * hold anything. The auth object, headers and query data are never shown.
 *
 * <p>Thread-safe; each read takes a fresh snapshot without blocking the facade. Actuator's own
 * exposure and security rules apply.
 */
@Endpoint(id = "quarry")
public final class QuarryEndpoint {
  /** The value that replaces a store's state when store states are hidden. */
  public static final String HIDDEN = "<hidden>";

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final Quarry quarry;
  private final boolean showStoreState;

  /** An endpoint on {@code quarry}; store states shown only if {@code showStoreState}. */
  public QuarryEndpoint(Quarry quarry, boolean showStoreState) {
    this.quarry = Objects.requireNonNull(quarry, "quarry");
    this.showStoreState = showStoreState;
  }

  /**
   * The inspector's JSON as a map (so that whichever JSON library Actuator uses writes the same
   * document).
   *
   * @throws IllegalStateException if the {@code Quarry} is closed
   */
  @ReadOperation
  public Map<String, Object> inspector() {
    if (quarry.isClosed()) {
      throw new IllegalStateException("the Quarry is closed");
    }
    Inspector inspector = quarry.inspector();
    Inspector.Snapshot s = inspector.snapshot();
    if (!showStoreState) {
      s =
          new Inspector.Snapshot(
              s.takenAt(),
              s.queries(),
              s.mutations(),
              s.realtime(),
              s.stores().stream().map(st -> new Inspector.StoreRow(st.name(), HIDDEN)).toList());
    }
    ObjectMapper mapper = quarry.objectMapper();
    try {
      return mapper.readValue(inspector.toJson(s), MAP);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot read the inspector's JSON", e);
    }
  }
}

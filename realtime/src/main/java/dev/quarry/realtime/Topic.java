package dev.quarry.realtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Objects;

/**
 * Something to subscribe to: a name for the application plus the JSON params sent as the payload of
 * the subscribe event (for the studio, {@code {"executionId":"e1"}}). Two topics are equal when
 * name and params are equal; subscribing twice to an equal topic keeps one server membership.
 *
 * <p>Immutable: the params are copied.
 *
 * <pre>{@code
 * Topic t = Topic.of("execution", Map.of("executionId", "e1"));
 * }</pre>
 *
 * @param name the application's name for the topic; not sent
 * @param params the subscribe event's payload
 */
public record Topic(String name, ObjectNode params) {
  private static final ObjectMapper PLAIN = new ObjectMapper();

  /** Copies {@code params} so that the topic stays immutable. */
  public Topic {
    Objects.requireNonNull(name, "name");
    params = params.deepCopy();
  }

  /** The params, a copy (the topic itself never changes). */
  @Override
  public ObjectNode params() {
    return params.deepCopy();
  }

  /**
   * The params themselves, not a copy, for the routing rules of this package, which read them once
   * per incoming event and per topic; never modified, never handed out.
   */
  ObjectNode paramsView() {
    return params;
  }

  /**
   * A topic whose params are {@code params} converted to JSON (a map, a record, a bean).
   *
   * @throws IllegalArgumentException if {@code params} does not convert to a JSON object
   */
  public static Topic of(String name, Object params) {
    Object converted = PLAIN.valueToTree(params);
    if (!(converted instanceof ObjectNode o)) {
      throw new IllegalArgumentException(
          "topic params must convert to a JSON object, got " + converted + " for topic " + name);
    }
    return new Topic(name, o);
  }

  /** A topic with one string param, e.g. {@code Topic.of("execution", "executionId", "e1")}. */
  public static Topic of(String name, String key, String value) {
    return of(name, Map.of(key, value));
  }
}

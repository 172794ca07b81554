package dev.quarry.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.realtime.internal.ParamsRouting;
import java.util.List;
import java.util.Objects;

/**
 * Decides which topic subscriptions an incoming event belongs to. A rule of your own is called on
 * the callback executor for every event and every active topic that has a listener (a subscription
 * nobody listens to is not asked); it must be fast and must not block. An exception goes to the
 * error handler and the event is not routed to that topic. The built-in rules ({@link
 * #matchingParams()}, the default, and {@link #byField}) route the same way without being called
 * per topic: the client looks the event's values up in an index of the listened topics, so an event
 * costs the same however many topics are listened to.
 *
 * <pre>{@code
 * RealtimeOptions.builder(uri).routingRule(RoutingRule.byField("executionId"));
 * }</pre>
 */
@FunctionalInterface
public interface RoutingRule {
  /**
   * Whether the event belongs to {@code topic}.
   *
   * @param args the event's arguments, without the recovery offset
   */
  boolean routes(Topic topic, String event, List<JsonNode> args);

  /**
   * The default: the event's first argument is a JSON object that contains every field of the
   * topic's params with an equal value (a topic {@code {"executionId":"e1"}} gets {@code
   * {"executionId":"e1","type":"log",...}}).
   */
  static RoutingRule matchingParams() {
    return new ParamsRouting(null, Topic::paramsView);
  }

  /**
   * Routes by one field: the event's first argument has {@code field} equal to the topic params'
   * {@code field}.
   *
   * @throws NullPointerException if {@code field} is null
   */
  static RoutingRule byField(String field) {
    Objects.requireNonNull(field, "field");
    return new ParamsRouting(field, Topic::paramsView);
  }
}

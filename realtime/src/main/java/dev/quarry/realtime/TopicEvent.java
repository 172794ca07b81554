package dev.quarry.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.List;

/**
 * What a {@link TopicSubscription}'s listeners receive: the events routed to the topic, and a
 * {@link Gap} when events may have been missed.
 *
 * <pre>{@code
 * sub.listen(e -> {
 *   if (e instanceof TopicEvent.Message m) {
 *     apply(m.event(), m.payload());
 *   } else if (e instanceof TopicEvent.Gap g) {
 *     refetch(g.topic());
 *   }
 * });
 * }</pre>
 */
public sealed interface TopicEvent {
  /** The topic the event belongs to. */
  Topic topic();

  /**
   * An event the {@link RoutingRule} assigned to the topic.
   *
   * @param args the event's arguments (without the recovery offset); byte arrays are binary nodes
   */
  record Message(Topic topic, String event, List<JsonNode> args) implements TopicEvent {
    /** Copies the arguments. */
    public Message {
      args = List.copyOf(args);
    }

    /** The first argument, or JSON null if there is none. */
    public JsonNode payload() {
      return args.isEmpty() ? NullNode.getInstance() : args.get(0);
    }
  }

  /**
   * The client reconnected without recovering its session: events of this topic may have been
   * missed while it was away. The topic was subscribed again; refetch its state.
   *
   * @param reason why, e.g. {@code "reconnected without recovery"}
   */
  record Gap(Topic topic, String reason) implements TopicEvent {}
}

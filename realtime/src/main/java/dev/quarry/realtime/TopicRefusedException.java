package dev.quarry.realtime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The server answered a topic's subscribe event with a refusal: an ack whose first argument is an
 * object with {@code "ok": false} (by convention with an {@code "error"} text). {@link
 * TopicSubscription#confirmed()} fails with it; the client does not send that topic's subscribe
 * again, not even after a reconnect, until every handle is closed and it is subscribed anew.
 *
 * <pre>{@code
 * sub.confirmed().exceptionally(e -> {
 *   if (e.getCause() instanceof TopicRefusedException r) show("not allowed: " + r.serverError());
 *   return null;
 * });
 * }</pre>
 */
public final class TopicRefusedException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  private final transient Topic topic;
  private final transient JsonNode reply;

  /**
   * Creates the exception for {@code topic}, keeping the server's {@code reply} (the ack's first
   * argument).
   */
  public TopicRefusedException(Topic topic, JsonNode reply) {
    super(
        "the server refused the subscription to topic '"
            + topic.name()
            + "' "
            + topic.params()
            + ": "
            + errorText(reply));
    this.topic = topic;
    this.reply = reply.deepCopy();
  }

  private static String errorText(JsonNode reply) {
    JsonNode error = reply.get("error");
    return error != null && error.isTextual() ? error.asText() : reply.toString();
  }

  /** The refused topic. */
  public Topic topic() {
    return topic;
  }

  /** The ack's first argument as the server sent it, e.g. {@code {"ok":false,"error":"..."}}. */
  public JsonNode reply() {
    return reply.deepCopy();
  }

  /** The server's {@code error} text, or the whole reply as JSON if it has none. */
  public String serverError() {
    return errorText(reply);
  }
}

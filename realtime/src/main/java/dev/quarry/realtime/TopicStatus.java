package dev.quarry.realtime;

import java.util.Objects;

/**
 * One subscribed topic as {@link RealtimeClient#topics()} saw it: a snapshot, never updated.
 *
 * <pre>{@code
 * for (TopicStatus t : client.topics()) {
 *   log.info("{} {} ({} handles)", t.topic().name(), t.state(), t.subscribers());
 * }
 * }</pre>
 *
 * @param topic the topic
 * @param state where its {@link TopicSubscription#confirmed()} stood
 * @param subscribers the open {@link TopicSubscription} handles sharing it (at least 1)
 */
public record TopicStatus(Topic topic, State state, int subscribers) {
  /** Checks the arguments. */
  public TopicStatus {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(state, "state");
    if (subscribers < 1) {
      throw new IllegalArgumentException("subscribers must be at least 1, got " + subscribers);
    }
  }

  /** Where a topic's confirmation stands. */
  public enum State {
    /** Not acknowledged yet: not sent (not connected), or waiting for the server's ack. */
    PENDING,
    /** Acknowledged at least once (or sent, with subscribe acks off). */
    CONFIRMED,
    /**
     * {@link TopicSubscription#confirmed()} failed: the server refused the topic ({@link
     * TopicRefusedException}) or its subscribe is larger than the server accepts.
     */
    FAILED
  }

  /** Whether the server has acknowledged the topic, i.e. {@code state() == CONFIRMED}. */
  public boolean confirmed() {
    return state == State.CONFIRMED;
  }
}

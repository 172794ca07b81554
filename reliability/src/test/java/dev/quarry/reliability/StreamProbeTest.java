package dev.quarry.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker the realtime fault tests rely on must itself catch what it claims to catch. */
class StreamProbeTest {
  private static final Topic TOPIC = Topic.of("execution", "executionId", "e");

  private static TopicEvent event(int batch, int seq) {
    ObjectNode p = JsonNodeFactory.instance.objectNode().put("batch", batch).put("seq", seq);
    return new TopicEvent.Message(TOPIC, "agent-event", List.of(p));
  }

  @Test
  void holeWithoutAGap_isReported_holeAfterAGap_isNot() {
    StreamProbe probe = new StreamProbe(10);
    probe.onTopicEvent(event(0, 0));
    probe.onTopicEvent(event(0, 1));
    probe.onTopicEvent(event(0, 5)); // 2..4 lost silently
    probe.onTopicEvent(new TopicEvent.Gap(TOPIC, "reconnected"));
    probe.onTopicEvent(event(1, 0)); // 6..9 lost after a gap report
    probe.onTopicEvent(event(1, 0)); // duplicate
    probe.onTopicEvent(event(0, 9)); // out of order

    assertThat(probe.unreportedHoles(20))
        .containsExactly(
            "events 2..4 missing, no gap reported",
            "events 11..19 missing at the end, no gap reported");
    assertThat(probe.duplicates()).isEqualTo(1);
    assertThat(probe.outOfOrder()).isEqualTo(1);
    assertThat(probe.missing(20)).isEqualTo(20 - 5);
    assertThat(probe.gaps()).isEqualTo(1);
  }
}

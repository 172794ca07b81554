package dev.quarry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RecordingListenerTest {
  @Test
  void takesEventsInOrder_andAssertExhaustedFailsOnLeftovers() {
    RecordingListener<String> r = new RecordingListener<>();
    r.accept("a");
    r.accept("b");
    r.accept("c");
    assertThat(r.next()).isEqualTo("a");
    assertThat(r.next(Duration.ofMillis(1))).isEqualTo("b");
    assertThatThrownBy(r::assertExhausted)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("[c]");
    assertThat(r.drain()).containsExactly("c");
    r.assertExhausted();
  }

  @Test
  void next_withNothingRecorded_fails() {
    RecordingListener<String> r = new RecordingListener<>();
    assertThatThrownBy(r::next).isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> r.next(Duration.ofMillis(1))).isInstanceOf(AssertionError.class);
  }
}

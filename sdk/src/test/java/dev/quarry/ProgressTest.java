package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ProgressTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  @Test
  void fromJson_readsRunningDoneAndFailed() throws Exception {
    assertThat(Progress.fromJson(json("{\"percent\":42,\"message\":\"rendering\"}")))
        .isEqualTo(new Progress.Running(42, "rendering"));
    assertThat(Progress.fromJson(json("{\"progress\":0.5}")))
        .isEqualTo(new Progress.Running(50, ""));
    assertThat(Progress.fromJson(json("{\"status\":\"completed\",\"message\":\"ok\"}")))
        .isEqualTo(new Progress.Done("ok"));
    assertThat(Progress.fromJson(json("{\"status\":\"failed\",\"percent\":70,\"message\":\"x\"}")))
        .isEqualTo(new Progress.Failed(70, "x"));
  }

  @Test
  void running_clampsThePercentage() {
    assertThat(new Progress.Running(140, "").percent()).isEqualTo(100);
    assertThat(new Progress.Running(-3, "").percent()).isZero();
    assertThat(new Progress.Running(Double.NaN, "").percent()).isZero();
  }

  @Test
  void bar_rendersAConsoleProgressBar() {
    assertThat(new Progress.Running(50, "rendering").bar(10))
        .isEqualTo("[#####.....]  50% rendering");
    assertThat(new Progress.Done("").bar(4)).isEqualTo("[####] done");
    assertThat(new Progress.Failed(25, "disk full").bar(4)).isEqualTo("[#...] FAILED disk full");
    assertThat(new Progress.Done("").isFinished()).isTrue();
    assertThat(new Progress.Running(1, "").isFinished()).isFalse();
    assertThatThrownBy(() -> new Progress.Done("").bar(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("width");
  }
}

package dev.quarry.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final long NOW = Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();

  @Test
  void seconds_areADuration() {
    assertThat(RetryAfter.parse("120", NOW)).contains(Duration.ofSeconds(120));
    assertThat(RetryAfter.parse(" 0 ", NOW)).contains(Duration.ZERO);
  }

  @Test
  void httpDate_isTheTimeUntilThen() {
    assertThat(RetryAfter.parse("Wed, 25 Nov 2026 10:01:30 GMT", NOW))
        .contains(Duration.ofSeconds(90));
  }

  @Test
  void httpDateInThePast_isZero() {
    assertThat(RetryAfter.parse("Wed, 25 Nov 2026 09:00:00 GMT", NOW)).contains(Duration.ZERO);
  }

  @Test
  void garbageNegativeOrHugeValues_areAbsent() {
    assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
    assertThat(RetryAfter.parse("-5", NOW)).isEmpty();
    assertThat(RetryAfter.parse("", NOW)).isEmpty();
    assertThat(RetryAfter.parse("99999999999999999999999", NOW)).isEmpty();
  }

  @Test
  void excerpt_dropsAMultiByteCharacterCutOffAtTheEnd() {
    byte[] euro = "a\u20ac".getBytes(java.nio.charset.StandardCharsets.UTF_8); // 1 + 3 bytes
    assertThat(RealJsonHttp.utf8Prefix(euro)).isEqualTo("a\u20ac");
    assertThat(RealJsonHttp.utf8Prefix(java.util.Arrays.copyOf(euro, 3))).isEqualTo("a");
    assertThat(RealJsonHttp.utf8Prefix(java.util.Arrays.copyOf(euro, 1))).isEqualTo("a");
    assertThat(RealJsonHttp.utf8Prefix(new byte[0])).isEmpty();
  }
}

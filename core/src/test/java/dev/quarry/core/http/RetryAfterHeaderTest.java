package dev.quarry.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterHeaderTest {
  private static final long NOW = Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();

  @Test
  void seconds_areADuration() {
    assertThat(RetryAfterHeader.parse("120", NOW)).contains(Duration.ofSeconds(120));
    assertThat(RetryAfterHeader.parse(" 0 ", NOW)).contains(Duration.ZERO);
  }

  @Test
  void httpDate_isTheTimeUntilThen() {
    assertThat(RetryAfterHeader.parse("Wed, 25 Nov 2026 10:01:30 GMT", NOW))
        .contains(Duration.ofSeconds(90));
  }

  @Test
  void httpDateInThePast_isZero() {
    assertThat(RetryAfterHeader.parse("Wed, 25 Nov 2026 09:00:00 GMT", NOW))
        .contains(Duration.ZERO);
  }

  @Test
  void garbageNegativeOrHugeValues_areAbsent() {
    assertThat(RetryAfterHeader.parse("soon", NOW)).isEmpty();
    assertThat(RetryAfterHeader.parse("-5", NOW)).isEmpty();
    assertThat(RetryAfterHeader.parse("", NOW)).isEmpty();
    assertThat(RetryAfterHeader.parse("99999999999999999999999", NOW)).isEmpty();
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

package dev.quarry.core.http;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Parses the {@code Retry-After} header (RFC 9110 section 10.2.3). */
final class RetryAfterHeader {
  private RetryAfterHeader() {}

  /**
   * @param value the header value: delay-seconds or an HTTP date (IMF-fixdate)
   * @param nowMillis the current wall-clock time, for the date form
   */
  static Optional<Duration> parse(String value, long nowMillis) {
    String v = value.strip();
    if (v.isEmpty()) {
      return Optional.empty();
    }
    if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
      } catch (NumberFormatException e) {
        return Optional.empty(); // more digits than a long holds
      }
    }
    try {
      long atMillis =
          ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
      return Optional.of(Duration.ofMillis(Math.max(0, atMillis - nowMillis)));
    } catch (DateTimeParseException | ArithmeticException e) {
      return Optional.empty();
    }
  }
}

package dev.quarry.devtools.swing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.Inspector;
import dev.quarry.cache.FetchStatus;
import java.awt.Color;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** How the views write times, states and values. */
final class Format {
  static final Color FRESH = new Color(0x00, 0xAB, 0x52);
  static final Color FETCHING = new Color(0x00, 0x6B, 0xFF);
  static final Color PAUSED = new Color(0x8C, 0x49, 0xEB);
  static final Color STALE = new Color(0xFF, 0xB2, 0x00);
  static final Color INACTIVE = new Color(0x3F, 0x4E, 0x60);
  static final Color ERROR = new Color(0xE0, 0x3C, 0x31);

  private Format() {}

  /**
   * React Query Devtools' badge of a query: fetching, paused, error, stale, inactive (nobody
   * observes it) or fresh, in that order of precedence.
   */
  static String badge(Inspector.QueryRow q) {
    if (q.fetchStatus() == FetchStatus.FETCHING) {
      return "fetching";
    }
    if (q.fetchStatus() == FetchStatus.PAUSED) {
      return "paused";
    }
    if (q.error().isPresent()) {
      return "error";
    }
    if (q.observers() == 0) {
      return "inactive";
    }
    return q.stale() ? "stale" : "fresh";
  }

  static Color color(String badge) {
    return switch (badge) {
      case "fresh", "success", "connected", "subscribed" -> FRESH;
      case "fetching", "pending", "connecting", "subscribing" -> FETCHING;
      case "paused", "reconnecting" -> PAUSED;
      case "stale" -> STALE;
      case "error", "disconnected", "set aside" -> ERROR;
      default -> INACTIVE;
    };
  }

  /** {@code 12s ago}, {@code 3m 5s ago}; {@code -} when absent. */
  static String ago(Optional<Instant> at, Instant now) {
    return at.map(a -> span(Duration.between(a, now)) + " ago").orElse("-");
  }

  /** {@code in 4m 50s}, {@code due}; {@code -} when absent. */
  static String in(Optional<Instant> at, Instant now) {
    return at.map(
            a -> {
              Duration d = Duration.between(now, a);
              return d.isNegative() || d.isZero() ? "due" : "in " + span(d);
            })
        .orElse("-");
  }

  static String span(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m " + (s % 60) + "s";
    }
    return (s / 3600) + "h " + ((s % 3600) / 60) + "m";
  }

  /** A value as one line of JSON through {@code mapper}, or its {@code toString()}. */
  static String json(ObjectMapper mapper, Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
      return String.valueOf(value);
    }
  }

  static String lower(Enum<?> e) {
    return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }
}

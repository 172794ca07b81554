package dev.quarry.examples.backend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Failure injection for the {@link StudioBackend}'s REST API: a latency added to every response,
 * the next N requests to a path failing with a status, and creates whose title matches a rule
 * refused. Changes apply to requests that arrive afterwards.
 *
 * <pre>{@code
 * backend.faults().latency(Duration.ofMillis(150));
 * backend.faults().failNext("/api/projects", 2, 503);          // two 503s, then normal again
 * backend.faults().refuseCreates("(?i)forbidden", 422, "title is not allowed");
 * backend.faults().clear();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class Faults {
  private Duration latency = Duration.ZERO;
  private final Map<String, int[]> failNext = new LinkedHashMap<>();
  private final List<Refusal> refusals = new ArrayList<>();

  Faults() {}

  /**
   * Delays every response by {@code latency} (zero: answer at once). The delay runs on the
   * backend's scheduler; no thread waits.
   *
   * @throws IllegalArgumentException if {@code latency} is negative
   */
  public synchronized Faults latency(Duration latency) {
    Objects.requireNonNull(latency, "latency");
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative, got " + latency);
    }
    this.latency = latency;
    return this;
  }

  /** The current added latency. */
  public synchronized Duration latency() {
    return latency;
  }

  /**
   * Fails the next {@code count} requests whose path is {@code path} (a path ending in {@code *}
   * matches every path that starts with the rest) with {@code status} and a JSON error body. A
   * failed request is still counted.
   *
   * @throws IllegalArgumentException if {@code count} is negative or {@code status} is not 4xx/5xx
   */
  public synchronized Faults failNext(String path, int count, int status) {
    Objects.requireNonNull(path, "path");
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be 4xx or 5xx, got " + status);
    }
    failNext.put(path, new int[] {count, status});
    return this;
  }

  /**
   * Refuses every create (POST) whose {@code title} (or {@code name}) contains a match of {@code
   * titleRegex}, with {@code status} and {@code message} in the JSON error body.
   *
   * @throws IllegalArgumentException if the regex is invalid or the status is not 4xx/5xx
   */
  public synchronized Faults refuseCreates(String titleRegex, int status, String message) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be 4xx or 5xx, got " + status);
    }
    Pattern pattern;
    try {
      pattern = Pattern.compile(Objects.requireNonNull(titleRegex, "titleRegex"));
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new IllegalArgumentException("titleRegex is not a valid regex: " + titleRegex, e);
    }
    refusals.add(new Refusal(pattern, status, Objects.requireNonNull(message, "message")));
    return this;
  }

  /** Removes every rule and the latency. */
  public synchronized void clear() {
    latency = Duration.ZERO;
    failNext.clear();
    refusals.clear();
  }

  /** The status to fail this request with, consuming one use of the matching rule. */
  synchronized Optional<Integer> takeFailure(String path) {
    for (Map.Entry<String, int[]> rule : failNext.entrySet()) {
      String p = rule.getKey();
      boolean matches =
          p.endsWith("*") ? path.startsWith(p.substring(0, p.length() - 1)) : path.equals(p);
      int[] countAndStatus = rule.getValue();
      if (matches && countAndStatus[0] > 0) {
        countAndStatus[0]--;
        return Optional.of(countAndStatus[1]);
      }
    }
    return Optional.empty();
  }

  /** The refusal rule that {@code title} matches, if any. */
  synchronized Optional<Refusal> refusalFor(String title) {
    return refusals.stream().filter(r -> r.pattern().matcher(title).find()).findFirst();
  }

  /** A create refused by a title rule. */
  record Refusal(Pattern pattern, int status, String message) {}
}

package dev.quarry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * One step of a task's progress, as a {@link ProgressStream} reports it: running at some percent,
 * done, or failed.
 *
 * <pre>{@code
 * if (p instanceof Progress.Running r) {
 *   bar.setValue((int) r.percent());
 * } else if (p instanceof Progress.Done) {
 *   bar.setString("done");
 * } else if (p instanceof Progress.Failed f) {
 *   bar.setString("failed: " + f.message());
 * }
 * System.out.print("\r" + p.bar(30));   // [#########.....................]  30% rendering
 * }</pre>
 *
 * <p>Immutable values.
 */
public sealed interface Progress {
  /** A human-readable message (possibly empty). */
  String message();

  /** The percentage, 0 to 100 (100 when done; the last known value when failed). */
  double percent();

  /** Whether this is the last step (done or failed). */
  default boolean isFinished() {
    return !(this instanceof Running);
  }

  /**
   * Running.
   *
   * @param percent clamped to 0..100
   */
  record Running(double percent, String message) implements Progress {
    /** Clamps the percentage. */
    public Running {
      percent = Double.isNaN(percent) ? 0 : Math.max(0, Math.min(100, percent));
    }
  }

  /** Finished successfully. */
  record Done(String message) implements Progress {
    @Override
    public double percent() {
      return 100;
    }
  }

  /**
   * Finished with a failure.
   *
   * @param percent how far it got
   */
  record Failed(double percent, String message) implements Progress {}

  /**
   * The default reading of a progress event's payload: {@code status} {@code "done"|"completed"|
   * "succeeded"} is {@link Done}, {@code "failed"|"error"|"cancelled"} is {@link Failed}, anything
   * else is {@link Running}; the percentage comes from {@code percent} or {@code progress} (a value
   * in 0..1 for {@code progress} is scaled to 0..100), the message from {@code message}.
   */
  static Progress fromJson(JsonNode payload) {
    String status = payload.path("status").asText("").toLowerCase(Locale.ROOT);
    String message = payload.path("message").asText("");
    double percent;
    if (payload.hasNonNull("percent")) {
      percent = payload.get("percent").asDouble();
    } else if (payload.hasNonNull("progress")) {
      double p = payload.get("progress").asDouble();
      percent = p <= 1.0 ? p * 100 : p;
    } else {
      percent = 0;
    }
    return switch (status) {
      case "done", "completed", "succeeded", "success" -> new Done(message);
      case "failed", "error", "cancelled", "canceled" -> new Failed(percent, message);
      default -> new Running(percent, message);
    };
  }

  /** A console bar such as {@code [#####.....] 50% rendering}, {@code width} cells wide. */
  default String bar(int width) {
    if (width < 1) {
      throw new IllegalArgumentException("width must be at least 1 but was " + width);
    }
    int filled = (int) Math.round(percent() / 100.0 * width);
    String label;
    if (this instanceof Done) {
      label = "done";
    } else if (this instanceof Failed) {
      label = "FAILED";
    } else {
      label = String.format(Locale.ROOT, "%3d%%", Math.round(percent()));
    }
    String text = message().isEmpty() ? "" : " " + message();
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + label + text;
  }
}

package dev.quarry.examples;

import dev.quarry.Progress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The demo's voice: numbered steps, indented lines, tagged lines from listeners ({@code [view]},
 * {@code [realtime]}, {@code [store ui]} ...) and a progress bar. On a terminal the bar is redrawn
 * in place; otherwise (a pipe, a test) each step of it is a line. Thread-safe: listeners print from
 * the callback thread while the main thread narrates.
 */
final class Narrator {
  private static final int BAR_WIDTH = 30;

  private final PrintStream out;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  private boolean barOpen;

  Narrator(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  synchronized void title(String text) {
    closeBar();
    out.println(text);
    out.println("=".repeat(text.length()));
  }

  synchronized void step(int number, String text) {
    closeBar();
    out.println();
    out.printf(Locale.ROOT, "%d. %s  (t=%.1fs)%n", number, text, seconds());
  }

  /** A line of the narration. */
  synchronized void say(String text) {
    closeBar();
    out.println("   " + text);
  }

  /** A line from a listener: {@code [source] text}. */
  synchronized void from(String source, String text) {
    closeBar();
    out.println("     [" + source + "] " + text);
  }

  /** One step of a progress bar. */
  synchronized void progress(Progress p) {
    String line = "     " + p.bar(BAR_WIDTH);
    if (terminal) {
      out.print("\r" + line + "\033[K");
      barOpen = !p.isFinished();
      if (!barOpen) {
        out.println();
      }
      out.flush();
    } else {
      out.println(line);
    }
  }

  /** Prints several lines as they are (a table). */
  synchronized void block(String text) {
    closeBar();
    for (String line : text.split("\n", -1)) {
      out.println("   " + line);
    }
  }

  double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private void closeBar() {
    if (barOpen) {
      out.println();
      barOpen = false;
    }
  }
}

package dev.quarry.reliability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Counts what a reliability test injected and what came of it, and prints one line per fault class
 * in a fixed format that docs/RELIABILITY.md is compiled from:
 *
 * <pre>RELIABILITY | fault class | injected=N | survived=N | lost=N | note</pre>
 *
 * <p>"Survived" means the component under test answered as documented (a value or its typed error,
 * a reconnect, a delivered event); "lost" counts what was not delivered or answered wrongly.
 * Thread-safe.
 */
final class FaultTally {
  private final String faultClass;
  private long injected;
  private long survived;
  private long lost;
  private final List<String> samples = new ArrayList<>();

  FaultTally(String faultClass) {
    this.faultClass = faultClass;
  }

  synchronized void injected(long n) {
    injected += n;
  }

  synchronized void survived(long n) {
    survived += n;
  }

  synchronized void lost(long n, String sample) {
    lost += n;
    if (samples.size() < 10) {
      samples.add(sample);
    }
  }

  synchronized long injected() {
    return injected;
  }

  synchronized long survived() {
    return survived;
  }

  synchronized long lost() {
    return lost;
  }

  synchronized List<String> samples() {
    return Collections.unmodifiableList(new ArrayList<>(samples));
  }

  /** Prints the line and returns it. */
  synchronized String print(String note) {
    String line =
        "RELIABILITY | "
            + faultClass
            + " | injected="
            + injected
            + " | survived="
            + survived
            + " | lost="
            + lost
            + " | "
            + note;
    System.out.println(line);
    for (String s : samples) {
      System.out.println("RELIABILITY |   sample: " + s);
    }
    return line;
  }
}

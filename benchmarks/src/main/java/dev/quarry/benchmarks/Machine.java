package dev.quarry.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** What the tables record about the machine: load averages, JDK, cores, heap, time. */
public final class Machine {
  private Machine() {}

  /** The 1, 5 and 15 minute load averages, as {@code uptime} prints them, or "n/a". */
  public static String load() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + ", " + parts[1] + ", " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  /** The current UTC time, to the second. */
  public static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** One line: JDK, cores, max heap. */
  public static String describe() {
    Runtime rt = Runtime.getRuntime();
    return "JDK "
        + System.getProperty("java.vm.name")
        + " "
        + System.getProperty("java.runtime.version")
        + ", "
        + rt.availableProcessors()
        + " cores, max heap "
        + rt.maxMemory() / (1024 * 1024)
        + " MiB";
  }
}

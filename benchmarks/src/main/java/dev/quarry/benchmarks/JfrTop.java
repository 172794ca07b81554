package dev.quarry.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises the {@code jdk.ExecutionSample} events of a JFR recording: the hottest frames (where
 * the CPU was) and, for each sample, the first Quarry frame on the stack (which Quarry code it was
 * working for). {@code java -cp benchmarks.jar dev.quarry.benchmarks.JfrTop FILE.jfr [N]
 * [thread-name-substring]}.
 */
public final class JfrTop {
  private JfrTop() {}

  /** Prints the summary. */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: JfrTop FILE.jfr [N] [thread-name-substring]");
    }
    int top = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    String thread = args.length > 2 ? args[2] : "";
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> quarry = new HashMap<>();
    Map<String, Integer> threads = new HashMap<>();
    int total = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
      if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
        continue;
      }
      String threadName =
          e.getThread("sampledThread") == null
              ? "?"
              : String.valueOf(e.getThread("sampledThread").getJavaName());
      if (!threadName.contains(thread)) {
        continue;
      }
      RecordedStackTrace stack = e.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      total++;
      threads.merge(threadName.replaceAll("[0-9]+", "N"), 1, Integer::sum);
      List<RecordedFrame> frames = stack.getFrames();
      self.merge(name(frames.get(0)), 1, Integer::sum);
      String owner = "(no Quarry frame)";
      for (RecordedFrame f : frames) {
        String n = name(f);
        if (n.startsWith("dev.quarry.") && !n.startsWith("dev.quarry.benchmarks.")) {
          owner = n;
          break;
        }
      }
      quarry.merge(owner, 1, Integer::sum);
    }
    System.out.printf(Locale.ROOT, "%d execution samples%n", total);
    print("threads", threads, total, top);
    print("top frames (self)", self, total, top);
    print("first Quarry frame on the stack", quarry, total, top);
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static void print(String title, Map<String, Integer> counts, int total, int top) {
    System.out.println();
    System.out.println("| " + title + " | samples | % |");
    System.out.println("|---|---:|---:|");
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(top)
        .forEach(
            e ->
                System.out.printf(
                    Locale.ROOT,
                    "| `%s` | %d | %.1f |%n",
                    e.getKey(),
                    e.getValue(),
                    100.0 * e.getValue() / Math.max(1, total)));
  }
}

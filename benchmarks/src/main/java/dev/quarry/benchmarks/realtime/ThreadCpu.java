package dev.quarry.benchmarks.realtime;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this JVM's threads, grouped by name, for a flood's figure "CPU per event by thread":
 * a {@link #snapshot} before and after, {@link #since} the difference. A thread's group is its name
 * with digits replaced by {@code #} (so a connection's threads of several rounds, or a port in
 * OkHttp's reader name, fall into one group); {@link #JVM} is the process's CPU time not spent in a
 * Java thread (garbage collection, the JIT compilers, the VM thread), the process total being the
 * operating system's (clock-tick precision on Linux, 10 ms: a flood of a second or more keeps that
 * below a percent).
 *
 * <p>Each snapshot also holds the bytes each thread has allocated on the heap ({@link
 * #allocatedSince}), where the JVM measures it (HotSpot does): unlike CPU time, a thread's
 * allocation per event hardly depends on how fast the machine is at the moment.
 *
 * <p>Only threads alive at both snapshots are counted by name (one that started and ended within a
 * flood falls into {@link #JVM}). Not thread-safe; any thread may take a snapshot.
 */
final class ThreadCpu {
  /** The group of CPU time outside Java threads. */
  static final String JVM = "(JVM: GC, JIT, VM)";

  /** The group of the process total. */
  static final String TOTAL = "(process)";

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private ThreadCpu() {}

  /** Whether this JVM measures a thread's CPU time; if not, {@link #snapshot} is empty. */
  static boolean supported() {
    return THREADS.isThreadCpuTimeSupported()
        && ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean;
  }

  /** Nanoseconds of CPU by thread id (with its group), and the process total under id -1. */
  static Map<Long, Sample> snapshot() {
    Map<Long, Sample> out = new LinkedHashMap<>();
    if (!supported()) {
      return out;
    }
    if (!THREADS.isThreadCpuTimeEnabled()) {
      THREADS.setThreadCpuTimeEnabled(true);
    }
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long nanos = THREADS.getThreadCpuTime(info.getThreadId());
      if (nanos >= 0) {
        out.put(
            info.getThreadId(),
            new Sample(group(info.getThreadName()), nanos, allocated(info.getThreadId())));
      }
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    out.put(-1L, new Sample(TOTAL, os.getProcessCpuTime(), -1));
    return out;
  }

  /** Bytes the thread has allocated so far, or -1 if this JVM does not say. */
  private static long allocated(long threadId) {
    if (THREADS instanceof com.sun.management.ThreadMXBean hotspot
        && hotspot.isThreadAllocatedMemorySupported()) {
      if (!hotspot.isThreadAllocatedMemoryEnabled()) {
        hotspot.setThreadAllocatedMemoryEnabled(true);
      }
      return hotspot.getThreadAllocatedBytes(threadId);
    }
    return -1;
  }

  /** A thread's group, its CPU nanoseconds and the bytes it allocated (-1 if unknown). */
  record Sample(String group, long nanos, long allocated) {}

  /**
   * Bytes allocated per group between two snapshots, largest first, with {@link #TOTAL} as the sum
   * over the Java threads alive at both; empty if allocation is not measured here.
   */
  static Map<String, Long> allocatedSince(Map<Long, Sample> before, Map<Long, Sample> after) {
    Map<String, Long> byGroup = new TreeMap<>();
    long total = 0;
    for (Map.Entry<Long, Sample> e : after.entrySet()) {
      Sample b = before.get(e.getKey());
      if (e.getKey() < 0 || b == null || b.allocated() < 0 || e.getValue().allocated() < 0) {
        continue;
      }
      long d = Math.max(0, e.getValue().allocated() - b.allocated());
      byGroup.merge(e.getValue().group(), d, Long::sum);
      total += d;
    }
    if (byGroup.isEmpty()) {
      return Map.of();
    }
    Map<String, Long> out = new LinkedHashMap<>();
    byGroup.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    out.put(TOTAL, total);
    return out;
  }

  /**
   * Nanoseconds of CPU per group between two snapshots, largest first, with {@link #JVM} and {@link
   * #TOTAL}; empty if CPU time is not measured here.
   */
  static Map<String, Long> since(Map<Long, Sample> before, Map<Long, Sample> after) {
    Map<String, Long> byGroup = new TreeMap<>();
    long javaThreads = 0;
    for (Map.Entry<Long, Sample> e : after.entrySet()) {
      if (e.getKey() < 0) {
        continue;
      }
      Sample b = before.get(e.getKey());
      if (b == null) {
        continue;
      }
      long d = Math.max(0, e.getValue().nanos() - b.nanos());
      byGroup.merge(e.getValue().group(), d, Long::sum);
      javaThreads += d;
    }
    Sample tb = before.get(-1L);
    Sample ta = after.get(-1L);
    if (tb == null || ta == null) {
      return Map.of();
    }
    long total = Math.max(0, ta.nanos() - tb.nanos());
    Map<String, Long> out = new LinkedHashMap<>();
    byGroup.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    out.put(JVM, Math.max(0, total - javaThreads));
    out.put(TOTAL, total);
    return out;
  }

  /** A thread name with its digits as {@code #} and runs of them as one. */
  static String group(String name) {
    return name.replaceAll("[0-9]+", "#");
  }
}

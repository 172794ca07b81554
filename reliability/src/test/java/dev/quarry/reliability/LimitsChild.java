package dev.quarry.reliability;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Backoff;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The client side of {@link RealtimeLimitsTest}, run in a child JVM with a small heap so that what
 * a hostile peer makes the client hold shows up as heap, or as an {@link OutOfMemoryError}. It
 * prints {@code CHILD key=value} lines that the parent asserts on; it only uses the client's public
 * API (errors are reported by class name).
 *
 * <p>Scenarios: {@code hostile URL} connects to a {@link HostileWebSocketServer} and waits until
 * the client has given up after its reconnect attempts (or 40 s); {@code flood URL} connects to the
 * socket.io test server with a listener that blocks, prints {@code READY sid=...}, and waits for
 * the parent to write {@code MEASURE} on stdin, measures, then releases the listener and waits
 * (bounded) until what was queued has been delivered. Args: scenario, URL, events emitted.
 */
public final class LimitsChild {
  private LimitsChild() {}

  /** The event lane's bounds in the flood scenario. */
  static final int QUEUED_EVENTS = 10_000;

  static final long QUEUED_BYTES = 16L << 20;

  private static final List<String> errors = Collections.synchronizedList(new ArrayList<>());
  private static final List<String> events = Collections.synchronizedList(new ArrayList<>());
  private static final AtomicInteger ooms = new AtomicInteger();
  private static final AtomicLong dropped = new AtomicLong();
  private static final AtomicLong queuedAtOverflow = new AtomicLong(-1);

  public static void main(String[] args) throws Exception {
    Thread.setDefaultUncaughtExceptionHandler(
        (t, e) -> {
          if (e instanceof OutOfMemoryError) {
            ooms.incrementAndGet();
          }
          System.out.println("CHILD uncaught=" + t.getName() + ":" + e);
        });
    String scenario = args[0];
    URI uri = URI.create(args[1]);
    if (scenario.equals("hostile")) {
      hostile(uri);
    } else {
      flood(uri, args);
    }
    System.out.flush();
    System.exit(0);
  }

  private static RealtimeOptions.Builder options(URI uri) {
    return RealtimeOptions.builder(uri)
        .reconnectBackoff(Backoff.fixed(Duration.ofMillis(200)))
        .errorHandler(
            (context, e) -> {
              if (e instanceof OutOfMemoryError) {
                ooms.incrementAndGet();
              }
              errors.add(e.getClass().getSimpleName() + ": " + oneLine(e.getMessage()));
              try {
                Object n = e.getClass().getMethod("dropped").invoke(e);
                dropped.addAndGet(((Number) n).longValue());
                Object q = e.getClass().getMethod("queuedEvents").invoke(e);
                queuedAtOverflow.compareAndSet(-1, ((Number) q).longValue());
              } catch (ReflectiveOperationException notAnOverflow) {
                // another error
              }
            });
  }

  private static String oneLine(String s) {
    String t = String.valueOf(s).replace('\n', ' ');
    return t.length() > 200 ? t.substring(0, 200) : t;
  }

  private static void record(ConnectionEvent e) {
    String s = e.getClass().getSimpleName();
    if (e instanceof ConnectionEvent.Reconnecting r) {
      s +=
          " reason="
              + r.detail()
              + " cause="
              + r.cause().map(c -> c.getClass().getSimpleName()).orElse("-");
    } else if (e instanceof ConnectionEvent.Disconnected d) {
      s += " cause=" + d.cause().map(c -> c.getClass().getSimpleName()).orElse("-");
    } else if (e instanceof ConnectionEvent.Connected c) {
      s += " recovered=" + c.recovered();
    }
    events.add(s);
  }

  private static void hostile(URI uri) throws Exception {
    CountDownLatch gaveUp = new CountDownLatch(1);
    RealtimeClient client = RealtimeClient.create(options(uri).maxReconnectAttempts(2).build());
    client.onConnectionEvent(
        e -> {
          record(e);
          if (e instanceof ConnectionEvent.Disconnected) {
            gaveUp.countDown();
          }
        });
    client.onArgs("big", a -> events.add("delivered big"));
    long start = System.nanoTime();
    client.connect();
    boolean ended = gaveUp.await(40, TimeUnit.SECONDS);
    report("ended=" + ended, "elapsedMs=" + (System.nanoTime() - start) / 1_000_000);
    client.close();
  }

  private static void flood(URI uri, String[] args) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger delivered = new AtomicInteger();
    AtomicInteger duplicates = new AtomicInteger();
    java.util.BitSet seen = new java.util.BitSet();
    CountDownLatch connected = new CountDownLatch(1);
    String[] sid = {""};
    RealtimeClient client =
        RealtimeClient.create(options(uri).maxQueuedEvents(QUEUED_EVENTS, QUEUED_BYTES).build());
    client.onConnectionEvent(
        e -> {
          record(e);
          if (e instanceof ConnectionEvent.Connected c && connected.getCount() > 0) {
            sid[0] = c.sessionId();
            connected.countDown();
          }
          if (e instanceof ConnectionEvent.Reconnecting) {
            System.out.println("CHILD LOST");
          }
        });
    client.on(
        "tick",
        JsonNode.class,
        v -> {
          try {
            release.await();
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
          }
          int id = v.path("batch").asInt() * 1000 + v.path("seq").asInt();
          synchronized (seen) {
            if (seen.get(id)) {
              duplicates.incrementAndGet();
            }
            seen.set(id);
          }
          delivered.incrementAndGet();
        });
    client.connect();
    if (!connected.await(20, TimeUnit.SECONDS)) {
      report("ready=false");
      return;
    }
    System.out.println("CHILD READY sid=" + sid[0]);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line = in.readLine();
    report("command=" + line);
    release.countDown();
    // Once released, the listener gets what was queued, and (with recovery) what the server
    // replays after the reconnect: every event the parent emitted.
    long target = Long.parseLong(args[2]);
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> delivered.get() >= target);
    } catch (ConditionTimeoutException e) {
      System.out.println("CHILD deliveryTimedOut=true");
    }
    synchronized (seen) {
      System.out.println("CHILD unique=" + seen.cardinality());
    }
    System.out.println("CHILD duplicates=" + duplicates.get());
    synchronized (events) {
      for (String e : events) {
        System.out.println("CHILD eventAfter=" + e);
      }
    }
    System.out.println("CHILD delivered=" + delivered.get());
    client.close();
  }

  private static void report(String... extra) {
    long heap = heapAfterGc();
    for (String x : extra) {
      System.out.println("CHILD " + x);
    }
    System.out.println("CHILD heapAfterGcBytes=" + heap);
    System.out.println("CHILD maxHeapBytes=" + Runtime.getRuntime().maxMemory());
    System.out.println("CHILD ooms=" + ooms.get());
    System.out.println("CHILD dropped=" + dropped.get());
    synchronized (errors) {
      for (String e : errors) {
        System.out.println("CHILD error=" + e);
      }
    }
    synchronized (events) {
      for (String e : events) {
        System.out.println("CHILD event=" + e);
      }
    }
  }

  private static long heapAfterGc() {
    try {
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    } catch (OutOfMemoryError e) {
      ooms.incrementAndGet();
      return -1;
    }
  }
}

package dev.quarry.benchmarks.realtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.quarry.realtime.internal.Frame;
import dev.quarry.realtime.internal.PacketCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-event work of the realtime client's inbound stage against what the minimal client does on
 * its reader thread, for the replay suite's {@code 42["tick",{...}]} frames of {@code payload}
 * bytes (the payload object; the frame adds 11 bytes):
 *
 * <ul>
 *   <li>{@code decodeEvent}: the inbound stage's decoder ({@code newDecoder(..., true)}) on the
 *       frame: the Socket.IO header read and the event's array checked, strictly, to a {@link
 *       Frame.Event} (the arguments are bound later, on the event lane);
 *   <li>{@code minimalBind}: the minimal client's whole decode: the frame's characters after the
 *       {@code 42["tick",} prefix copied into a reused buffer and bound into a {@link TickRecord}
 *       by a prepared {@link ObjectReader} (nothing checked past the record).
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar EventDecodeBenchmark} (JMH's own
 * command line).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class EventDecodeBenchmark {
  private static final String PREFIX = "42[\"tick\",";

  @Param({"64", "1024"})
  public int payload;

  private String frame = "";
  private PacketCodec.Decoder decoder = new PacketCodec(new ObjectMapper()).newDecoder();
  private final ObjectReader tickReader = new ObjectMapper().readerFor(TickRecord.class);
  private char[] buffer = new char[4096];

  @Setup
  public void setUp() throws Exception {
    Map<String, Object> event = new LinkedHashMap<>(RealtimeHarness.payloadBase(payload));
    event.put("seq", 500);
    frame = PREFIX + new ObjectMapper().writeValueAsString(event) + "]";
    decoder = new PacketCodec(new ObjectMapper()).newDecoder(4 * 1024 * 1024, 10, true);
    if (!(decoder.decodeText(frame) instanceof Frame.Event)) {
      throw new IllegalStateException("not decoded as an event: " + frame);
    }
  }

  @Benchmark
  public Frame decodeEvent() {
    return decoder.decodeText(frame);
  }

  @Benchmark
  public TickRecord minimalBind() throws Exception {
    int from = PREFIX.length();
    int length = frame.length() - from;
    frame.getChars(from, frame.length(), buffer, 0);
    try (var parser = tickReader.createParser(buffer, 0, length)) {
      return tickReader.readValue(parser);
    }
  }
}

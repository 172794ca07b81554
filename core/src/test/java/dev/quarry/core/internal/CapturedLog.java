package dev.quarry.core.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What the tests' SLF4J provider (slf4j-simple, which writes to the current {@code System.err})
 * prints while a block runs. The loggers a test reads are set to DEBUG by this module's surefire
 * configuration ({@code dev.quarry.http}, {@code dev.quarry.test}); a line written by another
 * thread is captured if it is written before the block returns.
 */
public final class CapturedLog {
  /** A block that may throw. */
  public interface Block {
    void run() throws Exception;
  }

  private CapturedLog() {}

  /** Runs {@code block} with {@code System.err} captured and returns what was printed. */
  public static synchronized String during(Block block) throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      block.run();
    } finally {
      System.setErr(original);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}

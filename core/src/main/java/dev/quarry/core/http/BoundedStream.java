package dev.quarry.core.http;

import java.io.IOException;
import java.io.InputStream;
import okio.BufferedSource;
import org.jspecify.annotations.Nullable;

/**
 * The response body for Jackson: reads at most {@code limit + 1} bytes, then fails; remembers a
 * transport failure so that it is not mistaken for malformed JSON. {@code close()} leaves the
 * source to the response.
 */
final class BoundedStream extends InputStream {
  final long limit;
  private final BufferedSource source;
  private long count;
  @Nullable IOException transportFailure;

  BoundedStream(BufferedSource source, long limit) {
    this.source = source;
    this.limit = limit;
  }

  boolean overLimit() {
    return count > limit;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) == -1 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    checkLimit();
    int n;
    try {
      n = source.read(b, off, (int) Math.min(len, limit + 1 - count));
    } catch (IOException e) {
      transportFailure = e;
      throw e;
    }
    if (n > 0) {
      count += n;
      checkLimit();
    }
    return n;
  }

  /** Reads what is left after the JSON value, counting it against the limit. */
  void drain() throws IOException {
    try {
      while (!source.exhausted()) {
        long buffered = source.getBuffer().size();
        count += buffered;
        checkLimit();
        source.skip(buffered);
      }
    } catch (IOException e) {
      if (!overLimit()) {
        transportFailure = e;
      }
      throw e;
    }
  }

  private void checkLimit() throws IOException {
    if (overLimit()) {
      throw new IOException("body exceeds the limit of " + limit + " bytes");
    }
  }

  @Override
  public void close() {
    // The response closes the source.
  }
}

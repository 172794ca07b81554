package dev.quarry.realtime.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.io.Reader;
import org.jspecify.annotations.Nullable;

/**
 * A plain EVENT's array as the characters it arrived in (its name, its arguments, then possibly its
 * recovery offset), checked by the decoder: a range of the frame's own string, not a copy, read by
 * Jackson on the event lane through a {@link Reader} over that range (Jackson copies it into a
 * buffer from its recycler pool, one per thread by default). So an event waiting on the lane holds
 * its frame and nothing more: one byte per character for text in Latin-1 (all ASCII JSON), where a
 * {@code char[]} copy held two, and the inbound stage allocates no copy of the event.
 *
 * <p>Immutable (strings are) and so safe to hand to another thread through a queue. Equal to
 * another text of the same characters, wherever each lies in its frame; where the first argument
 * starts is a hint derived from them.
 */
public final class EventText {
  private final String source;
  private final int start;
  private final int end;
  private final int firstArgument;

  /**
   * @param source the frame the array is part of
   * @param start the index of the array's {@code [} in {@code source}
   * @param end the index after the array's last character
   * @param firstArgument the index of the first argument's first character, counted from {@code
   *     start}, if the check found it, else -1
   */
  EventText(String source, int start, int end, int firstArgument) {
    if (start < 0 || end > source.length() || start > end) {
      throw new IndexOutOfBoundsException(
          "range [" + start + ", " + end + ") of a string of " + source.length());
    }
    this.source = source;
    this.start = start;
    this.end = end;
    this.firstArgument = firstArgument;
  }

  /** The whole of {@code json}, with the first argument at {@code firstArgument} (or -1). */
  EventText(String json, int firstArgument) {
    this(json, 0, json.length(), firstArgument);
  }

  /** How many characters. */
  int length() {
    return end - start;
  }

  /** A parser over the whole array, made by {@code mapper}. */
  JsonParser parser(ObjectMapper mapper) throws IOException {
    return mapper.createParser(new Range(source, start, end));
  }

  /**
   * Binds the first argument with {@code reader}. A first argument that is an object, an array or a
   * string is read from where it starts, with nothing before it parsed again and nothing after it
   * read; any other (a number, say, which Jackson reads at the top level only when whitespace
   * follows) through the array from its start. The reader must not fail on trailing tokens.
   */
  @Nullable Object bindFirst(ObjectReader reader) throws IOException {
    int from = firstArgument;
    if (from > 0) {
      char c = source.charAt(start + from);
      if (c == '{' || c == '[' || c == '"') {
        try (JsonParser p = reader.createParser(new Range(source, start + from, end))) {
          return reader.readValue(p);
        }
      }
    }
    try (JsonParser p = reader.createParser(new Range(source, start, end))) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IllegalArgumentException("the event is not a JSON array");
      }
      p.nextToken(); // the name: a string or a number
      p.nextToken(); // the first token of the first argument
      return reader.readValue(p);
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof EventText t
        && t.length() == length()
        && source.regionMatches(start, t.source, t.start, length());
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (int i = start; i < end; i++) {
      h = 31 * h + source.charAt(i);
    }
    return h;
  }

  /** The characters as a string. */
  @Override
  public String toString() {
    return source.substring(start, end);
  }

  /**
   * A range of a string as a {@link Reader}, for one parser on one thread: no lock, no copy but the
   * one into the reader's buffer.
   */
  private static final class Range extends Reader {
    private final String source;
    private int next;
    private final int end;

    Range(String source, int start, int end) {
      this.source = source;
      this.next = start;
      this.end = end;
    }

    @Override
    public int read(char[] buffer, int offset, int length) {
      if (length == 0) {
        return 0;
      }
      int n = Math.min(length, end - next);
      if (n <= 0) {
        return -1;
      }
      source.getChars(next, next + n, buffer, offset);
      next += n;
      return n;
    }

    @Override
    public int read() {
      return next < end ? source.charAt(next++) : -1;
    }

    @Override
    public void close() {
      next = end;
    }

    @Override
    public String toString() {
      return "event text";
    }
  }
}

package dev.quarry.realtime.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A plain EVENT's array as the characters it arrived in (its name, its arguments, then possibly its
 * recovery offset), checked by the decoder: copied out of the frame once, on the inbound stage, and
 * read by Jackson in place (a parser over a {@code char[]} does not copy it) on the event lane.
 *
 * <p>Immutable after construction (the array is never written once the decoder has checked it) and
 * so safe to hand to another thread through a queue. Equal to another text of the same characters;
 * where the first argument starts is a hint derived from them.
 */
public final class EventText {
  private final char[] chars;
  private final int firstArgument;

  /**
   * @param chars the array's characters, owned by this text from now on
   * @param firstArgument the index of the first argument's first character if the check found it,
   *     else -1
   */
  EventText(char[] chars, int firstArgument) {
    this.chars = chars;
    this.firstArgument = firstArgument;
  }

  /** How many characters. */
  int length() {
    return chars.length;
  }

  /** A parser over the whole array, made by {@code mapper}. */
  JsonParser parser(ObjectMapper mapper) throws IOException {
    return mapper.createParser(chars, 0, chars.length);
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
      char c = chars[from];
      if (c == '{' || c == '[' || c == '"') {
        try (JsonParser p = reader.createParser(chars, from, chars.length - from)) {
          return reader.readValue(p);
        }
      }
    }
    try (JsonParser p = reader.createParser(chars, 0, chars.length)) {
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
    return o instanceof EventText t && Arrays.equals(chars, t.chars);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(chars);
  }

  /** The characters as a string. */
  @Override
  public String toString() {
    return new String(chars);
  }
}

package dev.quarry.realtime.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.MappingJsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jspecify.annotations.Nullable;

/**
 * The quick check of a plain EVENT's array: one pass over its characters that accepts only what is
 * plainly well-formed JSON within the mapper's limits, and leaves everything else to the decoder's
 * Jackson check. It never refuses: an array it does not accept (malformed, or merely unusual: an
 * escaped name or last string, a number as the name, a token near a limit, leading whitespace) is
 * read again by Jackson, which accepts or refuses it and writes the error. So whatever it accepts,
 * Jackson accepts too, with the same name, number of arguments and last string.
 *
 * <p>What it accepts: strict RFC 8259 JSON (no comments, no single quotes, no unquoted names, no
 * trailing commas, no leading zeros, no NaN; whitespace only space, tab, CR and LF; escapes only
 * the eight of the RFC and {@code \}{@code uXXXX}; no raw control characters in strings), an array
 * of a string name of at most {@link PacketCodec#MAX_EVENT_NAME_LENGTH} characters without escapes
 * and then the arguments, nested at most {@value #MAX_DEPTH} deep, and optionally whitespace after
 * the closing bracket. Lenient Jackson features only widen what Jackson accepts, so they do not
 * matter; a mapper that refuses more than strict JSON (duplicate names, a document or token limit,
 * a factory that is not plain JSON or decorates its input) gets no quick check at all ({@link
 * #forMapper}).
 *
 * <p>Immutable and thread-safe (its {@link Names} are not: one per decoder); {@link #scan}
 * allocates only the result, the last string and a name it has not seen recently.
 */
final class EventScanner {
  /** The deepest nesting the quick check follows (the event's array is depth 1). */
  static final int MAX_DEPTH = 63;

  /** What the quick check found in an array it accepted. */
  record Result(String name, int args, int firstArgument, @Nullable String lastString) {}

  private final int maxDepth;
  private final int maxNumberLength;
  private final int maxStringLength;
  private final int maxNameLength;

  private EventScanner(StreamReadConstraints limits) {
    // One below each limit: whatever Jackson counts, a token the quick check accepts is within it.
    this.maxDepth = Math.min(MAX_DEPTH, limits.getMaxNestingDepth() - 1);
    this.maxNumberLength = limits.getMaxNumberLength() - 1;
    this.maxStringLength = limits.getMaxStringLength() - 1;
    this.maxNameLength = limits.getMaxNameLength() - 1;
  }

  /**
   * The quick check for arrays that {@code mapper} will read, or null if the mapper may refuse
   * arrays that strict JSON allows (then every array goes to Jackson).
   */
  static @Nullable EventScanner forMapper(ObjectMapper mapper) {
    JsonFactory f = mapper.getFactory();
    Class<?> type = f.getClass();
    boolean plainJson =
        (type == JsonFactory.class || type == MappingJsonFactory.class)
            && f.getInputDecorator() == null
            && f.canUseCharArrays()
            && !f.isEnabled(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    if (!plainJson) {
      return null;
    }
    StreamReadConstraints limits = f.streamReadConstraints();
    if (limits.getMaxDocumentLength() > 0 || limits.getMaxTokenCount() > 0) {
      return null;
    }
    return new EventScanner(limits);
  }

  /**
   * The names of recent events, so that a stream of events of a few names makes no string per event
   * (and each name's hash is computed once): 16 entries, each name at most {@link
   * PacketCodec#MAX_EVENT_NAME_LENGTH} characters, the slot chosen by length and the first and last
   * characters. Not thread-safe: one per decoder.
   */
  static final class Names {
    private final String[] slots = new String[16];

    /** The name in {@code c[start, end)}: a recent one if it has these characters, else new. */
    String name(char[] c, int start, int end) {
      int n = end - start;
      if (n == 0) {
        return "";
      }
      int slot = (n * 31 + c[start] * 7 + c[end - 1]) & (slots.length - 1);
      String known = slots[slot];
      if (known != null && known.length() == n) {
        int k = 0;
        while (k < n && known.charAt(k) == c[start + k]) {
          k++;
        }
        if (k == n) {
          return known;
        }
      }
      String name = new String(c, start, n);
      slots[slot] = name;
      return name;
    }
  }

  /**
   * Checks {@code c[from, to)}, an event's array; its name (from {@code names} if it is a recent
   * one), argument count, the offset of its first argument ({@code -1} if none) and its last
   * string, or null if Jackson must decide.
   */
  @Nullable Result scan(char[] c, int from, int to, Names names) {
    int i = from;
    if (i >= to || c[i] != '[') {
      return null;
    }
    i = skipSpace(c, i + 1, to);
    if (i >= to || c[i] != '"') {
      return null;
    }
    int nameStart = i + 1;
    int nameEnd = string(c, nameStart, to, maxStringLength);
    if (nameEnd < 0 || nameEnd - nameStart > PacketCodec.MAX_EVENT_NAME_LENGTH) {
      // escaped (a negative end) or too long: Jackson reads it or writes the error
      return null;
    }
    i = skipSpace(c, nameEnd + 1, to);
    int args = 0;
    int firstArgument = -1;
    int lastStart = -1;
    int lastEnd = -1;
    while (true) {
      if (i >= to) {
        return null;
      }
      char ch = c[i];
      if (ch == ']') {
        break;
      }
      if (ch != ',') {
        return null;
      }
      i = skipSpace(c, i + 1, to);
      if (i >= to) {
        return null;
      }
      args++;
      if (firstArgument < 0) {
        firstArgument = i;
      }
      if (c[i] == '"') {
        int end = string(c, i + 1, to, maxStringLength);
        if (end == -1) {
          return null;
        }
        // an escaped last string is left to Jackson, which unescapes it
        lastStart = end < 0 ? -2 : i + 1;
        lastEnd = end < 0 ? -2 : end;
        i = skipSpace(c, Math.abs(end) + 1, to);
      } else {
        lastStart = -1;
        i = value(c, i, to);
        if (i < 0) {
          return null;
        }
        i = skipSpace(c, i, to);
      }
    }
    if (lastStart == -2 || skipSpace(c, i + 1, to) != to) {
      return null;
    }
    String name = names.name(c, nameStart, nameEnd);
    String last = lastStart < 0 ? null : new String(c, lastStart, lastEnd - lastStart);
    return new Result(name, args, firstArgument, last);
  }

  /**
   * Reads one value that starts at {@code c[i]} (not a top-level string: those are read by the
   * caller), returning the index after it, or -1 if Jackson must decide. Containers are followed
   * with a bit per level (1 for an object) instead of recursion.
   */
  private int value(char[] c, int i, int to) {
    // bit d set: the container at depth d (2 is the first below the event) is an object
    long objects = 0;
    int depth = 1;
    while (true) {
      // at the start of a value
      if (i >= to) {
        return -1;
      }
      char ch = c[i];
      boolean closedAtOnce = false;
      if (ch == '{' || ch == '[') {
        if (++depth > maxDepth) {
          return -1;
        }
        boolean object = ch == '{';
        objects = object ? objects | (1L << depth) : objects & ~(1L << depth);
        i = skipSpace(c, i + 1, to);
        if (i >= to) {
          return -1;
        }
        if (c[i] == (object ? '}' : ']')) {
          depth--;
          i++;
          closedAtOnce = true;
        } else if (object) {
          i = member(c, i, to);
          if (i < 0) {
            return -1;
          }
          continue;
        } else {
          continue;
        }
      }
      if (!closedAtOnce) {
        i = scalar(c, i, to);
        if (i < 0) {
          return -1;
        }
      }
      // after a value: close containers, or go on to the next element or member
      while (true) {
        if (depth == 1) {
          return i;
        }
        i = skipSpace(c, i, to);
        if (i >= to) {
          return -1;
        }
        boolean object = (objects & (1L << depth)) != 0;
        ch = c[i];
        if (ch == (object ? '}' : ']')) {
          depth--;
          i++;
        } else if (ch == ',') {
          i = skipSpace(c, i + 1, to);
          if (object) {
            i = member(c, i, to);
            if (i < 0) {
              return -1;
            }
          }
          break;
        } else {
          return -1;
        }
      }
    }
  }

  /**
   * Reads an object member's name and colon at {@code c[i]}, returning the index of its value, or
   * -1.
   */
  private int member(char[] c, int i, int to) {
    if (i >= to || c[i] != '"') {
      return -1;
    }
    int end = string(c, i + 1, to, maxNameLength);
    if (end == -1) {
      return -1;
    }
    i = skipSpace(c, Math.abs(end) + 1, to);
    if (i >= to || c[i] != ':') {
      return -1;
    }
    return skipSpace(c, i + 1, to);
  }

  /** A string, number or literal at {@code c[i]}: the index after it, or -1. */
  private int scalar(char[] c, int i, int to) {
    char ch = c[i];
    int end;
    if (ch == '"') {
      end = string(c, i + 1, to, maxStringLength);
      return end == -1 ? -1 : Math.abs(end) + 1;
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
      end = number(c, i, to);
    } else if (ch == 't') {
      end = literal(c, i, to, "true");
    } else if (ch == 'f') {
      end = literal(c, i, to, "false");
    } else if (ch == 'n') {
      end = literal(c, i, to, "null");
    } else {
      return -1;
    }
    // a number or literal must end at a separator (Jackson refuses "1x" and "truex")
    if (end < 0 || (end < to && !endsToken(c[end]))) {
      return -1;
    }
    return end;
  }

  /**
   * Reads the rest of a string whose opening quote is before {@code c[i]}: the index of its closing
   * quote, negated if the string has escapes (a closing quote is never at index 1 of an array, so
   * -1 is free), or -1 if Jackson must decide (an unknown escape, a raw control character, no
   * closing quote, more than {@code max} characters).
   */
  private static int string(char[] c, int i, int to, int max) {
    int start = i;
    boolean escaped = false;
    while (i < to) {
      char ch = c[i];
      if (ch > '\\' || (ch >= 0x20 && ch != '"' && ch != '\\')) {
        i++; // the common case first: a character that neither ends nor escapes
        continue;
      }
      if (ch == '"') {
        if (i - start > max) {
          return -1;
        }
        return escaped ? -i : i;
      }
      if (ch == '\\') {
        escaped = true;
        if (i + 1 >= to) {
          return -1;
        }
        char e = c[i + 1];
        if (e == 'u') {
          if (i + 5 >= to || !hex(c[i + 2]) || !hex(c[i + 3]) || !hex(c[i + 4]) || !hex(c[i + 5])) {
            return -1;
          }
          i += 6;
          continue;
        }
        if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r'
            && e != 't') {
          return -1;
        }
        i += 2;
        continue;
      }
      if (ch < 0x20) {
        return -1;
      }
      i++;
    }
    return -1;
  }

  /** A number at {@code c[i]} in the RFC's grammar: the index after it, or -1. */
  private int number(char[] c, int i, int to) {
    int start = i;
    if (c[i] == '-') {
      i++;
    }
    if (i >= to) {
      return -1;
    }
    if (c[i] == '0') {
      i++;
    } else if (c[i] >= '1' && c[i] <= '9') {
      i = digits(c, i, to);
    } else {
      return -1;
    }
    if (i < to && c[i] == '.') {
      int d = digits(c, i + 1, to);
      if (d == i + 1) {
        return -1;
      }
      i = d;
    }
    if (i < to && (c[i] == 'e' || c[i] == 'E')) {
      i++;
      if (i < to && (c[i] == '+' || c[i] == '-')) {
        i++;
      }
      int d = digits(c, i, to);
      if (d == i) {
        return -1;
      }
      i = d;
    }
    return i - start > maxNumberLength ? -1 : i;
  }

  private static int digits(char[] c, int i, int to) {
    while (i < to && c[i] >= '0' && c[i] <= '9') {
      i++;
    }
    return i;
  }

  private static int literal(char[] c, int i, int to, String word) {
    int n = word.length();
    if (i + n > to) {
      return -1;
    }
    for (int k = 0; k < n; k++) {
      if (c[i + k] != word.charAt(k)) {
        return -1;
      }
    }
    return i + n;
  }

  private static boolean endsToken(char ch) {
    return ch == ','
        || ch == ']'
        || ch == '}'
        || ch == ' '
        || ch == '\n'
        || ch == '\r'
        || ch == '\t';
  }

  private static int skipSpace(char[] c, int i, int to) {
    while (i < to) {
      char ch = c[i];
      if (ch != ' ' && ch != '\n' && ch != '\r' && ch != '\t') {
        return i;
      }
      i++;
    }
    return i;
  }

  private static boolean hex(char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
  }
}

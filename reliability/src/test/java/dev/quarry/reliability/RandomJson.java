package dev.quarry.reliability;

import java.util.Random;

/** Seeded random JSON text and mutations of text, for fuzzing decoders. */
final class RandomJson {
  private static final String[] STRINGS = {
    "", "a", "executionId", "e1", "_placeholder", "num", "sid", "pid", "message", "ünï", "\\\"",
    "\\n", "\\u0000", "\\ud800", "\\uDC00x", "😀", "[", "{", "-", "/admin,", "42", "null"
  };
  private static final String[] NUMBERS = {
    "0",
    "-0",
    "1",
    "-1",
    "12",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "1e308",
    "1e309",
    "-1e-400",
    "0.5",
    "1.0",
    "3.14159",
    "1E5",
    "123456789012345678901234567890",
    "00",
    "01",
    "1.",
    ".5",
    "-",
    "+1",
    "NaN",
    "Infinity"
  };
  private static final String[] TOKENS = {
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "\"",
    "\\",
    "-",
    "/",
    "0",
    "1",
    "9",
    "null",
    "true",
    "false",
    "{\"_placeholder\":true,\"num\":",
    "\u0000",
    "\uD800",
    "\uFFFF",
    " ",
    "\n",
    "é",
    "😀"
  };

  private final Random random;

  RandomJson(Random random) {
    this.random = random;
  }

  Random random() {
    return random;
  }

  /** A random JSON value of at most {@code depth} nesting levels (mostly valid JSON). */
  String value(int depth) {
    int k = random.nextInt(depth > 0 ? 9 : 5);
    switch (k) {
      case 0:
        return "null";
      case 1:
        return random.nextBoolean() ? "true" : "false";
      case 2:
        return random.nextInt(4) == 0
            ? NUMBERS[random.nextInt(NUMBERS.length)]
            : Long.toString(random.nextLong() >> random.nextInt(64));
      case 3:
      case 4:
        return string();
      case 5:
      case 6:
        return array(depth - 1, random.nextInt(5));
      default:
        return object(depth - 1, random.nextInt(5));
    }
  }

  String string() {
    if (random.nextInt(3) == 0) {
      return "\"" + STRINGS[random.nextInt(STRINGS.length)] + "\"";
    }
    StringBuilder sb = new StringBuilder("\"");
    int n = random.nextInt(12);
    for (int i = 0; i < n; i++) {
      char c =
          (char)
              (random.nextInt(5) == 0 ? 0x80 + random.nextInt(0x3000) : 'a' + random.nextInt(26));
      sb.append(c);
    }
    return sb.append('"').toString();
  }

  String array(int depth, int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(value(depth));
    }
    return sb.append(']').toString();
  }

  String object(int depth, int n) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(string()).append(':').append(value(depth));
    }
    return sb.append('}').toString();
  }

  /** {@code text} with one to four random mutations. */
  String mutate(String text) {
    String s = text;
    int rounds = 1 + random.nextInt(4);
    for (int r = 0; r < rounds; r++) {
      s = mutateOnce(s);
    }
    return s;
  }

  private String mutateOnce(String s) {
    int n = s.length();
    int at = n == 0 ? 0 : random.nextInt(n + 1);
    switch (random.nextInt(10)) {
      case 0: // truncate
        return s.substring(0, Math.min(at, n));
      case 1: // delete a range
        if (n == 0) {
          return s;
        }
        int end = Math.min(n, at + 1 + random.nextInt(8));
        return s.substring(0, Math.min(at, n)) + s.substring(end);
      case 2: // insert a token
        return s.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)] + s.substring(at);
      case 3: // replace a char by a random char
        if (at >= n) {
          return s + (char) random.nextInt(0x10000);
        }
        return s.substring(0, at) + (char) random.nextInt(0x10000) + s.substring(at + 1);
      case 4: // flip a low bit of a char
        if (at >= n) {
          return s;
        }
        return s.substring(0, at)
            + (char) (s.charAt(at) ^ (1 << random.nextInt(7)))
            + s.substring(at + 1);
      case 5: // duplicate a range
        if (n == 0) {
          return s;
        }
        int e2 = Math.min(n, at + 1 + random.nextInt(16));
        return s.substring(0, e2) + s.substring(Math.min(at, n), e2) + s.substring(e2);
      case 6: // a number somewhere
        return s.substring(0, at) + NUMBERS[random.nextInt(NUMBERS.length)] + s.substring(at);
      case 7: // deep nesting
        int depth = 1 + random.nextInt(random.nextInt(8) == 0 ? 3000 : 40);
        return s.substring(0, at) + "[".repeat(depth) + s.substring(at);
      case 8: // swap two chars
        if (n < 2) {
          return s;
        }
        int a = random.nextInt(n);
        int b = random.nextInt(n);
        char[] cs = s.toCharArray();
        char t = cs[a];
        cs[a] = cs[b];
        cs[b] = t;
        return new String(cs);
      default: // a random value spliced in
        return s.substring(0, at) + value(2) + s.substring(at);
    }
  }
}

package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The quick check of an event's array ({@link EventScanner}) accepts plain, well-formed events and
 * leaves everything else to Jackson; whatever it accepts, Jackson's tree decoder accepts too, with
 * the same name, argument count and last string, and its first argument binds to the same value.
 */
class EventScannerTest {
  private final ObjectMapper mapper = new ObjectMapper();
  private final EventScanner scanner = scannerFor(mapper);
  private final PacketCodec.Decoder tree = new PacketCodec(mapper).newDecoder(1 << 20, 10, false);
  private final ObjectReader nodes = mapper.readerFor(JsonNode.class);

  private static EventScanner scannerFor(ObjectMapper m) {
    EventScanner s = EventScanner.forMapper(m);
    assertThat(s).as("a quick check for %s", m.getFactory()).isNotNull();
    return s;
  }

  private EventScanner.Result scan(EventScanner s, String json) {
    return s.scan(json.toCharArray(), 0, json.length(), new EventScanner.Names());
  }

  @Test
  void plainEvents_areAccepted_withTheirNameArgumentsFirstArgumentAndLastString() {
    assertThat(scan(scanner, "[\"tick\",{\"bench\":\"flood\",\"seq\":500}]"))
        .isEqualTo(new EventScanner.Result("tick", 1, 8, null));
    assertThat(scan(scanner, "[\"e\"]")).isEqualTo(new EventScanner.Result("e", 0, -1, null));
    assertThat(scan(scanner, "[ \"e\" ,\t1 , \"off\" ]\r\n"))
        .isEqualTo(new EventScanner.Result("e", 2, 8, "off"));
    assertThat(scan(scanner, "[\"e\",\"a\\\"b\",2]"))
        .as("an escaped string that is not the last")
        .isEqualTo(new EventScanner.Result("e", 2, 5, null));
    assertThat(
            scan(
                scanner,
                "[\"e\",-0,1.5e-3,2E+2,true,false,null,[],{},[[1],{\"k\":[{}]}],\"\\u00e9\\n\","
                    + "{\"a\":1,\"a\":2},\"x\"]"))
        .isEqualTo(new EventScanner.Result("e", 12, 5, "x"));
  }

  @Test
  void aRecentName_isTheSameString_andADifferentNameOfTheSameShapeIsNot() {
    EventScanner.Names names = new EventScanner.Names();
    char[] tick = "[\"tick\",1]".toCharArray();
    char[] tack = "[\"tack\",1]".toCharArray();
    char[] tuck = "[\"tuck\"]".toCharArray();

    String first = scanner.scan(tick, 0, tick.length, names).name();
    String again = scanner.scan(tick.clone(), 0, tick.length, names).name();
    String other = scanner.scan(tack, 0, tack.length, names).name();
    String third = scanner.scan(tuck, 0, tuck.length, names).name();

    assertThat(again).isEqualTo("tick").isSameAs(first);
    assertThat(other).isEqualTo("tack");
    assertThat(third).isEqualTo("tuck");
    assertThat(scanner.scan(tack, 0, tack.length, names).name()).isEqualTo("tack");
    assertThat(scanner.scan("[\"\"]".toCharArray(), 0, 4, names).name()).isEmpty();
  }

  @Test
  void unusualOrMalformedArrays_areLeftToJackson() {
    List<String> left =
        List.of(
            " [\"e\"]", // leading whitespace
            "[7,1]", // a number as the name
            "[\"\\u0065\"]", // an escaped name
            "[\"e\",\"a\\nb\"]", // an escaped last string (Jackson unescapes it)
            "[\"" + "e".repeat(PacketCodec.MAX_EVENT_NAME_LENGTH + 1) + "\"]",
            "[\"e\","
                + "[".repeat(EventScanner.MAX_DEPTH)
                + "]".repeat(EventScanner.MAX_DEPTH)
                + "]",
            "[\"e\",NaN]",
            "[\"e\",/*c*/1]",
            "['e']",
            "[\"e\",1,]",
            "[\"e\",{\"a\":1,}]",
            "[\"e\",{a:1}]",
            "[\"e\",01]",
            "[\"e\",1.]",
            "[\"e\",.5]",
            "[\"e\",1e]",
            "[\"e\",-]",
            "[\"e\",+1]",
            "[\"e\",1x]",
            "[\"e\",truex]",
            "[\"e\",tru]",
            "[\"e\",\"tab\there\"]",
            "[\"e\",\"\\q\"]",
            "[\"e\",\"\\u12G4\"]",
            "[\"e\",\"open]",
            "[\"e\"",
            "[\"e\",{\"a\"}]",
            "[\"e\",[}]",
            "[\"e\",{]",
            "[\"e\"] x",
            "[\"e\"]]",
            "[\"e\",\u00a0 1]",
            "[\"e\"\u000b]",
            "{\"e\":1}",
            "[]");
    for (String json : left) {
      assertThat(scan(scanner, json)).as(json).isNull();
    }
  }

  @Test
  void theMappersLimits_areKept_orTheMapperGetsNoQuickCheck() {
    StreamReadConstraints small =
        StreamReadConstraints.builder()
            .maxNumberLength(5)
            .maxStringLength(8)
            .maxNameLength(3)
            .maxNestingDepth(4)
            .build();
    JsonFactory f = JsonFactory.builder().streamReadConstraints(small).build();
    EventScanner limited = scannerFor(new ObjectMapper(f));
    // a token one below a limit is accepted; at the limit, Jackson decides (it counts differently
    // from token to token)
    assertThat(scan(limited, "[\"e\",1234,\"abcdefg\",{\"ab\":[1]}]")).isNotNull();
    assertThat(scan(limited, "[\"e\",12345]")).as("number length").isNull();
    assertThat(scan(limited, "[\"e\",\"abcdefgh\"]")).as("string length").isNull();
    assertThat(scan(limited, "[\"e\",{\"abc\":1}]")).as("name length").isNull();
    assertThat(scan(limited, "[\"e\",[[[1]]]]")).as("nesting").isNull();

    assertThat(
            EventScanner.forMapper(
                JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()))
        .as("duplicate names refused")
        .isNull();
    assertThat(
            EventScanner.forMapper(
                limitedTo(StreamReadConstraints.builder().maxDocumentLength(1_000))))
        .as("a document limit")
        .isNull();
    assertThat(
            EventScanner.forMapper(limitedTo(StreamReadConstraints.builder().maxTokenCount(1_000))))
        .as("a token limit")
        .isNull();
    assertThat(EventScanner.forMapper(JsonMapper.builder().build())).isNotNull();
  }

  private static ObjectMapper limitedTo(StreamReadConstraints.Builder limits) {
    return new ObjectMapper(JsonFactory.builder().streamReadConstraints(limits.build()).build());
  }

  /**
   * Generated events, valid and then mutated at random: everything the quick check accepts, the
   * tree decoder accepts with the same reading; and it accepts every generated event whose name and
   * last string have no escapes (so it cannot pass by accepting nothing).
   */
  @Test
  void generatedAndMutatedEvents_whateverTheQuickCheckAccepts_theTreeDecoderReadsTheSame()
      throws Exception {
    Random random = new Random(20261207);
    int accepted = 0;
    int mutatedAccepted = 0;
    int mutatedRefusedByJackson = 0;
    for (int n = 0; n < 20_000; n++) {
      String json = event(random);
      EventScanner.Result r = scan(scanner, json);
      Packet p = treeRead(json);
      assertThat(p).as("a generated event is valid JSON: %s", json).isNotNull();
      boolean plain = !json.contains("\\u0074ick") && !lastIsEscapedString(p.data());
      if (plain) {
        assertThat(r).as("a plain event is accepted: %s", json).isNotNull();
      }
      if (r != null) {
        accepted++;
        assertSameReading(json, r, p);
      }
      String mutated = mutate(random, json);
      EventScanner.Result m = scan(scanner, mutated);
      Packet q = treeRead(mutated);
      if (q == null) {
        mutatedRefusedByJackson++;
        assertThat(m).as("refused by Jackson, so not accepted: %s", mutated).isNull();
      } else if (m != null) {
        mutatedAccepted++;
        assertSameReading(mutated, m, q);
      }
    }
    assertThat(accepted).isGreaterThan(15_000);
    assertThat(mutatedAccepted).isGreaterThan(1_000);
    assertThat(mutatedRefusedByJackson).isGreaterThan(5_000);
  }

  private void assertSameReading(String json, EventScanner.Result r, Packet p) throws Exception {
    JsonNode data = p.data();
    assertThat(r.name()).as(json).isEqualTo(data.get(0).asText());
    assertThat(r.args()).as(json).isEqualTo(data.size() - 1);
    JsonNode last = data.size() > 1 ? data.get(data.size() - 1) : null;
    assertThat(r.lastString())
        .as(json)
        .isEqualTo(last != null && last.isTextual() ? last.textValue() : null);
    if (data.size() > 1) {
      EventText text = new EventText(json, r.firstArgument());
      Object first = text.bindFirst(nodes);
      assertThat(first == null ? mapper.nullNode() : first).as(json).isEqualTo(data.get(1));
    } else {
      assertThat(r.firstArgument()).isEqualTo(-1);
    }
  }

  private static boolean lastIsEscapedString(JsonNode data) {
    // the generator's escapes write a quote, a backslash, a newline or an e acute, nothing else
    // does
    JsonNode last = data.get(data.size() - 1);
    return data.size() > 1
        && last.isTextual()
        && last.textValue().matches("(?s).*[\"\\\\\n\u00e9].*");
  }

  private Packet treeRead(String json) {
    try {
      Frame f = tree.decodeText("42" + json);
      return f instanceof Frame.Message m ? m.packet() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String event(Random r) {
    StringBuilder sb = new StringBuilder("[");
    space(r, sb);
    if (r.nextInt(20) == 0) {
      sb.append("\"\\u0074ick\"");
    } else {
      sb.append('"').append(r.nextBoolean() ? "tick" : "e" + r.nextInt(100)).append('"');
    }
    int args = r.nextInt(4);
    for (int i = 0; i < args; i++) {
      space(r, sb);
      sb.append(',');
      space(r, sb);
      value(r, sb, 0);
    }
    space(r, sb);
    sb.append(']');
    return sb.toString();
  }

  private static void value(Random r, StringBuilder sb, int depth) {
    int kind = r.nextInt(depth < 4 ? 9 : 7);
    switch (kind) {
      case 0 -> sb.append(r.nextBoolean() ? "true" : "false");
      case 1 -> sb.append("null");
      case 2 ->
          sb.append(
              List.of("0", "-0", "12", "-7", "3.25", "1e9", "-2.5E-3", "6E+2").get(r.nextInt(8)));
      case 3, 4, 5, 6 -> string(r, sb);
      case 7 -> elements(r, sb, '[', ']', () -> value(r, sb, depth + 1));
      default ->
          elements(
              r,
              sb,
              '{',
              '}',
              () -> {
                string(r, sb);
                space(r, sb);
                sb.append(':');
                space(r, sb);
                value(r, sb, depth + 1);
              });
    }
  }

  /** Up to three elements between {@code open} and {@code close}, comma-separated, spaced. */
  private static void elements(
      Random r, StringBuilder sb, char open, char close, Runnable element) {
    sb.append(open);
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      space(r, sb);
      element.run();
      space(r, sb);
    }
    sb.append(close);
  }

  private static void string(Random r, StringBuilder sb) {
    List<String> pieces =
        List.of(
            "a", "seq", "flood", " ", "\\\"", "\\\\", "\\n", "\\u00e9", "\u00fc", "]", ",", "{");
    sb.append('"');
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      sb.append(pieces.get(r.nextInt(pieces.size())));
    }
    sb.append('"');
  }

  private static void space(Random r, StringBuilder sb) {
    if (r.nextInt(4) == 0) {
      sb.append(" \t\n\r".charAt(r.nextInt(4)));
    }
  }

  private static String mutate(Random r, String json) {
    String alphabet = "[]{}\",:\\ 0123456789-+.eEtrufalsn\t\n\u0001\u00e9/#'x";
    StringBuilder sb = new StringBuilder(json);
    int edits = 1 + r.nextInt(2);
    for (int k = 0; k < edits && sb.length() > 0; k++) {
      int at = r.nextInt(sb.length());
      char c = alphabet.charAt(r.nextInt(alphabet.length()));
      switch (r.nextInt(3)) {
        case 0 -> sb.insert(at, c);
        case 1 -> sb.deleteCharAt(at);
        default -> sb.setCharAt(at, c);
      }
    }
    return sb.toString();
  }
}

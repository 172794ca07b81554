package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.realtime.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection's decoder reads a plain EVENT through without building its tree ({@link
 * Frame.Event}): it accepts and refuses exactly the frames the tree decoder does, and what it
 * yields (name, arguments, ack id, namespace) is what the tree says.
 */
class EventTextDecodingTest {
  private final ObjectMapper mapper = new ObjectMapper();
  private final PacketCodec codec = new PacketCodec(mapper);

  private PacketCodec.Decoder textDecoder() {
    return codec.newDecoder(1 << 20, 10, true);
  }

  private PacketCodec.Decoder treeDecoder() {
    return codec.newDecoder(1 << 20, 10, false);
  }

  @Test
  void plainEvent_isAnEventFrame_withItsNamespaceIdNameArgumentsAndLastString() {
    Frame f = textDecoder().decodeText("42/admin,7[\"foo\",{\"a\":[1,{\"b\":\"]\"}]},\"off-1\"]");

    assertThat(f)
        .isEqualTo(
            new Frame.Event(
                "/admin",
                7,
                "foo",
                new EventText("[\"foo\",{\"a\":[1,{\"b\":\"]\"}]},\"off-1\"]", -1),
                2,
                "off-1"));
  }

  @Test
  void binaryEventsAcksAndConnectReplies_stayMessages() {
    PacketCodec.Decoder d = textDecoder();
    assertThat(d.decodeText("431[\"ok\"]")).isInstanceOf(Frame.Message.class);
    assertThat(d.decodeText("40{\"sid\":\"s\"}")).isInstanceOf(Frame.Message.class);
    assertThat(d.decodeText("451-[\"f\",{\"_placeholder\":true,\"num\":0}]"))
        .isEqualTo(new Frame.Partial(1));
    assertThat(d.decodeBinary(new byte[] {1})).isInstanceOf(Frame.Message.class);
  }

  @Test
  void everyFrame_isAcceptedOrRefusedAsTheTreeDecoderDoes_andReadsTheSame() throws Exception {
    List<String> frames =
        List.of(
            // accepted
            "42[\"e\"]",
            "42[\"e\",1,2.5,true,null,\"s\",[1,[2]],{\"k\":{\"n\":[]}}]",
            "42[ \"e\" , \"a\\\"]\\\\,[\" ]",
            "42[7,\"numbered\"]",
            "42[1.5e0]",
            "42[123456789012345678901234567890]",
            "42[\"e\",{\"a\":1,\"a\":2}]",
            "42[\"e\"]  ",
            "42[\"\\u00e9v\\u00e9nement\",\"\\ud83d\\ude00\"]",
            // characters other than ASCII, raw: in the name, the arguments, the namespace
            "42[\"\u00e9t\u00e9\",{\"\u20ac\":\"\ud83d\ude00\"},\"\u00fc\"]",
            "42/caf\u00e9,3[\"e\",{\"a\":\"\u4e2d\u6587\"},2]",
            "42/\u00e9,[\"\\u00e9\",\"\u00e9\"]",
            "42/\u00e9,[\"e\",7]",
            // refused: not an event's array
            "42{}",
            "42[]",
            "42[{}]",
            "42[null]",
            "42[true,1]",
            "42[[\"e\"]]",
            "42\"e\"",
            "42 ",
            // refused: not JSON
            "42[\"e\"",
            "42[\"e\",]",
            "42[\"e\",{]",
            "42[\"e\",{\"a\"}]",
            "42[\"e\",tru]",
            "42[\"e\",01]",
            "42[\"e\",\"\\q\"]",
            "42[\"e\",\"tab\there\"]",
            "42[\"e\" \"f\"]",
            "42['e']",
            "42[\"e\",NaN]",
            "42[\"e\"," + "[".repeat(1_001) + "]".repeat(1_001) + "]",
            "42[\"" + "e".repeat(1_025) + "\"]");
    for (String frame : frames) {
      Frame tree = outcome(treeDecoder(), frame);
      Frame text = outcome(textDecoder(), frame);
      if (tree == null) {
        assertThat(text).as("refused by the tree decoder: %s", frame).isNull();
        continue;
      }
      assertThat(text)
          .as("accepted by the tree decoder: %s", frame)
          .isInstanceOf(Frame.Event.class);
      Packet p = ((Frame.Message) tree).packet();
      Frame.Event e = (Frame.Event) text;
      JsonNode data = p.data();
      assertThat(e.name()).as(frame).isEqualTo(data.get(0).asText());
      assertThat(e.args()).as(frame).isEqualTo(data.size() - 1);
      assertThat(e.id()).isEqualTo(p.id());
      assertThat(e.namespace()).isEqualTo(p.namespace());
      List<JsonNode> expected = new ArrayList<>();
      for (int i = 1; i < data.size(); i++) {
        expected.add(data.get(i));
      }
      assertThat(EventArgs.ofText(e.json(), e.args(), mapper).nodes())
          .as(frame)
          .isEqualTo(expected);
      if (!expected.isEmpty()) {
        Object first = e.json().bindFirst(mapper.readerFor(JsonNode.class));
        assertThat(first == null ? mapper.nullNode() : first).as(frame).isEqualTo(expected.get(0));
      }
      JsonNode last = data.size() > 1 ? data.get(data.size() - 1) : null;
      assertThat(e.lastString())
          .as(frame)
          .isEqualTo(last != null && last.isTextual() ? last.textValue() : null);
    }
  }

  @Test
  void oneDecoder_readsEachEventRight_afterLongerOnes_andEveryEventKeepsItsOwnText()
      throws Exception {
    // one decoder checks every event in the same scratch array; a shorter event must see nothing
    // of a longer one before it, and an event read earlier must not change when later ones are
    // read (a mapper that refuses trailing tokens would see leftovers as content after the array)
    PacketCodec strict =
        new PacketCodec(new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS));
    PacketCodec.Decoder d = strict.newDecoder(1 << 20, 10, true);
    List<String> frames =
        List.of(
            "42[\"long\",{\"text\":\"" + "a".repeat(3_000) + "\"},\"o-1\"]",
            "42[\"s\",1]",
            "42/n,5[\"big\",{\"t\":\"" + "x".repeat(EventDecoder.MAX_SCRATCH) + "\"},\"off\"]",
            "42/ns,9[\"m\",{\"k\":[1,2]}]",
            // an escaped name: read by Jackson from the scratch array, not by the quick check
            "42[\"\\u00e9\",{\"a\":1}]",
            "42[\"\u00e9t\u00e9\",\"\u4e2d\"]",
            "42[\"e\"]");
    List<Frame.Event> events = new ArrayList<>();
    for (String frame : frames) {
      events.add((Frame.Event) d.decodeText(frame));
    }
    assertThat(d.scratchLength()).isLessThanOrEqualTo(EventDecoder.MAX_SCRATCH);
    for (int k = 0; k < frames.size(); k++) {
      String frame = frames.get(k);
      Frame.Event e = events.get(k);
      JsonNode data = ((Frame.Message) treeDecoder().decodeText(frame)).packet().data();
      assertThat(e.json().toString()).isEqualTo(frame.substring(frame.indexOf('[')));
      assertThat(e.json().length()).isEqualTo(frame.length() - frame.indexOf('['));
      assertThat(e.name()).as(frame).isEqualTo(data.get(0).asText());
      List<JsonNode> expected = new ArrayList<>();
      data.forEach(expected::add);
      expected.remove(0);
      assertThat(EventArgs.ofText(e.json(), e.args(), mapper).nodes())
          .as(frame)
          .isEqualTo(expected);
      if (!expected.isEmpty()) {
        Object first = e.json().bindFirst(mapper.readerFor(JsonNode.class));
        assertThat(first).as(frame).isEqualTo(expected.get(0));
      }
    }
  }

  @Test
  void eventTexts_areEqualByTheirCharacters_wherever_theyLieInTheirFrames() {
    EventText inFrame = new EventText("42/ns,3[\"e\",1]", 7, 14, 5);
    EventText alone = new EventText("[\"e\",1]", 5);
    assertThat(inFrame).isEqualTo(alone).hasSameHashCodeAs(alone).hasToString("[\"e\",1]");
    assertThat(inFrame).isNotEqualTo(new EventText("[\"e\",2]", 5));
    assertThat(inFrame).isNotEqualTo(new EventText("[\"e\",1] ", 5));
    assertThatThrownBy(() -> new EventText("[\"e\"]", 2, 9, -1))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void aRefusedEvent_isAProtocolExceptionQuotingTheFrame() {
    assertThatThrownBy(() -> textDecoder().decodeText("42[\"e\",{]"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("malformed JSON in frame '42[\"e\",{]'");
    assertThatThrownBy(() -> textDecoder().decodeText("42[{}]"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("EVENT payload is not a non-empty array starting with a name");
  }

  @Test
  void mapperThatFailsOnTrailingTokens_refusesContentAfterTheArray_inBothDecoders() {
    PacketCodec strict =
        new PacketCodec(new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS));
    assertThatThrownBy(() -> strict.newDecoder(1 << 20, 10, true).decodeText("42[\"e\"] 1"))
        .isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> strict.newDecoder(1 << 20, 10, false).decodeText("42[\"e\"] 1"))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void mapperThatFailsOnDuplicateTreeKeys_keepsTheTree_soDuplicatesAreStillRefused() {
    PacketCodec strict =
        new PacketCodec(
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY));
    PacketCodec.Decoder d = strict.newDecoder(1 << 20, 10, true);
    assertThat(d.decodeText("42[\"e\",{\"a\":1}]")).isInstanceOf(Frame.Message.class);
    assertThatThrownBy(() -> d.decodeText("42[\"e\",{\"a\":1,\"a\":2}]"))
        .isInstanceOf(ProtocolException.class);
  }

  /** The frame the decoder returns, or null if it refuses the frame as malformed. */
  private static Frame outcome(PacketCodec.Decoder d, String frame) {
    try {
      return d.decodeText(frame);
    } catch (ProtocolException e) {
      return null;
    }
  }
}

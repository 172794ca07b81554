package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import dev.quarry.realtime.MessageTooLargeException;
import dev.quarry.realtime.ProtocolException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketCodecTest {
  private final ObjectMapper mapper = new ObjectMapper();
  private final PacketCodec codec = new PacketCodec(mapper);

  private JsonNode json(String s) throws Exception {
    return mapper.readTree(s);
  }

  private Packet decode(String text) {
    Frame f = codec.newDecoder().decodeText(text);
    assertThat(f).isInstanceOf(Frame.Message.class);
    return ((Frame.Message) f).packet();
  }

  @Test
  void packetTypes_areFoundByTheirWireDigit_andNothingElseIsAType() {
    for (Packet.Type t : Packet.Type.values()) {
      assertThat(Packet.Type.fromDigit(t.digit())).isSameAs(t);
      assertThat(t.digit()).isEqualTo((char) ('0' + t.ordinal()));
    }
    for (char c : new char[] {'7', '8', '9', '/', ':', 'a', ' ', '\u0000', '\uffff'}) {
      assertThat(Packet.Type.fromDigit(c)).as("'%s'", c).isNull();
    }
  }

  @Test
  void encode_connectWithoutAuth_isFortyZero() {
    assertThat(codec.encode(new Packet(Packet.Type.CONNECT, "/", -1, null)).text()).isEqualTo("40");
  }

  @Test
  void encode_connectWithAuthOnCustomNamespace_writesNamespaceThenJson() throws Exception {
    Packet p = new Packet(Packet.Type.CONNECT, "/admin", -1, json("{\"token\":\"123\"}"));
    assertThat(codec.encode(p).text()).isEqualTo("40/admin,{\"token\":\"123\"}");
  }

  @Test
  void encode_eventWithAckId_writesIdBeforePayload() throws Exception {
    Packet p = new Packet(Packet.Type.EVENT, "/", 12, json("[\"foo\"]"));
    assertThat(codec.encode(p).text()).isEqualTo("4212[\"foo\"]");
  }

  @Test
  void encode_ackOnCustomNamespace_matchesSpecExample() throws Exception {
    Packet p = new Packet(Packet.Type.ACK, "/admin", 13, json("[\"bar\"]"));
    assertThat(codec.encode(p).text()).isEqualTo("43/admin,13[\"bar\"]");
  }

  @Test
  void encode_disconnect_isFortyOne() {
    assertThat(codec.encode(new Packet(Packet.Type.DISCONNECT, "/", -1, null)).text())
        .isEqualTo("41");
  }

  @Test
  void encode_eventWithBytes_becomesBinaryEventWithPlaceholders() {
    ArrayNode data = mapper.createArrayNode().add("baz").add(BinaryNode.valueOf(new byte[] {1, 2}));
    data.addObject().set("inner", BinaryNode.valueOf(new byte[] {3}));
    PacketCodec.Encoded e = codec.encode(new Packet(Packet.Type.EVENT, "/", -1, data));
    assertThat(e.text())
        .isEqualTo(
            "452-[\"baz\",{\"_placeholder\":true,\"num\":0},"
                + "{\"inner\":{\"_placeholder\":true,\"num\":1}}]");
    assertThat(e.attachments()).containsExactly(new byte[] {1, 2}, new byte[] {3});
  }

  @Test
  void encode_ackWithBytes_becomesBinaryAck() {
    ArrayNode data = mapper.createArrayNode().add(BinaryNode.valueOf(new byte[] {9}));
    PacketCodec.Encoded e = codec.encode(new Packet(Packet.Type.ACK, "/", 15, data));
    assertThat(e.text()).isEqualTo("461-15[{\"_placeholder\":true,\"num\":0}]");
    assertThat(e.attachments()).hasSize(1);
  }

  @Test
  void encode_moreThanTenAttachments_isRefused() {
    ArrayNode data = mapper.createArrayNode().add("many");
    for (int i = 0; i < 11; i++) {
      data.add(BinaryNode.valueOf(new byte[] {(byte) i}));
    }
    assertThatThrownBy(() -> codec.encode(new Packet(Packet.Type.EVENT, "/", -1, data)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 10");
  }

  @Test
  void encoded_largestFrame_countsUtf8Bytes() {
    ArrayNode data = mapper.createArrayNode().add("é");
    PacketCodec.Encoded e = codec.encode(new Packet(Packet.Type.EVENT, "/", -1, data));
    assertThat(e.largestFrame()).isEqualTo(e.text().length() + 1);
  }

  @Test
  void decode_openPacket_readsHeartbeatAndMaxPayload() {
    Frame f =
        codec
            .newDecoder()
            .decodeText(
                "0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[],\"pingInterval\":25000,"
                    + "\"pingTimeout\":20000,\"maxPayload\":1000000}");
    assertThat(f)
        .isEqualTo(
            new Frame.Open(
                "lv_VI97HAXpY6yYWAAAC", Duration.ofSeconds(25), Duration.ofSeconds(20), 1_000_000));
  }

  @Test
  void decode_openPacketWithoutMaxPayload_meansUnlimited() {
    Frame f =
        codec.newDecoder().decodeText("0{\"sid\":\"a\",\"pingInterval\":1,\"pingTimeout\":2}");
    assertThat(((Frame.Open) f).maxPayload()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void decode_engineControlPackets_mapToTheirFrames() {
    PacketCodec.Decoder d = codec.newDecoder();
    assertThat(d.decodeText("1")).isInstanceOf(Frame.Close.class);
    assertThat(d.decodeText("2")).isInstanceOf(Frame.Ping.class);
    assertThat(d.decodeText("3")).isInstanceOf(Frame.Pong.class);
    assertThat(d.decodeText("6")).isInstanceOf(Frame.Noop.class);
  }

  @Test
  void decode_connectReplyWithPid_keepsPayload() throws Exception {
    Packet p = decode("40{\"sid\":\"s1\",\"pid\":\"p1\"}");
    assertThat(p)
        .isEqualTo(
            new Packet(Packet.Type.CONNECT, "/", -1, json("{\"sid\":\"s1\",\"pid\":\"p1\"}")));
  }

  @Test
  void decode_connectErrorWithData_keepsMessageAndData() throws Exception {
    Packet p = decode("44{\"message\":\"unauthorized\",\"data\":{\"code\":401}}");
    assertThat(p.type()).isEqualTo(Packet.Type.CONNECT_ERROR);
    assertThat(p.data()).isEqualTo(json("{\"message\":\"unauthorized\",\"data\":{\"code\":401}}"));
  }

  @Test
  void decode_connectErrorOnNamespace_readsNamespace() {
    Packet p = decode("44/random,{\"message\":\"Invalid namespace\"}");
    assertThat(p.namespace()).isEqualTo("/random");
  }

  @Test
  void decode_namespaceDisconnect_hasNoPayload() {
    assertThat(decode("41")).isEqualTo(new Packet(Packet.Type.DISCONNECT, "/", -1, null));
    assertThat(decode("41/admin,"))
        .isEqualTo(new Packet(Packet.Type.DISCONNECT, "/admin", -1, null));
  }

  @Test
  void decode_eventWithAckIdOnNamespace_readsAll() throws Exception {
    Packet p = decode("42/admin,7[\"foo\",{\"a\":1}]");
    assertThat(p)
        .isEqualTo(new Packet(Packet.Type.EVENT, "/admin", 7, json("[\"foo\",{\"a\":1}]")));
  }

  @Test
  void decode_ack_readsIdAndArray() throws Exception {
    assertThat(decode("4312[\"bar\"]"))
        .isEqualTo(new Packet(Packet.Type.ACK, "/", 12, json("[\"bar\"]")));
  }

  @Test
  void decode_binaryEvent_waitsForAttachmentsThenRebuildsBytes() throws Exception {
    PacketCodec.Decoder d = codec.newDecoder();
    assertThat(
            d.decodeText(
                "452-[\"baz\",{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":0}]"))
        .isEqualTo(new Frame.Partial(2));
    assertThat(d.decodeBinary(new byte[] {1})).isEqualTo(new Frame.Partial(1));
    Frame f = d.decodeBinary(new byte[] {2, 3});
    Packet p = ((Frame.Message) f).packet();
    assertThat(p.type()).isEqualTo(Packet.Type.BINARY_EVENT);
    assertThat(p.data().get(1).binaryValue()).containsExactly(2, 3);
    assertThat(p.data().get(2).binaryValue()).containsExactly(1);
    assertThat(d.hasPending()).isFalse();
  }

  @Test
  void decode_binaryAck_rebuildsBytes() throws Exception {
    PacketCodec.Decoder d = codec.newDecoder();
    d.decodeText("461-15[{\"_placeholder\":true,\"num\":0}]");
    Packet p = ((Frame.Message) d.decodeBinary(new byte[] {7})).packet();
    assertThat(p.id()).isEqualTo(15);
    assertThat(p.data().get(0).binaryValue()).containsExactly(7);
  }

  @Test
  void roundTrip_binaryEvent_returnsEqualBytes() throws Exception {
    byte[] bytes = new byte[300];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    ArrayNode data = mapper.createArrayNode().add("bin").add(BinaryNode.valueOf(bytes));
    PacketCodec.Encoded e = codec.encode(new Packet(Packet.Type.EVENT, "/x", 3, data));
    PacketCodec.Decoder d = codec.newDecoder();
    d.decodeText(e.text());
    Packet back = ((Frame.Message) d.decodeBinary(e.attachments().get(0))).packet();
    assertThat(back.namespace()).isEqualTo("/x");
    assertThat(back.id()).isEqualTo(3);
    assertThat(back.data().get(1).binaryValue()).isEqualTo(bytes);
  }

  @Test
  void decode_malformedFrames_failWithProtocolExceptionQuotingTheFrame() {
    for (String bad :
        List.of(
            "",
            "9",
            "4",
            "47[\"x\"]",
            "42{}",
            "42[]",
            "42[{}]",
            "42[\"x\"",
            "43[\"no id\"]",
            "433{}",
            "44",
            "40[1]",
            "45x-[\"a\"]",
            "0{\"sid\":1}",
            "0[]")) {
      assertThatThrownBy(() -> codec.newDecoder().decodeText(bad))
          .as("frame %s", bad)
          .isInstanceOf(ProtocolException.class)
          .hasMessageContaining("frame");
    }
  }

  @Test
  void decode_binaryPacketAnnouncingMoreThanTheAttachmentLimit_failsNamingCountAndLimit() {
    assertThat(codec.newDecoder().decodeText("4510-[\"a\"]")).isEqualTo(new Frame.Partial(10));
    for (String count : List.of("11", "1000", "12345678901234567890")) {
      assertThatThrownBy(() -> codec.newDecoder().decodeText("45" + count + "-[\"a\"]"))
          .as("count %s", count)
          .isInstanceOf(ProtocolException.class)
          .hasMessageContaining("announces " + count + " attachments")
          .hasMessageContaining("limit of 10");
    }
    assertThatThrownBy(() -> codec.newDecoder().decodeText("4611-0[\"a\"]"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("11");
  }

  @Test
  void decode_configuredAttachmentLimit_replacesTheDefault() {
    PacketCodec.Decoder d = codec.newDecoder(1 << 20, 1000);
    assertThat(d.decodeText("451000-[\"a\"]")).isEqualTo(new Frame.Partial(1000));
    assertThatThrownBy(() -> codec.newDecoder(1 << 20, 1000).decodeText("451001-[\"a\"]"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("limit of 1000");
  }

  @Test
  void decode_nonAsciiDigitsInAckIdOrAttachmentCount_areMalformed() {
    // U+0661 ARABIC-INDIC DIGIT ONE and U+FF11 FULLWIDTH DIGIT ONE: Character.isDigit says yes.
    for (String bad :
        List.of(
            "43\u0661[\"x\"]",
            "42\uFF11[\"e\"]",
            "45\u0661-[\"a\",{\"_placeholder\":true,\"num\":0}]",
            "46\uFF11-1[{\"_placeholder\":true,\"num\":0}]")) {
      assertThatThrownBy(() -> codec.newDecoder().decodeText(bad))
          .as("frame %s", bad)
          .isInstanceOf(ProtocolException.class)
          .hasMessageContaining("frame");
    }
  }

  @Test
  void decode_openPacketWithHeartbeatOutsideTheBounds_isMalformed() {
    for (String bad :
        List.of(
            "\"pingInterval\":9223372036854775807,\"pingTimeout\":20000",
            "\"pingInterval\":25000,\"pingTimeout\":9223372036854775807",
            "\"pingInterval\":0,\"pingTimeout\":20000",
            "\"pingInterval\":25000,\"pingTimeout\":0",
            "\"pingInterval\":600001,\"pingTimeout\":20000",
            "\"pingInterval\":25000.5,\"pingTimeout\":20000",
            "\"pingInterval\":-1,\"pingTimeout\":20000")) {
      assertThatThrownBy(() -> codec.newDecoder().decodeText("0{\"sid\":\"a\"," + bad + "}"))
          .as("open %s", bad)
          .isInstanceOf(ProtocolException.class)
          .hasMessageContaining("ping");
    }
    Frame ok =
        codec.newDecoder().decodeText("0{\"sid\":\"a\",\"pingInterval\":600000,\"pingTimeout\":1}");
    assertThat(((Frame.Open) ok).pingInterval()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void decode_overlongNamespaceOrEventName_isMalformed() {
    String nsp = "/" + "n".repeat(256);
    assertThatThrownBy(() -> codec.newDecoder().decodeText("42" + nsp + ",[\"e\"]"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("namespace longer than 256");
    String name = "e".repeat(1025);
    assertThatThrownBy(() -> codec.newDecoder().decodeText("42[\"" + name + "\"]"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("event name longer than 1024");
    assertThat(decode("42/" + "n".repeat(255) + ",[\"" + "e".repeat(1024) + "\"]").namespace())
        .hasSize(256);
  }

  @Test
  void decode_textFrameOverTheSizeLimit_isRefusedBeforeParsing() {
    PacketCodec.Decoder d = codec.newDecoder(1024, 10);
    String big = "42[\"e\",\"" + "a".repeat(1024) + "\"]";
    assertThatThrownBy(() -> d.decodeText(big))
        .isInstanceOf(MessageTooLargeException.class)
        .hasMessageContaining("exceeds maxIncomingMessageBytes of 1024");
    // 400 chars of a 3-byte character: 1,200 UTF-8 bytes, under the limit in chars.
    String wide = "42[\"e\",\"" + "\u20AC".repeat(400) + "\"]";
    assertThatThrownBy(() -> d.decodeText(wide)).isInstanceOf(MessageTooLargeException.class);
    assertThat(d.decodeText("42[\"e\",\"" + "a".repeat(1000) + "\"]"))
        .isInstanceOf(Frame.Message.class);
  }

  @Test
  void decode_defaultDecoder_refusesMoreThanFourMiB() {
    String big = "42[\"e\",\"" + "a".repeat(4 * 1024 * 1024) + "\"]";
    assertThatThrownBy(() -> codec.newDecoder().decodeText(big))
        .isInstanceOf(MessageTooLargeException.class);
  }

  @Test
  void decode_binaryPacketWhoseAttachmentsPassTheSizeLimit_isRefusedAndForgotten() {
    PacketCodec.Decoder d = codec.newDecoder(1024, 10);
    d.decodeText("452-[\"a\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    assertThat(d.decodeBinary(new byte[600])).isEqualTo(new Frame.Partial(1));
    assertThatThrownBy(() -> d.decodeBinary(new byte[600]))
        .isInstanceOf(MessageTooLargeException.class)
        .hasMessageContaining("binary packet");
    assertThat(d.hasPending()).isFalse();
  }

  @Test
  void decode_binaryFrameWithoutPendingPacket_isMalformed() {
    assertThatThrownBy(() -> codec.newDecoder().decodeBinary(new byte[] {1}))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("unexpected binary frame");
  }

  @Test
  void decode_textFrameWhileAttachmentsPending_isMalformed() {
    PacketCodec.Decoder d = codec.newDecoder();
    d.decodeText("451-[\"a\",{\"_placeholder\":true,\"num\":0}]");
    assertThatThrownBy(() -> d.decodeText("2"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("pending");
  }

  @Test
  void decode_placeholderOutOfRange_isMalformed() {
    PacketCodec.Decoder d = codec.newDecoder();
    d.decodeText("451-[\"a\",{\"_placeholder\":true,\"num\":4}]");
    assertThatThrownBy(() -> d.decodeBinary(new byte[] {1}))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("placeholder 4");
  }
}

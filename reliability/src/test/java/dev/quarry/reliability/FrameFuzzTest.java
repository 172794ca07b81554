package dev.quarry.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.realtime.ProtocolException;
import dev.quarry.realtime.internal.Frame;
import dev.quarry.realtime.internal.Packet;
import dev.quarry.realtime.internal.PacketCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds seeded random and mutated Engine.IO v4 / Socket.IO v5 frames through the realtime codec's
 * decoder, one decoder per simulated connection (a new one after each protocol error, as the client
 * does), and checks that every frame yields a {@link Frame} or a {@link ProtocolException}: never
 * another exception, never a hang.
 */
class FrameFuzzTest {
  private static final long SEED = 0x5EED_F00DL;
  private static final int FRAMES = 120_000;
  private static final String[] NAMESPACES = {"/", "/admin", "/a/b", "/ü"};

  private final ObjectMapper mapper = new ObjectMapper();
  private final PacketCodec codec = new PacketCodec(mapper);

  @Test
  void decoder_randomAndMutatedFrames_yieldAFrameOrAProtocolException() {
    Random random = new Random(SEED);
    RandomJson json = new RandomJson(random);
    FaultTally tally = new FaultTally("Engine.IO/Socket.IO frame fuzzing (decoder)");
    long packets = 0;
    long partials = 0;
    long typedErrors = 0;
    long binaryFrames = 0;
    long mutated = 0;
    PacketCodec.Decoder decoder = codec.newDecoder();
    int fed = 0;
    while (fed < FRAMES) {
      List<String> texts = new ArrayList<>();
      List<Integer> attachments = new ArrayList<>();
      validFrame(json, texts, attachments);
      for (int i = 0; i < texts.size(); i++) {
        String text = texts.get(i);
        if (random.nextInt(3) > 0) {
          text = json.mutate(text);
          mutated++;
        }
        fed++;
        tally.injected(1);
        try {
          Frame f = decoder.decodeText(text);
          tally.survived(1);
          if (f instanceof Frame.Partial) {
            partials++;
          } else {
            packets++;
            checkFrame(f, text, tally);
          }
        } catch (ProtocolException e) {
          typedErrors++;
          tally.survived(1);
          assertThat(e.getMessage()).isNotBlank();
          decoder = codec.newDecoder();
        } catch (RuntimeException | StackOverflowError e) {
          tally.lost(1, e + " <- text " + abbreviate(text));
          decoder = codec.newDecoder();
        }
        // Attachments: the announced number, sometimes one more or less, sometimes none at all.
        int n = attachments.get(i);
        int send = random.nextInt(5) == 0 ? Math.max(0, n + random.nextInt(3) - 1) : n;
        if (random.nextInt(40) == 0) {
          send = 1 + random.nextInt(3); // stray binary frames
        }
        for (int b = 0; b < send; b++) {
          byte[] bytes = new byte[random.nextInt(64)];
          random.nextBytes(bytes);
          fed++;
          binaryFrames++;
          tally.injected(1);
          try {
            Frame f = decoder.decodeBinary(bytes);
            tally.survived(1);
            if (f instanceof Frame.Partial) {
              partials++;
            } else {
              packets++;
              checkFrame(f, "<binary>", tally);
            }
          } catch (ProtocolException e) {
            typedErrors++;
            tally.survived(1);
            decoder = codec.newDecoder();
          } catch (RuntimeException | StackOverflowError e) {
            tally.lost(1, e + " <- binary frame after " + abbreviate(text));
            decoder = codec.newDecoder();
          }
        }
      }
    }
    tally.print(
        "seed "
            + Long.toHexString(SEED)
            + ": "
            + fed
            + " frames ("
            + mutated
            + " mutated text, "
            + binaryFrames
            + " binary) -> "
            + packets
            + " packets, "
            + partials
            + " partial, "
            + typedErrors
            + " ProtocolException");
    assertThat(tally.samples())
        .as("frames that raised something other than ProtocolException")
        .isEmpty();
    assertThat(tally.injected()).isGreaterThanOrEqualTo(100_000);
    // The generator must exercise both outcomes, or it tests nothing.
    assertThat(packets).isGreaterThan(FRAMES / 10);
    assertThat(typedErrors).isGreaterThan(FRAMES / 10);
  }

  @Test
  void codec_randomValidPackets_roundTripThroughEncodeAndDecode() {
    Random random = new Random(SEED + 1);
    RandomJson json = new RandomJson(random);
    FaultTally tally = new FaultTally("Socket.IO packet round trip (encode -> decode)");
    int withBinary = 0;
    for (int i = 0; i < 10_000; i++) {
      Packet p = randomPacket(random, json);
      PacketCodec.Encoded enc = codec.encode(p);
      if (!enc.attachments().isEmpty()) {
        withBinary++;
      }
      tally.injected(1);
      PacketCodec.Decoder d = codec.newDecoder();
      try {
        Frame f = d.decodeText(enc.text());
        for (byte[] a : enc.attachments()) {
          assertThat(f).isInstanceOf(Frame.Partial.class);
          f = d.decodeBinary(a);
        }
        assertThat(f).isInstanceOf(Frame.Message.class);
        Packet back = ((Frame.Message) f).packet();
        Packet expected = p;
        if (!enc.attachments().isEmpty()) {
          // The encoder marks a packet carrying byte arrays as BINARY_EVENT / BINARY_ACK.
          Packet.Type t =
              p.type() == Packet.Type.EVENT ? Packet.Type.BINARY_EVENT : Packet.Type.BINARY_ACK;
          expected = new Packet(t, p.namespace(), p.id(), p.data());
        }
        if (back.equals(expected)) {
          tally.survived(1);
        } else {
          tally.lost(1, p + " came back as " + back);
        }
      } catch (RuntimeException e) {
        tally.lost(1, e + " <- " + enc.text());
      }
    }
    tally.print("10000 packets, " + withBinary + " with binary attachments");
    assertThat(tally.samples()).isEmpty();
    assertThat(withBinary).isGreaterThan(1000);
  }

  private Packet randomPacket(Random random, RandomJson json) {
    String nsp = NAMESPACES[random.nextInt(NAMESPACES.length)];
    boolean ack = random.nextBoolean();
    long id = random.nextInt(4) == 0 ? -1 : random.nextInt(1_000_000);
    if (ack && id < 0) {
      id = 7;
    }
    ArrayNode data = JsonNodeFactory.instance.arrayNode();
    if (!ack) {
      data.add("ev" + random.nextInt(100));
    }
    int args = random.nextInt(4);
    int binaries = 0;
    for (int a = 0; a < args; a++) {
      if (binaries < 10 && random.nextInt(4) == 0) {
        byte[] b = new byte[random.nextInt(100)];
        random.nextBytes(b);
        data.add(BinaryNode.valueOf(b));
        binaries++;
      } else if (binaries < 10 && random.nextInt(6) == 0) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        byte[] b = new byte[1 + random.nextInt(10)];
        random.nextBytes(b);
        o.set("bytes", BinaryNode.valueOf(b));
        o.put("n", random.nextInt());
        data.add(o);
        binaries++;
      } else {
        data.add(readTree(json.value(3)));
      }
    }
    return new Packet(ack ? Packet.Type.ACK : Packet.Type.EVENT, nsp, id, data);
  }

  private JsonNode readTree(String text) {
    try {
      JsonNode node = mapper.readTree(text);
      // JSON cannot carry every value Jackson reads (1e309 becomes an infinite double, written as
      // the string "Infinity"): keep only values that survive a write and a read.
      if (!mapper.readTree(mapper.writeValueAsString(node)).equals(node)) {
        return JsonNodeFactory.instance.textNode(text);
      }
      return node;
    } catch (Exception e) {
      return JsonNodeFactory.instance.textNode(text); // a generated value Jackson refuses
    }
  }

  private static void checkFrame(Frame f, String text, FaultTally tally) {
    if (f instanceof Frame.Open o) {
      if (o.pingInterval().isNegative() || o.pingTimeout().isNegative() || o.maxPayload() <= 0) {
        tally.lost(1, "open frame with impossible values " + o + " <- " + abbreviate(text));
      }
    } else if (f instanceof Frame.Message m) {
      Packet p = m.packet();
      if (p.namespace().isEmpty() || !p.namespace().startsWith("/")) {
        tally.lost(1, "packet with namespace '" + p.namespace() + "' <- " + abbreviate(text));
      }
    }
  }

  /** Appends one valid frame (and its attachment count) of a random kind. */
  static void validFrame(RandomJson json, List<String> texts, List<Integer> attachments) {
    Random random = json.random();
    String nsp = NAMESPACES[random.nextInt(NAMESPACES.length)];
    String prefix = "/".equals(nsp) ? "" : nsp + ",";
    int kind = random.nextInt(12);
    String text;
    int att = 0;
    switch (kind) {
      case 0 ->
          text =
              "0{\"sid\":\"s"
                  + random.nextInt(1000)
                  + "\",\"upgrades\":[],\"pingInterval\":"
                  + random.nextInt(30_000)
                  + ",\"pingTimeout\":"
                  + random.nextInt(30_000)
                  + ",\"maxPayload\":"
                  + random.nextInt(2_000_000)
                  + "}";
      case 1 -> text = new String[] {"1", "2", "3", "6", "2probe", "3probe"}[random.nextInt(6)];
      case 2 -> text = "40" + prefix + (random.nextBoolean() ? json.object(2, 2) : "");
      case 3 -> text = "41" + prefix;
      case 4, 5, 6 ->
          text =
              "42"
                  + prefix
                  + (random.nextInt(3) == 0 ? Integer.toString(random.nextInt(1000)) : "")
                  + "[\"ev\""
                  + (random.nextBoolean() ? "," + json.value(3) : "")
                  + "]";
      case 7 -> text = "43" + prefix + random.nextInt(1000) + json.array(2, random.nextInt(3));
      case 8 ->
          text =
              "44"
                  + prefix
                  + "{\"message\":"
                  + json.string()
                  + (random.nextBoolean() ? ",\"data\":" + json.value(2) : "")
                  + "}";
      default -> {
        att = random.nextInt(4);
        StringBuilder sb = new StringBuilder(kind == 11 ? "46" : "45").append(att).append('-');
        sb.append(prefix);
        if (kind == 11 || random.nextBoolean()) {
          sb.append(random.nextInt(1000));
        }
        sb.append('[');
        if (kind != 11) {
          sb.append("\"bin\",");
        }
        for (int i = 0; i < att; i++) {
          sb.append("{\"_placeholder\":true,\"num\":").append(i).append("},");
        }
        sb.append(json.value(1)).append(']');
        text = sb.toString();
      }
    }
    texts.add(text);
    attachments.add(att);
  }

  private static String abbreviate(String s) {
    String t = s.length() <= 160 ? s : s.substring(0, 160) + "...(" + s.length() + " chars)";
    StringBuilder out = new StringBuilder();
    for (char c : t.toCharArray()) {
      out.append(c < 0x20 || (c >= 0xD800 && c <= 0xDFFF) ? String.format("\\u%04x", (int) c) : c);
    }
    return out.toString();
  }
}

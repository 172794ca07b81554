package dev.quarry.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import okio.Buffer;
import okio.Okio;
import okio.Source;
import org.junit.jupiter.api.Test;

/** The event-stream format as the HTML standard's server-sent events section defines it. */
class SseReaderTest {
  private static List<SseReader.Event> read(String stream) throws IOException {
    return read(new SseReader(new Buffer().writeUtf8(stream), 1024, null));
  }

  private static List<SseReader.Event> read(SseReader reader) throws IOException {
    List<SseReader.Event> events = new ArrayList<>();
    SseReader.Event e;
    while ((e = reader.next()) != null) {
      events.add(e);
    }
    return events;
  }

  @Test
  void dataLines_areJoinedWithLineFeeds_andOneLeadingSpaceIsDropped() throws IOException {
    assertThat(read("data: first\ndata:second\ndata:  third\n\n"))
        .containsExactly(new SseReader.Event(null, "message", "first\nsecond\n third"));
  }

  @Test
  void comments_andUnknownFields_areIgnored() throws IOException {
    assertThat(read(": keep-alive\nfoo: bar\ndata: x\n: between\n\n:\n\n"))
        .containsExactly(new SseReader.Event(null, "message", "x"));
  }

  @Test
  void crlf_cr_andLf_allEndLines() throws IOException {
    assertThat(read("data: a\r\n\r\ndata: b\r\rdata: c\n\n"))
        .extracting(SseReader.Event::data)
        .containsExactly("a", "b", "c");
  }

  @Test
  void id_persistsAcrossEvents_untilChanged_andAnIdWithNulIsIgnored() throws IOException {
    assertThat(read("id: 1\ndata: a\n\ndata: b\n\nid: 2\u0000x\ndata: c\n\nid\ndata: d\n\n"))
        .extracting(SseReader.Event::id)
        .containsExactly("1", "1", "1", "");
  }

  @Test
  void eventType_appliesToOneEvent_andDefaultsToMessage() throws IOException {
    assertThat(read("event: token\ndata: a\n\ndata: b\n\n"))
        .extracting(SseReader.Event::type)
        .containsExactly("token", "message");
  }

  @Test
  void anEventWithoutData_isNotDispatched_butItsIdCounts() throws IOException {
    SseReader reader = new SseReader(new Buffer().writeUtf8("id: 7\nevent: x\n\n"), 1024, null);
    assertThat(read(reader)).isEmpty();
    assertThat(reader.lastEventId()).isEqualTo("7");
  }

  @Test
  void retry_withDigitsOnly_isKept() throws IOException {
    SseReader reader =
        new SseReader(new Buffer().writeUtf8("retry: 2500\ndata: a\n\nretry: 1s\n\n"), 1024, null);
    read(reader);
    assertThat(reader.retryMillis()).isEqualTo(2500);
  }

  @Test
  void aPartialEventAtTheEnd_isDiscarded_andALeadingBomIsSkipped() throws IOException {
    assertThat(read("\uFEFFdata: a\n\ndata: b\n"))
        .extracting(SseReader.Event::data)
        .containsExactly("a");
  }

  @Test
  void anEventLargerThanTheLimit_fails_afterTheEventsBeforeIt() throws IOException {
    String big = "x".repeat(40);
    SseReader reader =
        new SseReader(
            new Buffer().writeUtf8("data: ok\n\ndata: " + big + "\ndata: " + big + "\n\n"),
            64,
            null);
    assertThat(reader.next()).isEqualTo(new SseReader.Event(null, "message", "ok"));
    assertThatThrownBy(reader::next)
        .isInstanceOf(SseReader.TooLarge.class)
        .hasMessageContaining("maxEventBytes=64");
  }

  @Test
  void aLineLongerThanTheLimit_failsWithoutBufferingMoreThanTheLimit() {
    Buffer network = new Buffer().writeUtf8(": " + "y".repeat(100_000));
    SseReader reader = new SseReader(Okio.buffer((Source) network), 100, null);
    assertThatThrownBy(reader::next).isInstanceOf(SseReader.TooLarge.class);
    assertThat(network.size()).as("read one segment at most").isGreaterThan(100_000 - 8192);
  }
}

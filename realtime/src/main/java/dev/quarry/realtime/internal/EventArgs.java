package dev.quarry.realtime.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The arguments of one incoming event, its name and recovery offset left out. A plain EVENT's
 * arguments stay the JSON text they arrived in (already checked by the decoder): a typed listener
 * binds its argument from that text, and they are read into JSON nodes only when something asks for
 * nodes (an args or catch-all listener, a topic's routing rule, a listener for {@code JsonNode}). A
 * binary event's arguments are nodes from the start, with the attachments in place.
 *
 * <p>Thread-safe: built on the inbound stage, read on the event lane. The nodes are read at most
 * once per racing thread and are equal either way; the event lane, which is the only reader in the
 * client, reads them once.
 */
final class EventArgs {
  private final @Nullable EventText json;
  private final int size;
  private final @Nullable ObjectMapper mapper;
  private volatile @Nullable List<JsonNode> nodes;

  private EventArgs(
      @Nullable EventText json,
      int size,
      @Nullable ObjectMapper mapper,
      @Nullable List<JsonNode> nodes) {
    this.json = json;
    this.size = size;
    this.mapper = mapper;
    this.nodes = nodes;
  }

  /** Arguments that are nodes already. */
  static EventArgs of(List<JsonNode> nodes) {
    return new EventArgs(null, nodes.size(), null, List.copyOf(nodes));
  }

  /**
   * The first {@code size} elements after the name of {@code json}, an event's array (its name, its
   * arguments, then possibly its recovery offset) that the decoder has checked; read with {@code
   * mapper} when asked for nodes.
   */
  static EventArgs ofText(EventText json, int size, ObjectMapper mapper) {
    return new EventArgs(json, size, mapper, null);
  }

  /** How many arguments. */
  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /**
   * The event's array as it arrived (name first, then the arguments, then possibly the recovery
   * offset), or null if the arguments came as nodes.
   */
  @Nullable EventText json() {
    return json;
  }

  /** The arguments as JSON nodes, read from the text the first time. */
  List<JsonNode> nodes() {
    List<JsonNode> n = nodes;
    if (n == null) {
      n = read();
      nodes = n;
    }
    return n;
  }

  private List<JsonNode> read() {
    EventText text = json;
    ObjectMapper m = mapper;
    if (text == null || m == null) {
      throw new IllegalStateException("event arguments without nodes or text");
    }
    JsonNode array;
    try (JsonParser p = text.parser(m)) {
      array = m.readTree(p);
    } catch (IOException e) {
      // The decoder read this text through once already, with the same mapper.
      throw new IllegalStateException("an event the decoder accepted no longer parses: " + e, e);
    }
    List<JsonNode> out = new ArrayList<>(size);
    for (int i = 1; i <= size; i++) {
      out.add(array.get(i));
    }
    return List.copyOf(out);
  }
}

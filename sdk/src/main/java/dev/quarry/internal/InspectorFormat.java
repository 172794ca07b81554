package dev.quarry.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.quarry.Inspector;
import dev.quarry.realtime.TopicStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Renders inspector snapshots as text tables and JSON. */
public final class InspectorFormat {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private InspectorFormat() {}

  /** The snapshot as a JSON tree; store states through {@code mapper}. */
  public static ObjectNode tree(Inspector.Snapshot s, ObjectMapper mapper) {
    ObjectNode root = NODES.objectNode();
    root.put("takenAt", s.takenAt().toString());
    ArrayNode queries = root.putArray("queries");
    for (Inspector.QueryRow q : s.queries()) {
      ObjectNode n = queries.addObject();
      n.set("key", keyNode(q.key(), mapper));
      n.put("status", q.status().name());
      n.put("fetchStatus", q.fetchStatus().name());
      n.put("observers", q.observers());
      n.put("stale", q.stale());
      n.set("dataUpdatedAt", instant(q.dataUpdatedAt()));
      n.set("gcDueAt", instant(q.gcDueAt()));
    }
    ArrayNode mutations = root.putArray("mutations");
    for (Inspector.MutationRow m : s.mutations()) {
      ObjectNode n = mutations.addObject();
      n.put("id", m.id());
      n.set("key", m.key().map(k -> keyNode(k, mapper)).orElse(NODES.nullNode()));
      n.put("status", m.status().name());
      n.put("paused", m.paused());
      n.set("scope", m.scope().<JsonNode>map(TextNode::new).orElse(NODES.nullNode()));
      n.set("submittedAt", instant(m.submittedAt()));
    }
    if (s.realtime().isPresent()) {
      Inspector.RealtimeRow r = s.realtime().get();
      ObjectNode n = root.putObject("realtime");
      n.put("state", r.state().name());
      n.set(
          "endpoint",
          r.endpoint().<JsonNode>map(u -> new TextNode(u.toString())).orElse(NODES.nullNode()));
      ArrayNode subs = n.putArray("subscriptions");
      r.subscriptions().forEach(subs::add);
      ArrayNode topics = n.putArray("topics");
      for (TopicStatus t : r.topics()) {
        ObjectNode tn = topics.addObject();
        tn.put("name", t.topic().name());
        tn.set("params", t.topic().params().deepCopy());
        tn.put("state", t.state().name());
        tn.put("subscribers", t.subscribers());
      }
      if (r.lastRecovery().isPresent()) {
        Inspector.Recovery rec = r.lastRecovery().get();
        ObjectNode rn = n.putObject("lastRecovery");
        rn.put("at", rec.at().toString());
        rn.put("recovered", rec.recovered());
        rn.put("sessionId", rec.sessionId());
      } else {
        n.putNull("lastRecovery");
      }
    } else {
      root.putNull("realtime");
    }
    ArrayNode stores = root.putArray("stores");
    for (Inspector.StoreRow st : s.stores()) {
      ObjectNode n = stores.addObject();
      n.put("name", st.name());
      try {
        n.set("state", mapper.valueToTree(st.state()));
      } catch (IllegalArgumentException e) {
        n.put("state", "<not serializable: " + e.getMessage() + ">");
      }
    }
    return root;
  }

  /** The snapshot as pretty-printed JSON. */
  public static String json(Inspector.Snapshot s, ObjectMapper mapper) {
    try {
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(tree(s, mapper));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the inspector snapshot as JSON", e);
    }
  }

  private static JsonNode keyNode(String key, ObjectMapper mapper) {
    try {
      return mapper.readTree(key);
    } catch (JsonProcessingException e) {
      return new TextNode(key);
    }
  }

  private static JsonNode instant(Optional<Instant> at) {
    return at.<JsonNode>map(i -> new TextNode(i.toString())).orElse(NODES.nullNode());
  }

  /** The snapshot as fixed-width text tables. */
  public static String table(Inspector.Snapshot s) {
    StringBuilder out = new StringBuilder();
    out.append("Quarry inspector at ").append(s.takenAt()).append('\n');
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("KEY", "STATUS", "FETCH", "OBS", "STALE", "UPDATED", "GC DUE"));
    for (Inspector.QueryRow q : s.queries()) {
      rows.add(
          List.of(
              q.key(),
              q.status().name(),
              q.fetchStatus().name(),
              String.valueOf(q.observers()),
              q.stale() ? "stale" : "fresh",
              text(q.dataUpdatedAt()),
              text(q.gcDueAt())));
    }
    section(out, "Queries (" + s.queries().size() + ")", rows);
    rows = new ArrayList<>();
    rows.add(List.of("ID", "KEY", "STATUS", "PAUSED", "SCOPE", "SUBMITTED"));
    for (Inspector.MutationRow m : s.mutations()) {
      rows.add(
          List.of(
              String.valueOf(m.id()),
              m.key().orElse("-"),
              m.status().name(),
              m.paused() ? "paused" : "-",
              m.scope().orElse("-"),
              text(m.submittedAt())));
    }
    section(out, "Mutations (" + s.mutations().size() + ")", rows);
    if (s.realtime().isPresent()) {
      Inspector.RealtimeRow r = s.realtime().get();
      out.append("\nRealtime: ").append(r.state());
      r.lastRecovery()
          .ifPresent(
              rec ->
                  out.append(", last reconnect ")
                      .append(rec.at())
                      .append(rec.recovered() ? " (recovered)" : " (not recovered)"));
      out.append('\n');
      for (String sub : r.subscriptions()) {
        out.append("  ").append(sub).append('\n');
      }
    } else {
      out.append("\nRealtime: none\n");
    }
    rows = new ArrayList<>();
    rows.add(List.of("NAME", "STATE"));
    for (Inspector.StoreRow st : s.stores()) {
      rows.add(List.of(st.name(), String.valueOf(st.state())));
    }
    section(out, "Stores (" + s.stores().size() + ")", rows);
    return out.toString();
  }

  private static String text(Optional<Instant> at) {
    return at.map(Instant::toString).orElse("-");
  }

  private static void section(StringBuilder out, String title, List<List<String>> rows) {
    out.append('\n').append(title).append('\n');
    int[] widths = new int[rows.get(0).size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }
}

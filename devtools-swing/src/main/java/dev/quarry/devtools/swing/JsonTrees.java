package dev.quarry.devtools.swing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import javax.swing.tree.DefaultMutableTreeNode;
import javax.swing.tree.DefaultTreeModel;
import javax.swing.tree.TreeModel;

/**
 * JSON as a Swing tree: objects and arrays are branches, scalars are {@code name: value} leaves.
 */
final class JsonTrees {
  /** Nodes past this many are summarised, so a huge cache entry cannot stall the EDT. */
  static final int MAX_NODES = 2_000;

  private JsonTrees() {}

  static TreeModel model(String rootLabel, JsonNode json) {
    int[] budget = {MAX_NODES};
    return new DefaultTreeModel(node(rootLabel, json, budget));
  }

  static TreeModel empty(String label) {
    return new DefaultTreeModel(new DefaultMutableTreeNode(label));
  }

  private static DefaultMutableTreeNode node(String name, JsonNode json, int[] budget) {
    budget[0]--;
    if (json.isObject()) {
      DefaultMutableTreeNode n = new DefaultMutableTreeNode(name + " {" + json.size() + "}");
      for (Map.Entry<String, JsonNode> f : json.properties()) {
        if (budget[0] <= 0) {
          n.add(new DefaultMutableTreeNode("..."));
          break;
        }
        n.add(node(f.getKey(), f.getValue(), budget));
      }
      return n;
    }
    if (json.isArray()) {
      DefaultMutableTreeNode n = new DefaultMutableTreeNode(name + " [" + json.size() + "]");
      for (int i = 0; i < json.size(); i++) {
        if (budget[0] <= 0) {
          n.add(new DefaultMutableTreeNode("... " + (json.size() - i) + " more"));
          break;
        }
        n.add(node(String.valueOf(i), json.get(i), budget));
      }
      return n;
    }
    return new DefaultMutableTreeNode(name + ": " + json);
  }
}

package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.realtime.RoutingRule;
import dev.quarry.realtime.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The built-in routing rules' index finds exactly the topics, in order, that asking the rule of
 * each topic finds: for random topics and events whose params and fields share names and values of
 * every JSON kind (numbers of different types that print alike, nulls, objects, missing fields).
 */
class ParamsRoutingTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String[] NAMES = {"executionId", "projectId", "kind"};

  @Test
  void theIndex_routesAsTheRuleDoes_forEveryBuiltInRule() {
    Random r = new Random(7);
    List<RoutingRule> rules =
        List.of(
            RoutingRule.matchingParams(),
            RoutingRule.byField("executionId"),
            RoutingRule.byField("kind"));
    int routedSomewhere = 0;
    int routedToSeveral = 0;
    for (RoutingRule rule : rules) {
      ParamsRouting params = (ParamsRouting) rule;
      for (int round = 0; round < 200; round++) {
        List<Topic> topics = new ArrayList<>();
        int n = 1 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
          topics.add(Topic.of("t" + r.nextInt(2), object(r, 3)));
        }
        ParamsRouting.Index<Topic> index = params.index(topics, Function.identity());
        for (int e = 0; e < 20; e++) {
          List<JsonNode> args = args(r);
          List<Topic> expected = new ArrayList<>();
          for (Topic t : topics) {
            if (rule.routes(t, "e", args)) {
              expected.add(t);
            }
          }
          assertThat(index.matches(args)).as("%s %s", topics, args).isEqualTo(expected);
          routedSomewhere += expected.isEmpty() ? 0 : 1;
          routedToSeveral += expected.size() > 1 ? 1 : 0;
        }
      }
    }
    // the random cases reach every branch: nothing, one topic, several
    assertThat(routedSomewhere).isGreaterThan(1_000);
    assertThat(routedToSeveral).isGreaterThan(300);
  }

  @Test
  void byField_ofNull_isAClearError() {
    assertThatThrownBy(() -> RoutingRule.byField(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("field");
  }

  private static List<JsonNode> args(Random r) {
    return switch (r.nextInt(10)) {
      case 0 -> List.of();
      case 1 -> List.of(MAPPER.getNodeFactory().textNode("not an object"));
      default -> List.of(object(r, 3), MAPPER.getNodeFactory().numberNode(1));
    };
  }

  /** An object of up to {@code max} of the shared names, with values drawn from a small set. */
  private static ObjectNode object(Random r, int max) {
    ObjectNode o = MAPPER.createObjectNode();
    int fields = r.nextInt(max + 1);
    for (int i = 0; i < fields; i++) {
      o.set(NAMES[r.nextInt(NAMES.length)], value(r));
    }
    return o;
  }

  private static JsonNode value(Random r) {
    var f = MAPPER.getNodeFactory();
    return switch (r.nextInt(7)) {
      case 0 -> f.textNode("e1");
      case 1 -> f.textNode("e2");
      case 2 -> f.numberNode(1);
      case 3 -> f.numberNode(1L);
      case 4 -> f.numberNode(1.0);
      case 5 -> f.nullNode();
      default -> f.objectNode().put("a", 1);
    };
  }
}

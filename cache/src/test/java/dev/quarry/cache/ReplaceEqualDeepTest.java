package dev.quarry.cache;

import static dev.quarry.cache.QueryOptions.replaceEqualDeep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@link QueryOptions#replaceEqualDeep} keeps, replaces and builds, kind by kind. */
class ReplaceEqualDeepTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Tag(String name) {}

  record Episode(String id, String title, int number, List<Tag> tags) {}

  private static final AtomicBoolean REFUSE = new AtomicBoolean();

  /** A record whose constructor can be told to refuse everything from now on. */
  record Guarded(String a, String b) {
    Guarded {
      if (REFUSE.get()) {
        throw new IllegalStateException("refused");
      }
    }
  }

  private static Episode episode(String id, String title) {
    return new Episode(id, title, Integer.parseInt(id), new ArrayList<>(List.of(new Tag("a"))));
  }

  private static ArrayList<Episode> page(String... titles) {
    ArrayList<Episode> out = new ArrayList<>();
    for (int i = 0; i < titles.length; i++) {
      out.add(episode(String.valueOf(1000 + i), titles[i]));
    }
    return out;
  }

  // ---------------------------------------------------------------- lists and records

  @Test
  void equalList_givesTheOldList() {
    ArrayList<Episode> old = page("a", "b", "c");
    ArrayList<Episode> fresh = page("a", "b", "c");

    assertSame(old, replaceEqualDeep(old, fresh));
  }

  @Test
  void list_keepsUnchangedElements_andRebuildsOnlyTheChangedRecord() {
    ArrayList<Episode> old = page("a", "b", "c");
    ArrayList<Episode> fresh = page("a", "B", "c");

    List<Episode> shared = replaceEqualDeep(old, fresh);

    assertThat(shared).isNotSameAs(old).isNotSameAs(fresh).isInstanceOf(ArrayList.class);
    assertThat(shared).isEqualTo(fresh);
    assertSame(old.get(0), shared.get(0));
    assertSame(old.get(2), shared.get(2));
    Episode changed = shared.get(1);
    assertThat(changed).isNotSameAs(old.get(1)).isNotSameAs(fresh.get(1));
    assertSame(fresh.get(1).title(), changed.title());
    assertSame(old.get(1).id(), changed.id());
    assertSame(old.get(1).tags(), changed.tags());
  }

  @Test
  void neitherInputIsModified() {
    ArrayList<Episode> old = page("a", "b");
    ArrayList<Episode> fresh = page("a", "B", "c");
    List<Episode> oldCopy = List.copyOf(old);
    List<Episode> freshElements = List.copyOf(fresh);

    replaceEqualDeep(old, fresh);

    assertThat(old).containsExactlyElementsOf(oldCopy);
    for (int i = 0; i < fresh.size(); i++) {
      assertSame(freshElements.get(i), fresh.get(i));
    }
  }

  @Test
  void listThatGrowsOrShrinks_keepsTheCommonPrefix() {
    ArrayList<Episode> old = page("a", "b");
    ArrayList<Episode> longer = page("a", "b", "c");
    ArrayList<Episode> shorter = page("a");

    List<Episode> grown = replaceEqualDeep(old, longer);
    List<Episode> shrunk = replaceEqualDeep(old, shorter);

    assertThat(grown).hasSize(3);
    assertSame(old.get(0), grown.get(0));
    assertSame(old.get(1), grown.get(1));
    assertSame(longer.get(2), grown.get(2));
    assertThat(shrunk).hasSize(1);
    assertSame(old.get(0), shrunk.get(0));
  }

  @Test
  void listWithNothingEqual_isTheNewListItself() {
    List<Tag> fresh = List.of(new Tag("q"), new Tag("s"));

    assertSame(fresh, replaceEqualDeep(List.of(new Tag("r")), fresh));
  }

  @Test
  void rebuiltLists_keepTheNewListsKind() {
    LinkedList<Tag> oldLinked = new LinkedList<>(List.of(new Tag("a"), new Tag("b")));
    LinkedList<Tag> freshLinked = new LinkedList<>(List.of(new Tag("a"), new Tag("c")));
    List<Tag> oldImmutable = List.of(new Tag("a"), new Tag("b"));
    List<Tag> freshImmutable = List.of(new Tag("a"), new Tag("c"));

    List<Tag> linked = replaceEqualDeep(oldLinked, freshLinked);
    List<Tag> immutable = replaceEqualDeep(oldImmutable, freshImmutable);

    assertThat(linked).isInstanceOf(LinkedList.class).containsExactlyElementsOf(freshLinked);
    assertSame(oldLinked.get(0), linked.get(0));
    assertThat(immutable).containsExactlyElementsOf(freshImmutable);
    assertSame(oldImmutable.get(0), immutable.get(0));
    assertThatThrownBy(() -> immutable.add(new Tag("d")))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  /** A list class Quarry cannot build: kept whole when unchanged, else stored as it came. */
  static final class Fixed extends AbstractList<Tag> {
    private final Tag[] tags;

    Fixed(Tag... tags) {
      this.tags = tags;
    }

    @Override
    public Tag get(int index) {
      return tags[index];
    }

    @Override
    public int size() {
      return tags.length;
    }
  }

  @Test
  void listOfAnotherClass_isTheOldOneWhenEqual_elseTheNewOneAsItCame() {
    Fixed old = new Fixed(new Tag("a"), new Tag("b"));

    assertSame(old, replaceEqualDeep(old, new Fixed(new Tag("a"), new Tag("b"))));
    Fixed changed = new Fixed(new Tag("a"), new Tag("c"));
    assertSame(changed, replaceEqualDeep(old, changed));
  }

  @Test
  void equalRecord_givesTheOldRecord_andAChangedPrimitiveRebuildsIt() {
    Episode old = episode("1", "a");

    assertSame(old, replaceEqualDeep(old, episode("1", "a")));
    Episode renumbered = new Episode("1", "a", 2, new ArrayList<>(List.of(new Tag("a"))));
    Episode shared = replaceEqualDeep(old, renumbered);
    assertThat(shared).isEqualTo(renumbered);
    assertSame(old.tags(), shared.tags());
    assertSame(old.title(), shared.title());
  }

  @Test
  void recordWhoseConstructorRefusesTheMix_isTheNewRecord() {
    Guarded old = new Guarded(new String("a"), "b");
    Guarded fresh = new Guarded(new String("a"), "c");
    try {
      REFUSE.set(true);

      assertSame(fresh, replaceEqualDeep(old, fresh));
    } finally {
      REFUSE.set(false);
    }
    Guarded mixed = replaceEqualDeep(old, fresh);
    assertThat(mixed).isNotSameAs(fresh).isEqualTo(fresh);
    assertSame(old.a(), mixed.a());
  }

  // ---------------------------------------------------------------- maps

  @Test
  void linkedHashMap_keepsUnchangedValues_andTheNewOrder() {
    Map<String, Object> old = new LinkedHashMap<>();
    old.put("a", page("x"));
    old.put("b", page("y"));
    old.put("c", "same");
    Map<String, Object> fresh = new LinkedHashMap<>();
    fresh.put("c", "same");
    fresh.put("a", page("x"));
    fresh.put("b", page("Y"));
    fresh.put("d", 4);

    Map<String, Object> shared = replaceEqualDeep(old, fresh);

    assertThat(shared).isInstanceOf(LinkedHashMap.class).isEqualTo(fresh);
    assertThat(shared.keySet()).containsExactly("c", "a", "b", "d");
    assertSame(old.get("a"), shared.get("a"));
    assertSame(old.get("c"), shared.get("c"));
    assertThat(shared.get("b")).isNotSameAs(old.get("b")).isEqualTo(fresh.get("b"));
  }

  @Test
  void equalMap_givesTheOldMap_butAReorderedLinkedHashMapIsNew() {
    Map<String, Object> old = new LinkedHashMap<>(Map.of("a", page("x")));
    old.put("b", 2);
    Map<String, Object> same = new LinkedHashMap<>(Map.of("a", page("x")));
    same.put("b", 2);
    Map<String, Object> reordered = new LinkedHashMap<>();
    reordered.put("b", 2);
    reordered.put("a", page("x"));

    assertSame(old, replaceEqualDeep(old, same));
    Map<String, Object> shared = replaceEqualDeep(old, reordered);
    assertThat(shared).isNotSameAs(old);
    assertThat(shared.keySet()).containsExactly("b", "a");
    assertSame(old.get("a"), shared.get("a"));
  }

  @Test
  void rebuiltMaps_keepTheNewMapsKind() {
    Map<String, Tag> oldHash = new HashMap<>(Map.of("a", new Tag("1"), "b", new Tag("2")));
    Map<String, Tag> freshHash = new HashMap<>(Map.of("a", new Tag("1"), "b", new Tag("3")));
    TreeMap<String, Tag> oldTree = new TreeMap<>(Comparator.reverseOrder());
    oldTree.putAll(oldHash);
    TreeMap<String, Tag> freshTree = new TreeMap<>(Comparator.reverseOrder());
    freshTree.putAll(freshHash);
    Map<String, Tag> oldImmutable = Map.copyOf(oldHash);
    Map<String, Tag> freshImmutable = Map.copyOf(freshHash);

    Map<String, Tag> hash = replaceEqualDeep(oldHash, freshHash);
    Map<String, Tag> tree = replaceEqualDeep(oldTree, freshTree);
    Map<String, Tag> immutable = replaceEqualDeep(oldImmutable, freshImmutable);

    assertThat(hash).isInstanceOf(HashMap.class).isEqualTo(freshHash);
    assertSame(oldHash.get("a"), hash.get("a"));
    assertThat(tree).isInstanceOf(TreeMap.class).isEqualTo(freshTree);
    assertThat(((TreeMap<String, Tag>) tree).comparator()).isEqualTo(Comparator.reverseOrder());
    assertSame(oldTree.get("a"), tree.get("a"));
    assertThat(immutable).isEqualTo(freshImmutable);
    assertSame(oldImmutable.get("a"), immutable.get("a"));
    assertThatThrownBy(() -> immutable.put("c", new Tag("4")))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void mapKeysTheOldMapCannotLookUp_countAsNew() {
    Map<String, Integer> old = Map.of("a", 1); // Map.of rejects a null key in containsKey
    Map<String, Integer> fresh = new HashMap<>();
    fresh.put(null, 1);
    fresh.put("a", 1);

    Map<String, Integer> shared = replaceEqualDeep(old, fresh);

    assertThat(shared).isEqualTo(fresh);
  }

  // ---------------------------------------------------------------- Jackson trees

  @Test
  void jsonTree_keepsUnchangedSubtrees_andNeverModifiesEitherTree() throws Exception {
    JsonNode old =
        JSON.readTree(
            "{\"page\":1,\"items\":[{\"id\":1,\"t\":\"a\"},{\"id\":2,\"t\":\"b\"}],"
                + "\"meta\":{\"total\":2}}");
    JsonNode fresh =
        JSON.readTree(
            "{\"page\":1,\"items\":[{\"id\":1,\"t\":\"a\"},{\"id\":2,\"t\":\"B\"}],"
                + "\"meta\":{\"total\":2}}");
    String oldText = old.toString();
    String freshText = fresh.toString();

    JsonNode shared = replaceEqualDeep(old, fresh);

    assertThat(shared).isInstanceOf(ObjectNode.class).isEqualTo(fresh);
    assertThat(shared).isNotSameAs(old).isNotSameAs(fresh);
    assertSame(old.get("page"), shared.get("page"));
    assertSame(old.get("meta"), shared.get("meta"));
    assertSame(old.get("items").get(0), shared.get("items").get(0));
    assertThat(shared.get("items")).isNotSameAs(old.get("items"));
    assertSame(old.get("items").get(1).get("id"), shared.get("items").get(1).get("id"));
    assertSame(fresh.get("items").get(1).get("t"), shared.get("items").get(1).get("t"));
    assertThat(old.toString()).isEqualTo(oldText);
    assertThat(fresh.toString()).isEqualTo(freshText);
    assertThat(shared.get("items").get(0)).isNotSameAs(fresh.get("items").get(0));
    assertSame(old.get("items").get(0), ((ArrayNode) shared.get("items")).get(0));
  }

  @Test
  void equalJsonTree_givesTheOldRoot_andDifferentNodeKindsGiveTheNewOne() throws Exception {
    JsonNode old = JSON.readTree("[{\"a\":[1,2,{\"b\":null}]},\"x\",1.5]");
    JsonNode same = JSON.readTree("[{\"a\":[1,2,{\"b\":null}]},\"x\",1.5]");
    JsonNode other = JSON.readTree("{\"a\":1}");

    assertSame(old, replaceEqualDeep(old, same));
    assertSame(other, replaceEqualDeep(old, other));
  }

  @Test
  void jsonValueNodes_andOtherValues_areKeptWhenEqual() throws Exception {
    JsonNode oldText = JSON.readTree("\"x\"");
    Instant oldTime = Instant.parse("2026-12-06T00:00:00Z");
    BigDecimal oldAmount = new BigDecimal("1.50");

    assertSame(oldText, replaceEqualDeep(oldText, JSON.readTree("\"x\"")));
    assertSame(oldTime, replaceEqualDeep(oldTime, Instant.parse("2026-12-06T00:00:00Z")));
    BigDecimal scaled = new BigDecimal("1.5"); // not equals: another scale
    assertSame(scaled, replaceEqualDeep(oldAmount, scaled));
  }

  @Test
  void recordsOfJsonAndMaps_areWalkedTheSameWay() throws Exception {
    record Doc(JsonNode body, Map<String, List<Tag>> index) {}
    Doc old =
        new Doc(
            JSON.readTree("{\"a\":{\"x\":1},\"b\":2}"),
            new LinkedHashMap<>(Map.of("k", List.of(new Tag("t")))));
    Doc fresh =
        new Doc(
            JSON.readTree("{\"a\":{\"x\":1},\"b\":3}"),
            new LinkedHashMap<>(Map.of("k", List.of(new Tag("t")))));

    Doc shared = replaceEqualDeep(old, fresh);

    assertThat(shared).isEqualTo(fresh);
    assertSame(old.index(), shared.index());
    assertSame(old.body().get("a"), shared.body().get("a"));
  }

  // ---------------------------------------------------------------- pathological input

  private static List<Object> nested(int depth) {
    List<Object> root = new ArrayList<>();
    List<Object> at = root;
    for (int i = 0; i < depth; i++) {
      List<Object> next = new ArrayList<>();
      at.add(next);
      at = next;
    }
    at.add("leaf");
    return root;
  }

  @Test
  void deeplyNestedInput_doesNotOverflowTheStack() {
    List<Object> old = nested(100_000);
    List<Object> fresh = nested(100_000);

    // Too deep to compare even whole: the new value is stored as it came.
    List<Object> shared = replaceEqualDeep(old, fresh);

    assertThat(shared == fresh).isTrue();
  }

  @Test
  void inputDeeperThanTheWalk_butComparableWhole_isStillKept() {
    List<Object> old = nested(900);

    assertThat(replaceEqualDeep(old, nested(900)) == old).isTrue();
  }

  @Test
  void deepJsonTree_doesNotOverflowTheStack() {
    ObjectNode old = JSON.createObjectNode();
    ObjectNode fresh = JSON.createObjectNode();
    ObjectNode a = old;
    ObjectNode b = fresh;
    for (int i = 0; i < 50_000; i++) {
      a = a.putObject("n");
      b = b.putObject("n");
    }
    b.put("changed", true);

    JsonNode shared = replaceEqualDeep(old, fresh);

    assertThat(shared == fresh).isTrue();
  }

  record Link(int value, Link next) {}

  private static Link chain(int length, int bottom) {
    Link at = new Link(bottom, null);
    for (int i = 1; i < length; i++) {
      at = new Link(i, at);
    }
    return at;
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void deepChainOfRecords_doesNotOverflowTheStack_norIsComparedWholeAtEveryLevel() {
    // Comparing the rest of the chain whole at each of the 500 walked levels, each time running
    // out of stack, took 11.5 s in one run on a loaded machine; the walk stops trying after the
    // first overflow.
    Link old = chain(100_000, 0);

    Link same = replaceEqualDeep(old, chain(100_000, 0));
    Link changedAtTheBottom = chain(100_000, 1);
    Link shared = replaceEqualDeep(old, changedAtTheBottom);

    assertThat(same == old || same.value() == old.value()).isTrue(); // equal: either is right
    assertThat(shared != old).isTrue();
  }

  /** A record whose equals compares ids only: its own definition of "unchanged". */
  record ById(String id, String title) {
    @Override
    public boolean equals(Object o) {
      return o instanceof ById other && id.equals(other.id);
    }

    @Override
    public int hashCode() {
      return id.hashCode();
    }
  }

  @Test
  void record_isKeptWhenItsOwnEqualsSaysUnchanged_elseWalked() {
    ById old = new ById("1", "a");
    ArrayList<ById> oldList = new ArrayList<>(List.of(old, new ById("2", "b")));
    ArrayList<ById> freshList = new ArrayList<>(List.of(new ById("1", "A"), new ById("3", "c")));

    List<ById> shared = replaceEqualDeep(oldList, freshList);

    assertSame(old, replaceEqualDeep(old, new ById("1", "A")));
    assertSame(old, shared.get(0));
    assertSame(freshList.get(1), shared.get(1));
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void largeLinkedLists_areComparedInLinearTime() {
    // Index-wise access on a LinkedList is linear: comparing by index would be quadratic
    // (2 * 10^10 steps here) and hit the timeout.
    LinkedList<Integer> old = new LinkedList<>();
    LinkedList<Integer> fresh = new LinkedList<>();
    for (int i = 0; i < 200_000; i++) {
      old.add(i + 1_000_000);
      fresh.add(i == 100_000 ? -1 : i + 1_000_000);
    }

    List<Integer> shared = replaceEqualDeep(old, fresh);

    assertThat(shared).isInstanceOf(LinkedList.class).hasSize(200_000);
    assertSame(old.getFirst(), shared.get(0));
    assertThat(shared.get(100_000)).isEqualTo(-1);
  }

  @Test
  void nullArguments_areRejected_butNullElementsAreFine() {
    List<String> old = Arrays.asList("a", null);
    List<String> fresh = Arrays.asList("a", null);

    assertSame(old, replaceEqualDeep(old, fresh));
    assertThatThrownBy(() -> replaceEqualDeep(null, fresh))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("old");
  }
}

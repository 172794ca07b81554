package dev.quarry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Keys, hashing and matching as in spec section 2.10. */
class QueryKeyTest {

  record Filter(String status, int page) {}

  @Nested
  class Hashing {
    @Test
    void mapsDifferingOnlyInEntryOrder_areEqualAndHashAlike() {
      QueryKey a = QueryKey.of("todos", Map.of("b", 2, "a", 1));
      QueryKey b = QueryKey.of("todos", Map.of("a", 1, "b", 2));
      assertThat(a).isEqualTo(b);
      assertThat(a.hashCode()).isEqualTo(b.hashCode());
      assertThat(a.hash()).isEqualTo(b.hash());
    }

    @Test
    void hash_sortsObjectKeysRecursively() {
      Map<String, Object> inner = new LinkedHashMap<>();
      inner.put("z", 1);
      inner.put("y", Map.of("d", 1, "c", 2));
      Map<String, Object> outer = new LinkedHashMap<>();
      outer.put("b", 2);
      outer.put("a", inner);
      assertThat(QueryKey.of(outer).hash())
          .isEqualTo("[{\"a\":{\"y\":{\"c\":2,\"d\":1},\"z\":1},\"b\":2}]");
    }

    @Test
    void toString_isTheCanonicalJson() {
      assertThat(QueryKey.of("episodes", "p1", Map.of("page", 2)).toString())
          .isEqualTo("[\"episodes\",\"p1\",{\"page\":2}]");
    }

    @Test
    void undefinedMapProperty_isDropped_soItHashesLikeTheEmptyObject() {
      Map<String, Object> withUndefined = new HashMap<>();
      withUndefined.put("a", Optional.empty());
      assertThat(QueryKey.of(withUndefined)).isEqualTo(QueryKey.of(Map.of()));
      assertThat(QueryKey.of(withUndefined).hash()).isEqualTo("[{}]");
    }

    @Test
    void undefinedListElement_becomesNull() {
      assertThat(QueryKey.of(List.of(1, Optional.empty(), 3)).hash()).isEqualTo("[[1,null,3]]");
      assertThat(QueryKey.of("a", Optional.empty())).isEqualTo(QueryKey.of("a", null));
    }

    @Test
    void nullIsAValue_distinctFromMissing() {
      Map<String, Object> withNull = new HashMap<>();
      withNull.put("a", null);
      assertThat(QueryKey.of(withNull).hash()).isEqualTo("[{\"a\":null}]");
      assertThat(QueryKey.of(withNull)).isNotEqualTo(QueryKey.of(Map.of()));
    }

    @Test
    void integralNumbersOfAnyType_areEqual() {
      assertThat(QueryKey.of(1)).isEqualTo(QueryKey.of(1L));
      assertThat(QueryKey.of((short) 1)).isEqualTo(QueryKey.of(1.0));
      assertThat(QueryKey.of(2.5).hash()).isEqualTo("[2.5]");
      assertThat(QueryKey.of(1)).isNotEqualTo(QueryKey.of("1"));
    }

    @Test
    void nonPlainObjects_useTheirJsonForm() {
      assertThat(QueryKey.of(new Filter("draft", 2)))
          .isEqualTo(QueryKey.of(Map.of("page", 2, "status", "draft")));
      assertThat(QueryKey.of(LocalDate.of(2026, 12, 1)).hash()).isEqualTo("[\"2026-12-01\"]");
      assertThat(QueryKey.of(Thread.State.NEW).hash()).isEqualTo("[\"NEW\"]");
    }

    @Test
    void partsAreCopied_soLaterChangesToTheInputDoNotChangeTheKey() {
      List<Object> list = new ArrayList<>(List.of(1, 2));
      QueryKey key = QueryKey.of("k", list);
      list.add(3);
      assertThat(key.hash()).isEqualTo("[\"k\",[1,2]]");
      assertThatThrownBy(() -> key.parts().add("x"))
          .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void fromJson_roundTripsTheHash() {
      QueryKey key = QueryKey.of("episodes", 7, Map.of("f", List.of(true, false)), null);
      assertThat(QueryKey.fromJson(key.hash())).isEqualTo(key);
    }

    @Test
    void fromJson_ofSomethingElseThanAnArray_isRefusedNamingIt() {
      assertThatThrownBy(() -> QueryKey.fromJson("{\"a\":1}"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("JSON array");
      assertThatThrownBy(() -> QueryKey.fromJson("[1,"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[1,");
    }

    @Test
    void unorderedSet_isRefusedNamingThePart() {
      assertThatThrownBy(() -> QueryKey.of("a", new HashSet<>(List.of(1, 2))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("part 1")
          .hasMessageContaining("Set");
      assertThat(QueryKey.of(new TreeSet<>(List.of(2, 1))).hash()).isEqualTo("[[1,2]]");
    }

    @Test
    void nonFiniteNumber_isRefused() {
      assertThatThrownBy(() -> QueryKey.of(Double.NaN))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("part 0");
    }

    @Test
    void append_andConcat_extendTheKey() {
      QueryKey scope = QueryKey.of("project", "p1");
      assertThat(scope.append("episodes")).isEqualTo(QueryKey.of("project", "p1", "episodes"));
      assertThat(scope.concat(QueryKey.of("episodes", 2)))
          .isEqualTo(QueryKey.of("project", "p1", "episodes", 2));
    }
  }

  @Nested
  class PartialMatching {
    @Test
    void prefix_matchesLongerKey() {
      assertThat(QueryKey.of("todos", 1).matches(QueryKey.of("todos"))).isTrue();
      assertThat(QueryKey.of("todos").matches(QueryKey.of("todos", 1))).isFalse();
    }

    @Test
    void emptyFilter_matchesEverything() {
      assertThat(QueryKey.of("todos", 1).matches(QueryKey.empty())).isTrue();
      assertThat(QueryKey.empty().matches(QueryKey.empty())).isTrue();
      assertThat(QueryKey.of(Map.of("a", 1)).matches(QueryKey.of())).isTrue();
    }

    @Test
    void equalPrimitives_match_differingTypesDoNot() {
      assertThat(QueryKey.of("a", 1).matches(QueryKey.of("a", 1))).isTrue();
      assertThat(QueryKey.of("a", 1).matches(QueryKey.of("a", "1"))).isFalse();
      assertThat(QueryKey.of(true).matches(QueryKey.of("true"))).isFalse();
    }

    @Test
    void mapFilter_matchesKeyMapWithExtraEntries_butNotOneLackingAnEntry() {
      QueryKey key = QueryKey.of("todos", Map.of("status", "done", "page", 2));
      assertThat(key.matches(QueryKey.of("todos", Map.of("status", "done")))).isTrue();
      assertThat(key.matches(QueryKey.of("todos", Map.of("status", "done", "owner", "me"))))
          .isFalse();
      assertThat(key.matches(QueryKey.of("todos", Map.of("status", "open")))).isFalse();
    }

    @Test
    void nestedMapsAndLists_matchStructurally() {
      QueryKey key = QueryKey.of("q", Map.of("f", Map.of("a", 1, "b", List.of(1, 2, 3))));
      assertThat(key.matches(QueryKey.of("q", Map.of("f", Map.of("b", List.of(1, 2)))))).isTrue();
      assertThat(key.matches(QueryKey.of("q", Map.of("f", Map.of("b", List.of(2)))))).isFalse();
    }

    @Test
    void undefinedFilterProperty_matchesAMissingProperty() {
      Map<String, Object> filter = new HashMap<>();
      filter.put("status", "done");
      filter.put("owner", Optional.empty());
      assertThat(QueryKey.of(Map.of("status", "done")).matches(QueryKey.of(filter))).isTrue();
    }

    @Test
    void nullFilterProperty_doesNotMatchAMissingProperty() {
      Map<String, Object> filter = new HashMap<>();
      filter.put("owner", null);
      assertThat(QueryKey.of(Map.of("status", "done")).matches(QueryKey.of(filter))).isFalse();
    }

    @Test
    void null_neverMatchesAMap() {
      assertThat(
              QueryKey.of("a", Map.of("x", 1)).matches(QueryKey.fromList(Arrays.asList("a", null))))
          .isFalse();
      assertThat(
              QueryKey.fromList(Arrays.asList("a", (Object) null))
                  .matches(QueryKey.of("a", Map.of())))
          .isFalse();
      assertThat(
              QueryKey.fromList(Arrays.asList("a", (Object) null))
                  .matches(QueryKey.fromList(Arrays.asList("a", (Object) null))))
          .isTrue();
    }

    @Test
    void exactMatching_isEquality() {
      assertThat(QueryKey.of("todos", 1)).isNotEqualTo(QueryKey.of("todos"));
      assertThat(QueryKey.of("todos", Map.of("a", 1)))
          .isEqualTo(QueryKey.of("todos", Map.of("a", 1L)));
    }
  }
}

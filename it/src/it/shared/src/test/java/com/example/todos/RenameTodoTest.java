package com.example.todos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.Quarry;
import dev.quarry.cache.QueryOptions;
import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** README.md's mutation example, and Quarry on virtual time, in an application's own tests. */
class RenameTodoTest {
  @Test
  void aRefusedRenameIsRolledBack_anAcceptedOneStays() throws Exception {
    try (TodoServer server = new TodoServer();
        Quarry quarry = Quarry.builder().baseUrl(server.baseUrl()).build()) {
      QueryOptions<List<FirstApp.Todo>> todos =
          quarry.query(FirstApp.TODOS, http -> http.get("todos", FirstApp.TODOS.type()));
      quarry.fetch(todos).get(10, TimeUnit.SECONDS);
      var rename = RenameTodo.create(quarry);

      assertThatThrownBy(() -> rename.mutate(new FirstApp.Todo("t1", " ")).get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasMessageContaining("422");
      assertThat(quarry.getQueryData(FirstApp.TODOS).orElseThrow())
          .containsExactly(new FirstApp.Todo("t1", "Buy milk"));

      rename.mutate(new FirstApp.Todo("t1", "Buy oat milk")).get(10, TimeUnit.SECONDS);
      assertThat(quarry.fetch(todos).get(10, TimeUnit.SECONDS))
          .containsExactly(new FirstApp.Todo("t1", "Buy oat milk"));
    }
  }

  @Test
  void staleTimeRunsOnVirtualTime() throws Exception {
    VirtualTime time = new VirtualTime();
    try (TodoServer server = new TodoServer();
        Quarry quarry =
            Quarry.builder()
                .baseUrl(server.baseUrl())
                .time(time, time)
                .callbackExecutor(VirtualTime.direct())
                .queryDefaults(d -> d.staleTime(Duration.ofMinutes(5)))
                .build()) {
      QueryOptions<List<FirstApp.Todo>> todos =
          quarry.query(FirstApp.TODOS, http -> http.get("todos", FirstApp.TODOS.type()));

      quarry.fetch(todos).get(10, TimeUnit.SECONDS);
      quarry.fetch(todos).get(10, TimeUnit.SECONDS);
      assertThat(server.requests).hasSize(1);

      time.advance(Duration.ofMinutes(6));
      quarry.fetch(todos).get(10, TimeUnit.SECONDS);
      assertThat(server.requests).hasSize(2);
    }
  }
}

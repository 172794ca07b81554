package com.example.boot;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.quarry.Quarry;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonType;
import dev.quarry.optimistic.MutationObserver;
import dev.quarry.optimistic.MutationOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Service;

/** The application's todo list, read and written through the auto-configured {@code Quarry}. */
@Service
public class Todos {
  public record Todo(String id, String title) {}

  static final QueryKey KEY = QueryKey.of("todos");
  static final JsonType<List<Todo>> TODOS = JsonType.of(new TypeReference<>() {});

  private final Quarry quarry;
  private final QueryOptions<List<Todo>> list;
  private final MutationObserver<Todo, Todo, Void> rename;

  public Todos(Quarry quarry) {
    this.quarry = quarry;
    this.list = quarry.query(KEY, http -> http.get("todos", TODOS));
    this.rename =
        quarry.mutation(
            MutationOptions.<Todo, Todo, Void>builder()
                .mutationFn((todo, ctx) -> ctx.http().put("todos/" + todo.id(), todo, Todo.class))
                .<List<Todo>>optimistic(todo -> KEY, (l, todo) -> l.map(old -> replace(old, todo)))
                .build());
  }

  public CompletableFuture<List<Todo>> all() {
    return quarry.fetch(list);
  }

  public CompletableFuture<Todo> rename(Todo todo) {
    return rename.mutate(todo);
  }

  public List<Todo> cached() {
    return quarry.<List<Todo>>getQueryData(KEY).orElse(List.of());
  }

  private static List<Todo> replace(List<Todo> list, Todo changed) {
    return list.stream().map(t -> t.id().equals(changed.id()) ? changed : t).toList();
  }
}

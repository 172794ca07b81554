package dev.quarry.optimistic.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QuarryException;
import dev.quarry.core.http.JsonType;
import dev.quarry.optimistic.DehydratedMutations;
import dev.quarry.optimistic.MutationInfo;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.optimistic.MutationState;
import dev.quarry.optimistic.MutationStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Writes a client's mutations out as {@link DehydratedMutations} and builds them again from it.
 * Stateless apart from the mapper; any thread. Errors with one mutation are reported to the error
 * handler, naming it, and the others still go through.
 */
final class MutationHydration {
  private static final TypeReference<Map<String, Object>> META = new TypeReference<>() {};

  private final ObjectMapper mapper;
  private final ErrorHandler errorHandler;

  MutationHydration(ObjectMapper mapper, ErrorHandler errorHandler) {
    this.mapper = mapper;
    this.errorHandler = errorHandler;
  }

  /** The default filter: paused mutations that are not kept by the outbox already. */
  static boolean pausedAndNotInTheOutbox(MutationInfo info) {
    return info.state().isPaused() && info.idempotencyKey().isEmpty();
  }

  DehydratedMutations dehydrate(
      List<RealMutation<?, ?, ?>> mutations, Predicate<? super MutationInfo> filter) {
    List<DehydratedMutations.Entry> out = new ArrayList<>();
    for (RealMutation<?, ?, ?> m : mutations) {
      MutationInfo info = m.info();
      if (!filter.test(info)) {
        continue;
      }
      MutationState<?, ?, ?> s = info.state();
      try {
        JsonNode variables = mapper.valueToTree(m.variables);
        JsonNode meta = mapper.valueToTree(info.meta());
        out.add(
            new DehydratedMutations.Entry(
                info.mutationKey(),
                variables,
                info.scope(),
                meta,
                s.status(),
                s.isPaused(),
                s.failureCount(),
                s.submittedAt()));
      } catch (IllegalArgumentException e) {
        errorHandler.safeHandle("dehydrating " + m.describe() + ": its variables are not JSON", e);
      }
    }
    return new DehydratedMutations(out);
  }

  /**
   * Builds each entry's options (its key, scope and meta over the client's defaults) and state, and
   * hands them to {@code restore}; an entry whose variables cannot be read is reported and skipped.
   */
  void hydrate(
      DehydratedMutations state,
      Function<MutationOptions<Object, Object, Object>, MutationOptions<Object, Object, Object>>
          withDefaults,
      Restorer restore) {
    int i = 0;
    for (DehydratedMutations.Entry e : state.mutations()) {
      String what = "dehydrated mutation " + i++ + e.mutationKey().map(k -> " " + k).orElse("");
      try {
        if (e.status() == MutationStatus.IDLE) {
          throw new QuarryException(what + " is idle: there is nothing to hydrate");
        }
        MutationOptions.Builder<Object, Object, Object> b = MutationOptions.builder();
        e.mutationKey().ifPresent(b::mutationKey);
        e.scope().ifPresent(b::scope);
        if (e.meta().size() > 0) {
          b.meta(mapper.readerFor(META).<Map<String, Object>>readValue(e.meta()));
        }
        MutationOptions<Object, Object, Object> options = withDefaults.apply(b.build());
        Optional<JsonType<Object>> type = options.variablesType();
        if (type.isEmpty()) {
          throw new QuarryException(
              what
                  + ": no variablesType to read its variables with: register one with"
                  + " setMutationDefaults for its key");
        }
        Object variables =
            mapper.readerFor(type.get().resolve(mapper.getTypeFactory())).readValue(e.variables());
        if (variables == null) {
          throw new QuarryException(what + ": its variables are null");
        }
        restore.restore(
            options,
            new MutationState<>(
                e.status(),
                e.isPaused(),
                Optional.of(variables),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                e.failureCount(),
                Optional.empty(),
                e.submittedAt()));
      } catch (IOException | RuntimeException failure) {
        errorHandler.safeHandle("hydrating " + what, failure);
      }
    }
  }

  /** Builds one mutation from options and a state. */
  @FunctionalInterface
  interface Restorer {
    void restore(
        MutationOptions<Object, Object, Object> options,
        MutationState<Object, Object, Object> state);
  }
}

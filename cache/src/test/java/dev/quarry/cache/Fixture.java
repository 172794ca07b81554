package dev.quarry.cache;

import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.testing.VirtualTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A client on virtual time with a direct callback executor and recorded errors. */
final class Fixture implements AutoCloseable {
  final VirtualTime time = new VirtualTime();
  final Connectivity connectivity = Connectivity.create();
  final List<Throwable> errors = new CopyOnWriteArrayList<>();
  final ErrorHandler errorHandler = (context, error) -> errors.add(error);
  final QueryClient client;

  Fixture() {
    this(QueryDefaults.none());
  }

  Fixture(QueryDefaults defaults) {
    client =
        QueryClient.builder()
            .clock(time)
            .scheduler(time)
            .callbackExecutor(VirtualTime.direct())
            .connectivity(connectivity)
            .errorHandler(errorHandler)
            .defaults(defaults)
            .build();
  }

  <T> Calls<T> calls() {
    return new Calls<>(time);
  }

  @Override
  public void close() {
    client.close();
  }
}

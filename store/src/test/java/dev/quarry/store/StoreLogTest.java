package dev.quarry.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.testing.VirtualTime;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * With the default error handler a store reports under its own logger, {@code dev.quarry.store}
 * (slf4j-simple, the tests' provider, prints WARN lines to the current {@code System.err}).
 */
class StoreLogTest {
  @Test
  void aFailingListenerIsLoggedUnderDevQuarryStore_andLaterChangesStillArrive() {
    Store<Integer> store =
        Store.builder(0).name("counter").callbackExecutor(VirtualTime.direct()).build();
    int[] delivered = {0};
    store.subscribe(
        n -> {
          delivered[0]++;
          throw new IllegalStateException("listener broke on " + n);
        });

    PrintStream original = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      store.set(1);
      store.set(2);
    } finally {
      System.setErr(original);
    }
    String log = bytes.toString(StandardCharsets.UTF_8);

    assertThat(log)
        .contains("WARN dev.quarry.store - uncaught error in listener")
        .contains("of store 'counter'")
        .contains("IllegalStateException: listener broke on 1")
        .contains("IllegalStateException: listener broke on 2");
    assertThat(delivered[0]).isGreaterThanOrEqualTo(2);
    assertThat(store.get()).isEqualTo(2);
    store.close();
  }
}

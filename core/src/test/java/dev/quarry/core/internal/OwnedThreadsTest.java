package dev.quarry.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.ErrorHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OwnedThreadsTest {
  @Test
  void closeReturnsOnlyWhenTheThreadsItMadeHaveEnded() throws Exception {
    List<Thread> seen = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Owned owned = new Owned("test", ErrorHandler.logging());
      ExecutorService executor = owned.singleThreadExecutor("owned-test");
      Thread worker = executor.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
      seen.add(worker);

      owned.close();

      assertThat(worker.isAlive()).as("%s alive after close()", worker.getName()).isFalse();
    }
    assertThat(seen).allSatisfy(t -> assertThat(t.getName()).startsWith("quarry-owned-test-"));
  }

  @Test
  void closeCalledOnAnOwnedThreadDoesNotWaitForItself() throws Exception {
    Owned owned = new Owned("test", ErrorHandler.logging());
    ExecutorService executor = owned.singleThreadExecutor("self-close");

    Boolean closedFromInside =
        executor
            .submit(
                () -> {
                  owned.close();
                  return true;
                })
            .get(10, TimeUnit.SECONDS);

    assertThat(closedFromInside).isTrue();
    assertThat(executor.isShutdown()).isTrue();
  }
}

package dev.quarry.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.ErrorHandler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubsystemErrorsTest {
  @Test
  void anApplicationsOwnHandlerIsUsedAsItIs() {
    List<String> seen = new ArrayList<>();
    ErrorHandler mine = (context, error) -> seen.add(context);

    ErrorHandler used = SubsystemErrors.of(mine, "dev.quarry.cache");
    used.handle("observer of [\"todos\"]", new IllegalStateException("boom"));

    assertThat(used).isSameAs(mine);
    assertThat(seen).containsExactly("observer of [\"todos\"]");
  }

  @Test
  void theDefaultHandlerLogsUnderTheSubsystemsLogger() {
    ErrorHandler used = SubsystemErrors.of(ErrorHandler.logging(), "dev.quarry.cache");

    assertThat(used).isNotSameAs(ErrorHandler.logging());
    assertThat(used).hasToString("ErrorHandler.logging(dev.quarry.cache)");
  }
}

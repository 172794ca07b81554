package dev.quarry.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ConnectivityTest {

  @Test
  void startsOnlineAndFocused() {
    Connectivity c = Connectivity.create();
    assertThat(c.isOnline()).isTrue();
    assertThat(c.isFocused()).isTrue();
  }

  @Test
  void listeners_areToldOnlyOnChange_inOrder() {
    Connectivity c = Connectivity.create();
    List<Boolean> seen = new ArrayList<>();
    c.onOnlineChange(seen::add);
    c.setOnline(true);
    c.setOnline(false);
    c.setOnline(false);
    c.setOnline(true);
    assertThat(seen).containsExactly(false, true);
  }

  @Test
  void focus_isSeparateFromOnline() {
    Connectivity c = Connectivity.create();
    List<String> seen = new ArrayList<>();
    c.onOnlineChange(v -> seen.add("online=" + v));
    c.onFocusChange(v -> seen.add("focused=" + v));
    c.setFocused(false);
    c.setOnline(false);
    c.setFocused(true);
    assertThat(seen).containsExactly("focused=false", "online=false", "focused=true");
    assertThat(c.isFocused()).isTrue();
    assertThat(c.isOnline()).isFalse();
  }

  @Test
  void closedListener_isNotCalledAgain() {
    Connectivity c = Connectivity.create();
    List<Boolean> seen = new ArrayList<>();
    Registration s = c.onOnlineChange(seen::add);
    c.setOnline(false);
    s.close();
    s.close();
    c.setOnline(true);
    assertThat(seen).containsExactly(false);
  }

  @Test
  void throwingListener_goesToTheErrorHandler_andOthersStillReceive() {
    List<String> errors = new CopyOnWriteArrayList<>();
    Connectivity c = Connectivity.create(Runnable::run, (ctx, e) -> errors.add(e.getMessage()));
    List<Boolean> seen = new ArrayList<>();
    c.onOnlineChange(
        v -> {
          throw new IllegalStateException("listener broke");
        });
    c.onOnlineChange(seen::add);
    c.setOnline(false);
    assertThat(seen).containsExactly(false);
    assertThat(errors).containsExactly("listener broke");
  }

  @Test
  void listenerMayChangeStateReentrantly_andChangesArriveInOrder() {
    Connectivity c = Connectivity.create();
    List<Boolean> seen = new ArrayList<>();
    c.onOnlineChange(
        v -> {
          seen.add(v);
          if (!v) {
            c.setOnline(true);
          }
        });
    c.setOnline(false);
    assertThat(seen).containsExactly(false, true);
    assertThat(c.isOnline()).isTrue();
  }
}

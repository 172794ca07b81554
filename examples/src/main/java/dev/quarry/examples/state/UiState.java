package dev.quarry.examples.state;

import java.util.ArrayList;
import java.util.List;

/**
 * Transient UI: the open modal, the toasts on screen and the offline banner.
 *
 * @param modal the open modal, or {@code ""}
 * @param toasts the toasts shown, oldest first (the last few)
 * @param offline whether the offline banner is shown
 */
public record UiState(String modal, List<String> toasts, boolean offline) {
  /** How many toasts are kept. */
  public static final int MAX_TOASTS = 3;

  /** No modal, no toasts, online. */
  public static final UiState INITIAL = new UiState("", List.of(), false);

  /** Copies the toasts. */
  public UiState {
    toasts = List.copyOf(toasts);
  }

  /** With one more toast. */
  public UiState withToast(String toast) {
    List<String> next = new ArrayList<>(toasts);
    next.add(toast);
    while (next.size() > MAX_TOASTS) {
      next.remove(0);
    }
    return new UiState(modal, next, offline);
  }

  /** With the offline banner shown or hidden. */
  public UiState withOffline(boolean isOffline) {
    return new UiState(modal, toasts, isOffline);
  }

  /** With {@code name} open ({@code ""} closes it). */
  public UiState withModal(String name) {
    return new UiState(name, toasts, offline);
  }
}

package dev.quarry.store;

import dev.quarry.core.ErrorHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An error handler that keeps what it is given, for assertions. */
final class Errors implements ErrorHandler {
  record Report(String context, Throwable error) {}

  final List<Report> reports = new CopyOnWriteArrayList<>();

  @Override
  public void handle(String context, Throwable error) {
    reports.add(new Report(context, error));
  }
}

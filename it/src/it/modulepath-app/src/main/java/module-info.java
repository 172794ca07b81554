/**
 * An application on the module path: README.md's first app (compiled verbatim into
 * com.example.todos) and a realtime round trip, run by ModulePathMain.
 */
module com.example.modular {
  requires dev.quarry.sdk;
  requires dev.quarry.testing;
  requires jdk.httpserver;

  // Jackson reads and writes FirstApp.Todo by reflection
  opens com.example.todos to
      com.fasterxml.jackson.databind;
}

package dev.quarry.examples.spring;

import dev.quarry.Quarry;
import dev.quarry.examples.StudioClient;
import dev.quarry.examples.backend.StudioBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The studio BFF. {@code quarry.base-url} and {@code quarry.realtime.uri} point it at a studio
 * backend; without them, {@link #main} starts an embedded {@link StudioBackend} on loopback and
 * points the application at it, so that one command runs the whole thing:
 *
 * <pre>
 * mvn -q -pl examples-spring -am package -Dmaven.test.skip=true -Dquarry.skipNpm=true -Pbff
 * curl localhost:8080/projects/p1/episodes
 * curl -X POST localhost:8080/executions -H 'Content-Type: application/json' \
 *      -d '{"projectId":"p1","agent":"writer","prompt":"outline"}'
 * curl localhost:8080/agent-events
 * curl localhost:8080/actuator/health   ;  curl localhost:8080/actuator/quarry
 * </pre>
 *
 * <p>The {@code Quarry} bean comes from the starter ({@code application.properties} sets its
 * defaults); this class adds the studio's typed client and registers the create-episode mutation's
 * defaults, so that a create left in the outbox by a previous run is sent again when the context
 * starts.
 */
@SpringBootApplication
public class StudioBffApplication {

  /** Spring creates it. */
  public StudioBffApplication() {}

  /**
   * Runs the BFF; with no {@code --quarry.base-url=...} argument, with an embedded studio backend
   * that stops when the application does.
   */
  public static void main(String[] args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    StudioBackend backend = null;
    if (all.stream().noneMatch(a -> a.startsWith("--quarry.base-url="))
        && System.getenv("QUARRY_BASE_URL") == null) {
      backend = StudioBackend.start();
      all.add("--quarry.base-url=" + backend.baseUrl());
      all.add("--quarry.realtime.uri=" + backend.socketUrl());
      System.out.println(
          "embedded studio backend: REST "
              + backend.baseUrl()
              + ", socket.io "
              + backend.socketUrl());
    }
    ConfigurableApplicationContext context =
        SpringApplication.run(StudioBffApplication.class, all.toArray(String[]::new));
    if (backend != null) {
      StudioBackend started = backend;
      context.addApplicationListener(
          (org.springframework.context.event.ContextClosedEvent e) -> started.close());
    }
  }

  /** The studio's typed client; the create-episode defaults let a restart resend a kept create. */
  @Bean
  StudioClient studioClient(Quarry quarry) {
    StudioClient studio = new StudioClient(quarry);
    quarry.mutations().setMutationDefaults(StudioClient.CREATE_EPISODE, studio.createEpisode());
    return studio;
  }
}

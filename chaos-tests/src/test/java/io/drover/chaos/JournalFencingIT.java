package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.common.EventSourcing;
import io.drover.cluster.JournalSettings;
import io.drover.cluster.Node;
import io.drover.cluster.PostgresSchema;
import io.drover.persistence.CborSerializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL journal fences a second writer of one persistence id (DESIGN I3, issue 9 item 3):
 * two actor systems on Drover's own journal configuration ({@code drover.journal = postgres}) run
 * an event-sourced actor with the same persistence id, as an old singleton that was paused and a
 * new one would. Writer 1 recovers and persists; writer 2 recovers (sees it) and persists the next
 * sequence numbers; writer 1, now stale, persists again: the insert hits the primary key {@code
 * (persistence_id, sequence_number)} of {@code event_journal}, the write fails, and the journal
 * holds no event of the stale writer after the fork point. With Drover's backoff supervision the
 * stale writer restarts and recovers the new writer's events, so a write from it is again based on
 * the latest state (optimistic concurrency, not a lease).
 */
class JournalFencingIT {

  private static final Duration ASK = Duration.ofSeconds(10);

  private Postgres.Database db;
  private final List<ActorSystem<Void>> systems = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (ActorSystem<Void> s : systems) {
      s.terminate();
      s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (db != null) {
      db.close();
    }
  }

  /** A command of the test writer. */
  interface Cmd extends CborSerializable {}

  /** Persists {@code value}; answers the sequence number it got, only once it is stored. */
  record Append(String value, ActorRef<Long> replyTo) implements Cmd {}

  /** Answers the values recovered and persisted so far. */
  record Get(ActorRef<List<String>> replyTo) implements Cmd {}

  /** The one event. */
  record Appended(String value) implements CborSerializable {}

  /** A minimal event-sourced singleton stand-in: a list of values. */
  static final class Writer extends EventSourcedBehavior<Cmd, Appended, List<String>> {
    private final CompletableFuture<Void> recovered;
    private final CompletableFuture<Void> stopped;

    /** Without {@code backoff} a failed write stops it; with it, it restarts as Drover's do. */
    Writer(
        PersistenceId id,
        boolean backoff,
        CompletableFuture<Void> recovered,
        CompletableFuture<Void> stopped) {
      super(
          id,
          backoff
              ? Optional.of(EventSourcing.onJournalFailure())
              : Optional.<BackoffSupervisorStrategy>empty());
      this.recovered = recovered;
      this.stopped = stopped;
    }

    @Override
    public List<String> emptyState() {
      return List.of();
    }

    @Override
    public CommandHandler<Cmd, Appended, List<String>> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(
              Append.class,
              (s, c) ->
                  Effect()
                      .persist(new Appended(c.value()))
                      .thenRun(after -> c.replyTo().tell(lastSequenceNumberOf(after))))
          .onCommand(Get.class, (s, c) -> Effect().none().thenRun(after -> c.replyTo().tell(s)))
          .build();
    }

    private static long lastSequenceNumberOf(List<String> state) {
      return state.size();
    }

    @Override
    public EventHandler<List<String>, Appended> eventHandler() {
      return newEventHandlerBuilder()
          .forAnyState()
          .onAnyEvent(
              (s, e) -> {
                List<String> next = new ArrayList<>(s);
                next.add(e.value());
                return List.copyOf(next);
              });
    }

    @Override
    public SignalHandler<List<String>> signalHandler() {
      return newSignalHandlerBuilder()
          .onSignal(RecoveryCompleted.instance(), s -> recovered.complete(null))
          .onSignal(PostStop.instance(), s -> stopped.complete(null))
          .build();
    }
  }

  /** One writer's actor, with when it recovered and when it stopped. */
  private record Running(
      ActorSystem<Void> system,
      ActorRef<Cmd> ref,
      CompletableFuture<Void> recovered,
      CompletableFuture<Void> stopped) {

    long append(String value) throws Exception {
      return AskPattern.<Cmd, Long>ask(ref, r -> new Append(value, r), ASK, system.scheduler())
          .toCompletableFuture()
          .get(ASK.toSeconds() + 5, TimeUnit.SECONDS);
    }

    List<String> values() throws Exception {
      return AskPattern.<Cmd, List<String>>ask(ref, Get::new, ASK, system.scheduler())
          .toCompletableFuture()
          .get(ASK.toSeconds() + 5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aStaleWriterCannotPersistAfterANewerWriterTookTheNextSequenceNumbers() throws Exception {
    PersistenceId id = startJournal();
    Running writer1 = spawn(system("writer-1"), id, false);
    assertEquals(1, writer1.append("w1-a"));

    // The new incarnation (the singleton on another node) recovers and writes on.
    Running writer2 = spawn(system("writer-2"), id, false);
    assertEquals(List.of("w1-a"), writer2.values(), "writer 2 recovered writer 1's event");
    assertEquals(2, writer2.append("w2-a"));
    assertEquals(3, writer2.append("w2-b"));

    // The old incarnation wakes up and writes from its stale state (next sequence number 2).
    Exception refused = assertThrows(Exception.class, () -> writer1.append("w1-stale"));
    assertTrue(
        refused instanceof ExecutionException || refused instanceof TimeoutException,
        "no reply: the write was not stored (" + refused + ")");
    writer1.stopped().get(30, TimeUnit.SECONDS); // the persist failure stopped it

    assertEquals(
        List.of("1 w1-a", "2 w2-a", "3 w2-b"), journalRows(id), "no event of the stale writer");
    Running reader = spawn(system("reader"), id, false);
    assertEquals(List.of("w1-a", "w2-a", "w2-b"), reader.values());
    assertFalse(writer2.stopped().isDone(), "the current writer runs on");
    assertEquals(4, writer2.append("w2-c"), "and keeps writing");
  }

  @Test
  void withDroversBackoffTheStaleWriterRestartsOnTheNewerHistory() throws Exception {
    PersistenceId id = startJournal();
    Running writer1 = spawn(system("writer-1"), id, true);
    assertEquals(1, writer1.append("w1-a"));
    Running writer2 = spawn(system("writer-2"), id, true);
    assertEquals(2, writer2.append("w2-a"));

    assertThrows(Exception.class, () -> writer1.append("w1-stale"));
    assertEquals(List.of("1 w1-a", "2 w2-a"), journalRows(id), "the stale write was refused");
    // Restarted by EventSourcing.onJournalFailure(): it replays what writer 2 wrote, so any
    // decision it takes next (say, whether a tick already started) sees writer 2's events.
    assertEquals(List.of("w1-a", "w2-a"), writer1.values());
  }

  /** A fresh database with Drover's schema; returns a persistence id unique to the test. */
  private PersistenceId startJournal() throws Exception {
    db = Postgres.createDatabase();
    assertTrue(
        PostgresSchema.ensure(
            new JournalSettings(
                JournalSettings.Kind.POSTGRES,
                db.url(),
                Postgres.USER,
                Postgres.PASSWORD,
                Duration.ofSeconds(10))));
    return PersistenceId.ofUniqueId("fenced-" + UUID.randomUUID());
  }

  /** An actor system on the configuration a node uses with {@code --journal postgres}. */
  private ActorSystem<Void> system(String name) {
    Config overrides =
        ConfigFactory.parseMap(
            Map.of(
                "drover.journal",
                "postgres",
                "drover.jdbc.url",
                db.url(),
                "drover.jdbc.user",
                Postgres.USER,
                "drover.jdbc.password",
                Postgres.PASSWORD,
                // one JVM, no cluster needed: the journal alone is under test
                "pekko.actor.provider",
                "local",
                "pekko.coordinated-shutdown.exit-jvm",
                "off"));
    Config config = Node.config(overrides);
    assertEquals("jdbc-journal", config.getString("pekko.persistence.journal.plugin"));
    ActorSystem<Void> s = ActorSystem.create(Behaviors.empty(), name, config);
    systems.add(s);
    return s;
  }

  private static Running spawn(ActorSystem<Void> system, PersistenceId id, boolean backoff)
      throws Exception {
    CompletableFuture<Void> recovered = new CompletableFuture<>();
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    Behavior<Cmd> writer = new Writer(id, backoff, recovered, stopped);
    ActorRef<Cmd> ref = system.systemActorOf(writer, "writer-" + UUID.randomUUID(), Props.empty());
    recovered.get(30, TimeUnit.SECONDS);
    return new Running(system, ref, recovered, stopped);
  }

  /** "seq value" of every stored event of {@code id}, in sequence order. */
  private List<String> journalRows(PersistenceId id) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(db.url(), Postgres.USER, Postgres.PASSWORD);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT sequence_number, event_payload FROM event_journal WHERE persistence_id = '"
                    + id.id()
                    + "' ORDER BY sequence_number")) {
      while (r.next()) {
        rows.add(r.getLong(1) + " " + valueOf(r.getBytes(2)));
      }
    }
    return rows;
  }

  /** The value inside a CBOR {@link Appended}: the event's one string, found by its prefix. */
  private static String valueOf(byte[] cbor) {
    String text = new String(cbor, java.nio.charset.StandardCharsets.ISO_8859_1);
    int at = text.indexOf("w1-") >= 0 ? text.indexOf("w1-") : text.indexOf("w2-");
    return at < 0 ? "?" : text.substring(at).replaceAll("(?s)[^a-z0-9-].*$", "");
  }
}

package io.drover.actors.token;

import io.drover.actors.common.EventSourcing;
import io.drover.actors.common.SingletonInfo;
import io.drover.actors.common.Singletons;
import io.drover.actors.token.TokenRegistry.Command;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/** The token registry's event-sourced behaviour; see {@link TokenRegistry}. */
final class RegistryBehavior
    extends EventSourcedBehaviorWithEnforcedReplies<Command, TokenEvent, TokenState> {

  private final ActorContext<Command> ctx;
  private final Clock clock;
  private final Consumer<TokenTable> publish;

  RegistryBehavior(
      ActorContext<Command> ctx, String persistenceId, Clock clock, Consumer<TokenTable> publish) {
    super(PersistenceId.ofUniqueId(persistenceId), EventSourcing.onJournalFailure());
    this.ctx = ctx;
    this.clock = clock;
    this.publish = publish;
  }

  @Override
  public TokenState emptyState() {
    return TokenState.empty();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return EventSourcing.snapshotEvery(200);
  }

  @Override
  public EventHandler<TokenState, TokenEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(TokenState::apply);
  }

  @Override
  public SignalHandler<TokenState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            s -> {
              ctx.getLog()
                  .info(
                      "token registry started: {} tokens, {} node credentials, version {}",
                      s.tokens().size(),
                      s.nodes().size(),
                      s.version());
              // a new incarnation (after a failover) tells every cache what it knows
              publish.accept(s.table());
            })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, TokenEvent, TokenState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(TokenRegistry.Create.class, this::onCreate)
        .onCommand(TokenRegistry.Revoke.class, this::onRevoke)
        .onCommand(TokenRegistry.RegisterNode.class, this::onRegisterNode)
        .onCommand(
            TokenRegistry.ListTokens.class,
            (s, c) -> Effect().reply(c.replyTo(), new TokenRegistry.Listing(listing(s))))
        .onCommand(
            TokenRegistry.GetVersion.class,
            (s, c) -> Effect().reply(c.replyTo(), new TokenRegistry.Version(s.version())))
        .onCommand(TokenRegistry.GetTable.class, (s, c) -> Effect().reply(c.replyTo(), s.table()))
        .onCommand(TokenRegistry.ReportUse.class, this::onReportUse)
        .onCommand(TokenRegistry.Describe.class, (s, c) -> Effect().reply(c.replyTo(), describe(s)))
        .onCommand(TokenRegistry.Stop.class, (s, c) -> Effect().stop().thenNoReply())
        .build();
  }

  private ReplyEffect<TokenEvent, TokenState> onCreate(TokenState s, TokenRegistry.Create c) {
    TokenRules.Decision d =
        TokenRules.create(
            s,
            c.name(),
            c.role(),
            c.hash(),
            Duration.ofMillis(c.ttlMillis()),
            c.createdBy(),
            clock.millis());
    if (d instanceof TokenRules.Refuse r) {
      return Effect().reply(c.replyTo(), new TokenRegistry.Refused(r.why(), r.message()));
    }
    TokenEvent.TokenCreated e = (TokenEvent.TokenCreated) ((TokenRules.Accept) d).event();
    return Effect()
        .persist(e)
        .thenRun(
            next -> {
              ctx.getLog()
                  .info(
                      "token {} ({}) created by {}, expires {}",
                      e.name(),
                      e.role(),
                      e.createdBy(),
                      Instant.ofEpochMilli(e.expires()));
              publish.accept(next.table());
            })
        .thenReply(
            c.replyTo(), next -> new TokenRegistry.Created(view(next.tokens().get(e.name()))));
  }

  private ReplyEffect<TokenEvent, TokenState> onRevoke(TokenState s, TokenRegistry.Revoke c) {
    TokenRules.Decision d = TokenRules.revoke(s, c.name(), c.by(), clock.millis());
    if (d instanceof TokenRules.Refuse r) {
      return Effect().reply(c.replyTo(), new TokenRegistry.Refused(r.why(), r.message()));
    }
    return Effect()
        .persist(((TokenRules.Accept) d).event())
        .thenRun(
            next -> {
              ctx.getLog().info("token {} revoked by {}", c.name(), c.by());
              publish.accept(next.table());
            })
        .thenReply(c.replyTo(), next -> new TokenRegistry.Revoked(c.name()));
  }

  private ReplyEffect<TokenEvent, TokenState> onRegisterNode(
      TokenState s, TokenRegistry.RegisterNode c) {
    Optional<TokenEvent> e = TokenRules.registerNode(s, c.host(), c.hash(), clock.millis());
    if (e.isEmpty()) {
      return Effect().reply(c.replyTo(), new TokenRegistry.Registered(c.host()));
    }
    return Effect()
        .persist(e.get())
        .thenRun(
            next -> {
              ctx.getLog()
                  .info(
                      "node credential of host {} registered{}",
                      c.host(),
                      s.nodes().containsKey(c.host()) ? " (replaces the previous one)" : "");
              publish.accept(next.table());
            })
        .thenReply(c.replyTo(), next -> new TokenRegistry.Registered(c.host()));
  }

  private ReplyEffect<TokenEvent, TokenState> onReportUse(TokenState s, TokenRegistry.ReportUse c) {
    Map<String, Long> used = TokenRules.used(s, c.lastUse());
    if (used.isEmpty()) {
      return Effect().noReply();
    }
    return Effect().persist(new TokenEvent.TokensUsed(used)).thenNoReply();
  }

  static List<TokenRegistry.TokenView> listing(TokenState s) {
    List<TokenRegistry.TokenView> out = new ArrayList<>();
    s.tokens().values().forEach(t -> out.add(view(t)));
    s.nodes()
        .values()
        .forEach(
            n ->
                out.add(
                    new TokenRegistry.TokenView(
                        TokenRules.nodeName(n.host()),
                        TokenRules.NODE_ROLE,
                        n.at(),
                        null,
                        "node",
                        null)));
    return out;
  }

  private static TokenRegistry.TokenView view(TokenState.Token t) {
    return new TokenRegistry.TokenView(
        t.name(), t.role(), t.created(), t.expires(), t.createdBy(), t.lastUsed());
  }

  private SingletonInfo describe(TokenState s) {
    return Singletons.get(ctx.getSystem())
        .describe(
            TokenRegistry.NAME,
            SingletonInfo.RUNNING,
            Singletons.details()
                .put("tokens", s.tokens().size())
                .put("nodeCredentials", s.nodes().size())
                .put("version", s.version()));
  }
}

package io.drover.actors.common;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;

/**
 * Keeps {@link Singletons}' local registry: the wrapped singleton is recorded as running here when
 * it starts and removed on {@code PostStop}, with one log line each. Messages pass through
 * untouched.
 */
final class SingletonTracker<T> extends BehaviorInterceptor<T, T> {

  private final String name;
  private Object token;

  @SuppressWarnings("unchecked")
  SingletonTracker(String name) {
    super((Class<T>) (Class<?>) Object.class);
    this.name = name;
  }

  @Override
  public Behavior<T> aroundStart(TypedActorContext<T> ctx, PreStartTarget<T> target) {
    Singletons singletons = Singletons.get(ctx.asJava().getSystem());
    token = singletons.started(name);
    ctx.asJava().getLog().info("singleton {} started on host {}", name, singletons.host());
    return target.start(ctx);
  }

  @Override
  public Behavior<T> aroundReceive(TypedActorContext<T> ctx, T msg, ReceiveTarget<T> target) {
    return target.apply(ctx, msg);
  }

  @Override
  public Behavior<T> aroundSignal(TypedActorContext<T> ctx, Signal signal, SignalTarget<T> target) {
    if (signal instanceof PostStop && token != null) {
      Singletons singletons = Singletons.get(ctx.asJava().getSystem());
      singletons.stopped(name, token);
      token = null;
      ctx.asJava().getLog().info("singleton {} stopped on host {}", name, singletons.host());
    }
    return target.apply(ctx, signal);
  }
}

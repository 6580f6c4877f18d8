/**
 * The domain's rules as effects, for the services: a capability check, a state machine's
 * move, and a row that must exist. Each fails with the domain's own error (or dies, for a
 * broken invariant), so every service speaks the same errors.
 *
 * @internal
 */
import { Capabilities, Errors, type Ids, type Parties, StateMachine } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"

/** Fails with the domain's `NotPermitted` unless the actor's role may perform `action`. */
export const authorize = (actor: Parties.User, action: Capabilities.Action): Effect.Effect<void, Errors.NotPermitted> =>
  Result.match(Capabilities.check(actor.role, action), {
    onFailure: (refused) => Effect.fail(refused),
    onSuccess: () => Effect.void
  })

/**
 * Succeeds when the actor may see an object of `entityId`: its own entity's, or any for a
 * role that may perform `staffAction`. Otherwise fails with the domain's `NotFound` of
 * `resource` and `id`, exactly like an id that does not exist, so ids of other entities
 * do not leak.
 */
export const visible = (
  actor: Parties.User,
  entityId: Ids.EntityId,
  staffAction: Capabilities.Action,
  resource: string,
  id: string
): Effect.Effect<void, Errors.NotFound> =>
  actor.entity_id === entityId || Capabilities.can(actor.role, staffAction) ?
    Effect.void :
    Effect.fail(new Errors.NotFound({ resource, id }))

/** Moves a machine, or fails with its `InvalidTransition`. */
export const move = <S extends string>(machine: StateMachine.StateMachine<S>, from: S, to: S) =>
  Result.match(StateMachine.transition(machine, from, to), {
    onFailure: (refused) => Effect.fail(refused),
    onSuccess: (moved) => Effect.succeed(moved)
  })

/**
 * A row that must exist (the actor's own user or entity, a row just written or locked):
 * its absence is a broken invariant, so it ends the request as a defect, loudly.
 */
export const present = <A, E, R>(effect: Effect.Effect<A, E | Errors.NotFound, R>): Effect.Effect<A, E, R> =>
  Effect.catchIf(
    effect,
    (error): error is Errors.NotFound => error instanceof Errors.NotFound,
    (missing) => Effect.die(new Error(`invariant broken: ${missing.message}, which must exist here`))
  ) as Effect.Effect<A, E, R>

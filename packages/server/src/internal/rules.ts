/**
 * The domain's rules as effects, for the services: a capability check, a state machine's
 * move, and a row that must exist. Each fails with the domain's own error (or dies, for a
 * broken invariant), so every service speaks the same errors.
 *
 * @internal
 */
import { Capabilities, type Enums, Errors, type Ids, type Parties, StateMachine } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as SqlClient from "effect/sql/SqlClient"
import * as Audit from "../Audit.ts"

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

/**
 * Moves the client users of an entity whose stage is `from` to `to`, through the user
 * machine, with an audit line per user; users at another stage stay where they are. The
 * moves the services make are all in the machine, so a refusal is a broken invariant.
 */
export const moveEntityStage = (
  entityId: Ids.EntityId,
  from: Enums.UserRole,
  to: Enums.UserRole,
  actor: Ids.UserId | null
) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const stage = yield* Effect.orDie(move(StateMachine.userRole, from, to))
    const moved = yield* sql<{ id: Ids.UserId }>`
      UPDATE users SET role = ${stage}, updated_at = now()
      WHERE entity_id = ${entityId} AND role = ${from} RETURNING id`
    for (const user of moved) {
      yield* Audit.record({
        user_id: actor,
        action: "users.stage",
        subject_table: "users",
        subject_id: user.id,
        details: { from, to }
      })
    }
  })

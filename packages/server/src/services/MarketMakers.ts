/**
 * Market makers: the operator's liquidity accounts (`market_maker_clients`) and the orders
 * placed for them.
 *
 * - **Holdings.** Each market maker has an entity of its own, made with it; its balances
 *   are that entity's holdings in the ledger, funded by an admin's adjustment like any
 *   entity's. The link is the MM user's `users.entity_id`: the user who operates the market
 *   maker belongs to its entity (one market maker per user, as the seed's unique
 *   `user_id`), so no column is added to the legacy table.
 * - **Orders.** An order for a market maker goes through `Orders.placeAs` with the market
 *   maker's entity: the same writer, locks, fees, ledger, idempotency and audit as a
 *   client's. The order's `entity_id` is the market maker's entity; the legacy
 *   `orders.market_maker_id` stays null, since an order has exactly one owner.
 * - **Access**, in {@link MarketMakers.actingFor} only: `place_market_maker_order` (MM and
 *   ADMIN); an admin acts for any market maker, an MM user for its own only (another id is
 *   `NotFound`, as if it did not exist); an inactive market maker places nothing.
 *
 * @since 0.1.0
 */
import { Constraints, type Repository, Transaction } from "@niha/db"
import { type Enums, Errors, type Ids, MarketMaking, type Parties, type Trading } from "@niha/domain"
import type { MarketMakersApi, OrdersApi } from "@niha/sdk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeCrypto from "node:crypto"
import * as Audit from "../Audit.ts"
import * as rows from "../internal/rows.ts"
import { authorize } from "../internal/rules.ts"
import type { Page, PageQuery } from "../Paging.ts"
import { Orders } from "./Orders.ts"

/** A market maker's row with its user's entity. */
const Joined = Schema.Struct({
  ...MarketMaking.MarketMakerClient.fields,
  entity_id: Schema.NullOr(Schema.String)
})

const joined = rows.all("market_maker_clients", Joined)
const clientJson = Schema.encodeSync(MarketMaking.MarketMakerClient.json)

const selectJoined = (sql: SqlClient.SqlClient) =>
  sql`SELECT m.*, u.entity_id FROM market_maker_clients m JOIN users u ON u.id = m.user_id`

/** A market maker as the API shows it; one without an entity is a broken invariant. */
const shown = (row: typeof Joined.Type): Effect.Effect<MarketMakersApi.MarketMaker> => {
  const { entity_id, ...client } = row
  return entity_id === null ?
    Effect.die(new Error(`invariant broken: market maker ${row.id} has no entity`)) :
    Effect.succeed({
      market_maker: MarketMaking.MarketMakerClient.make(client),
      entity_id: entity_id as Ids.EntityId
    })
}

/**
 * Builds the service on the database and the order service in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const orders = yield* Orders
  const context = yield* Effect.context<SqlClient.SqlClient | Repository.Repositories>()

  const find = (id: Ids.MarketMakerClientId) =>
    Effect.gen(function*() {
      const [row] = yield* joined(sql`${selectJoined(sql)} WHERE m.id = ${id}`)
      if (row === undefined) return yield* new Errors.NotFound({ resource: "market_maker_clients", id })
      return row
    })

  /**
   * The one access check of market making: the market maker `id` when `actor` may act for
   * it (an admin for any, an MM user for its own), with its entity.
   */
  const actingFor = Effect.fn("MarketMakers.actingFor")(
    function*(actor: Parties.User, id: Ids.MarketMakerClientId) {
      yield* authorize(actor, "place_market_maker_order")
      const row = yield* find(id)
      if (actor.role !== "ADMIN" && row.user_id !== actor.id) {
        return yield* new Errors.NotFound({ resource: "market_maker_clients", id })
      }
      return yield* shown(row)
    },
    Effect.provideContext(context)
  )

  const create = Effect.fn("MarketMakers.create")(
    function*(actor: Parties.User, input: MarketMakersApi.CreateMarketMaker) {
      yield* authorize(actor, "run_market_makers")
      return yield* Transaction.run(Effect.gen(function*() {
        const [user] = yield* sql<{ role: Enums.UserRole; entity_id: string | null }>`
          SELECT role, entity_id FROM users WHERE id = ${input.user_id} FOR UPDATE`
        if (user === undefined) return yield* new Errors.NotFound({ resource: "users", id: input.user_id })
        if (user.role !== "MM") {
          return yield* new Errors.Conflict({
            resource: "users",
            reason: "a market maker is operated by a user of role MM"
          })
        }
        if (user.entity_id !== null) {
          return yield* new Errors.Conflict({ resource: "users", reason: "the user already operates a market maker" })
        }
        const [entity] = yield* sql<{ id: Ids.EntityId }>`
          INSERT INTO entities (name, jurisdiction, kyc_status) VALUES (${input.name}, 'OTHER', 'APPROVED') RETURNING id`
        if (entity === undefined) return yield* Effect.die(new Error("invariant broken: an insert returned no row"))
        yield* sql`UPDATE users SET entity_id = ${entity.id}, updated_at = now() WHERE id = ${input.user_id}`
        const code = input.anonymous_code ?? `MM-${NodeCrypto.randomBytes(4).toString("hex").toUpperCase()}`
        const [created] = yield* Constraints.refine(sql<{ id: Ids.MarketMakerClientId }>`
          INSERT INTO market_maker_clients (user_id, name, mm_type, anonymous_code, description, created_by)
          VALUES (${input.user_id}, ${input.name}, ${input.mm_type}, ${code}, ${input.description ?? null}, ${actor.id})
          RETURNING id`).pipe(
          // The user row is locked and has no entity yet, so only the code can be taken.
          Effect.catchTag("UniqueViolation", () =>
            Effect.fail(
              new Errors.Conflict({ resource: "market_maker_clients", reason: "the anonymous code is taken" })
            )),
          Effect.catchTags({
            ForeignKeyViolation: Effect.die,
            CheckViolation: Effect.die,
            NotNullViolation: Effect.die,
            RestrictViolation: Effect.die
          })
        )
        if (created === undefined) return yield* Effect.die(new Error("invariant broken: an insert returned no row"))
        const made = yield* shown(yield* find(created.id))
        yield* Audit.record({
          user_id: actor.id,
          action: "market_makers.create",
          subject_table: "market_maker_clients",
          subject_id: created.id,
          details: { entity_id: entity.id },
          after: clientJson(made.market_maker)
        })
        return made
      }))
    },
    Effect.provideContext(context)
  )

  const list = Effect.fn("MarketMakers.list")(function*(actor: Parties.User) {
    yield* authorize(actor, "place_market_maker_order")
    const found = yield* joined(
      actor.role === "ADMIN" ?
        sql`${selectJoined(sql)} ORDER BY m.created_at, m.id` :
        sql`${selectJoined(sql)} WHERE m.user_id = ${actor.id} ORDER BY m.created_at, m.id`
    )
    return yield* Effect.forEach(found, shown)
  }, Effect.provideContext(context))

  const setActive = Effect.fn("MarketMakers.setActive")(
    function*(actor: Parties.User, id: Ids.MarketMakerClientId, active: boolean) {
      yield* authorize(actor, "run_market_makers")
      return yield* Transaction.run(Effect.gen(function*() {
        const before = yield* shown(yield* find(id))
        yield* sql`UPDATE market_maker_clients SET is_active = ${active}, updated_at = now() WHERE id = ${id}`
        const after = yield* shown(yield* find(id))
        yield* Audit.record({
          user_id: actor.id,
          action: "market_makers.set_active",
          subject_table: "market_maker_clients",
          subject_id: id,
          before: clientJson(before.market_maker),
          after: clientJson(after.market_maker)
        })
        return after
      }))
    },
    Effect.provideContext(context)
  )

  const placeOrder = Effect.fn("MarketMakers.placeOrder")(
    function*(
      actor: Parties.User,
      id: Ids.MarketMakerClientId,
      input: OrdersApi.PlaceOrder,
      idempotencyKey?: string | undefined
    ) {
      const maker = yield* actingFor(actor, id)
      if (!maker.market_maker.is_active) {
        return yield* new Errors.Conflict({ resource: "market_maker_clients", reason: "the market maker is inactive" })
      }
      return yield* orders.placeAs(actor, maker.entity_id, input, idempotencyKey)
    }
  )

  const cancelOrder = Effect.fn("MarketMakers.cancelOrder")(
    function*(actor: Parties.User, id: Ids.MarketMakerClientId, orderId: Ids.OrderId) {
      const maker = yield* actingFor(actor, id)
      return yield* orders.cancel(actor, orderId, maker.entity_id)
    }
  )

  const listOrders = Effect.fn("MarketMakers.listOrders")(
    function*(
      actor: Parties.User,
      id: Ids.MarketMakerClientId,
      query: PageQuery & { readonly market?: Enums.MarketType | undefined }
    ) {
      const maker = yield* actingFor(actor, id)
      const page: Page<Trading.Order> = yield* orders.listAs(maker.entity_id, query)
      return page
    }
  )

  return {
    /** The market maker `id` with its entity, when the actor may act for it (the one access check). */
    actingFor,
    /** Creates a market maker, with an entity of its own, for a user of role MM (admins). */
    create,
    /** Every market maker for an admin; its own for an MM user. */
    list,
    /** Lets a market maker trade, or stops it (admins). */
    setActive,
    /** Places an order for a market maker through the order path of clients. */
    placeOrder,
    /** Cancels one of a market maker's orders. */
    cancelOrder,
    /** A market maker's orders, paged. */
    listOrders
  }
})

/**
 * The market-maker service.
 *
 * @category services
 * @since 0.1.0
 */
export class MarketMakers extends Context.Service<MarketMakers, Effect.Success<typeof make>>()(
  "@niha/server/MarketMakers"
) {
  /**
   * The service on the database, the repositories and the order service in context.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<
    MarketMakers,
    never,
    SqlClient.SqlClient | Repository.Repositories | Orders
  > = Layer.effect(MarketMakers, make)
}

/**
 * The ledger against an independent model: random sequences of operations (deposits,
 * holds, locks, posts, voids, moves, adjustments, withdrawals, replays) run on the ledger
 * and on a plain in-memory model side by side. After each operation both agree on
 * success or the error; after each sequence every holding equals the model, `verify` is
 * clean, no balance is below zero, and per asset the entities' and platform accounts'
 * totals equal what came in from `WORLD` less what went out.
 *
 * The seed is printed; `NIHA_LEDGER_SEED=<seed>` replays a run, `NIHA_LEDGER_RUNS` sets the
 * number of sequences (default 12 on PostgreSQL, 6 on PGlite) and `NIHA_LEDGER_STEPS` their length (default 40).
 */
import { assert } from "@effect/vitest"
import { Ledger } from "@niha/db"
import type { Ids } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import fc from "fast-check"
import { eachBackend } from "./support/Backends.ts"
import { makeEntities } from "./support/Entities.ts"

/** Sequences per backend: PGlite answers each statement several times slower than PostgreSQL. */
const runsOn = (backend: string) => Number(process.env.NIHA_LEDGER_RUNS ?? (backend === "pglite" ? 6 : 12))
const steps = Number(process.env.NIHA_LEDGER_STEPS ?? 40)
const seed = process.env.NIHA_LEDGER_SEED === undefined
  ? Date.now() % 2_147_483_647
  : Number(process.env.NIHA_LEDGER_SEED)

type Asset = "EUR" | "CEA"
const assets: ReadonlyArray<Asset> = ["EUR", "CEA"]
const ENTITIES = 3

type Operation =
  | { readonly op: "deposit"; readonly entity: number; readonly asset: Asset; readonly amount: number }
  | { readonly op: "hold"; readonly entity: number; readonly amount: number }
  | { readonly op: "lock"; readonly entity: number; readonly asset: Asset; readonly amount: number }
  | {
    readonly op: "post"
    readonly pending: number
    readonly to: number | "FEES"
    readonly amount: number
    readonly keep: boolean
  }
  | { readonly op: "void"; readonly pending: number }
  | { readonly op: "move"; readonly from: number; readonly to: number; readonly asset: Asset; readonly amount: number }
  | { readonly op: "adjust"; readonly entity: number; readonly asset: Asset; readonly amount: number }
  | { readonly op: "withdraw"; readonly entity: number; readonly amount: number }
  | { readonly op: "replay"; readonly index: number }

const entity = fc.integer({ min: 0, max: ENTITIES - 1 })
const asset = fc.constantFrom(...assets)
const amount = fc.integer({ min: 1, max: 600 })
const depositAmount = fc.integer({ min: 100, max: 3_000 })
const postAmount = fc.integer({ min: 1, max: 300 })

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("deposit" as const), entity, asset, amount: depositAmount }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("hold" as const), entity, amount }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("lock" as const), entity, asset, amount }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("post" as const),
      pending: fc.nat(20),
      to: fc.oneof(entity, fc.constant("FEES" as const)),
      amount: postAmount,
      keep: fc.boolean()
    })
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("void" as const), pending: fc.nat(20) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("move" as const), from: entity, to: entity, asset, amount }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("adjust" as const),
      entity,
      asset,
      amount: fc.integer({ min: -500, max: 500 }).filter((n) => n !== 0)
    })
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("withdraw" as const), entity, amount }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("replay" as const), index: fc.nat(60) }) }
)

interface ModelPending {
  readonly key: string
  readonly holder: number
  readonly asset: Asset
  readonly fromWorld: boolean
  remaining: bigint
}

/** The independent model: plain balances, no SQL, no ledger code. */
class Model {
  readonly balances = new Map<string, { available: bigint; locked: bigint }>()
  readonly platform = new Map<string, bigint>()
  readonly pendings: Array<ModelPending> = []
  /** What came in from WORLD less what went out, per asset. */
  readonly external = new Map<Asset, bigint>()

  holding(entity: number, asset: Asset) {
    const key = `${entity}/${asset}`
    let holding = this.balances.get(key)
    if (holding === undefined) {
      holding = { available: 0n, locked: 0n }
      this.balances.set(key, holding)
    }
    return holding
  }
  credit(account: string, asset: Asset, amount: bigint) {
    this.platform.set(`${account}/${asset}`, (this.platform.get(`${account}/${asset}`) ?? 0n) + amount)
    if (account === "WORLD") this.external.set(asset, (this.external.get(asset) ?? 0n) - amount)
  }
}

/** What the model expects of one operation: the error tag, or a change it applies. */
type Expectation = { readonly error: string } | { readonly apply: () => void }

const expect = (model: Model, operation: Operation): Expectation => {
  switch (operation.op) {
    case "deposit":
      return {
        apply: () => {
          model.holding(operation.entity, operation.asset).available += BigInt(operation.amount)
          model.credit("WORLD", operation.asset, -BigInt(operation.amount))
        }
      }
    case "hold":
      return {
        apply: () => {
          model.holding(operation.entity, "EUR").locked += BigInt(operation.amount)
          model.credit("WORLD", "EUR", -BigInt(operation.amount))
        }
      }
    case "lock": {
      const holding = model.holding(operation.entity, operation.asset)
      if (holding.available < BigInt(operation.amount)) return { error: "InsufficientFunds" }
      return {
        apply: () => {
          holding.available -= BigInt(operation.amount)
          holding.locked += BigInt(operation.amount)
        }
      }
    }
    case "post":
    case "void": {
      const pending = model.pendings[operation.pending % Math.max(1, model.pendings.length)]
      if (pending === undefined) return { error: "NotFound" }
      if (pending.remaining === 0n) return { error: "PendingClosed" }
      const holder = model.holding(pending.holder, pending.asset)
      const giveBack = (rest: bigint) => {
        holder.locked -= rest
        if (pending.fromWorld) model.credit("WORLD", pending.asset, rest)
        else holder.available += rest
      }
      if (operation.op === "void") {
        return {
          apply: () => {
            giveBack(pending.remaining)
            pending.remaining = 0n
          }
        }
      }
      const posted = BigInt(operation.amount)
      if (posted > pending.remaining) return { error: "ExceedsPending" }
      return {
        apply: () => {
          holder.locked -= posted
          if (operation.to === "FEES") model.credit("FEES", pending.asset, posted)
          else model.holding(operation.to, pending.asset).available += posted
          pending.remaining -= posted
          if (!operation.keep) {
            giveBack(pending.remaining)
            pending.remaining = 0n
          }
        }
      }
    }
    case "move": {
      const from = model.holding(operation.from, operation.asset)
      if (from.available < BigInt(operation.amount)) return { error: "InsufficientFunds" }
      return {
        apply: () => {
          from.available -= BigInt(operation.amount)
          model.holding(operation.to, operation.asset).available += BigInt(operation.amount)
        }
      }
    }
    case "adjust": {
      const holding = model.holding(operation.entity, operation.asset)
      if (holding.available + BigInt(operation.amount) < 0n) return { error: "InsufficientFunds" }
      return {
        apply: () => {
          holding.available += BigInt(operation.amount)
          model.credit("WORLD", operation.asset, -BigInt(operation.amount))
        }
      }
    }
    case "withdraw": {
      const holding = model.holding(operation.entity, "EUR")
      if (holding.available < BigInt(operation.amount)) return { error: "InsufficientFunds" }
      return {
        apply: () => {
          holding.available -= BigInt(operation.amount)
          model.credit("WORLD", "EUR", BigInt(operation.amount))
        }
      }
    }
    case "replay":
      return { apply: () => undefined }
  }
}

/** How many operations of each kind succeeded or failed, to show the runs reach every case. */
const outcomes = new Map<string, number>()
const count = (label: string) => outcomes.set(label, (outcomes.get(label) ?? 0) + 1)

const runSequence = (operations: ReadonlyArray<Operation>, run: number) =>
  Effect.gen(function*() {
    const ledger = yield* Ledger.Ledger
    const ids = yield* makeEntities(`Model ${seed} ${run}`, ENTITIES)
    const id = (index: number): Ids.EntityId => ids[index] as Ids.EntityId
    const model = new Model()
    const applied: Array<{ readonly request: Ledger.Request; readonly transfer_id: string }> = []
    for (const [step, operation] of operations.entries()) {
      const key = `model-${seed}-${run}-${step}`
      const expectation = expect(model, operation)
      const pending = operation.op === "post" || operation.op === "void"
        ? model.pendings[operation.pending % Math.max(1, model.pendings.length)]
        : undefined
      const requests: ReadonlyArray<Ledger.Request> = (() => {
        switch (operation.op) {
          case "deposit":
            return [{
              _tag: "Transfer",
              key,
              type: "DEPOSIT",
              reference: `test:${key}`,
              asset: operation.asset,
              legs: [
                { account: Ledger.platform("WORLD"), amount: -operation.amount },
                { account: Ledger.available(id(operation.entity)), amount: operation.amount }
              ]
            }]
          case "hold":
            return [
              Ledger.placeHold({ key, entity_id: id(operation.entity), deposit_id: key, amount: operation.amount })
            ]
          case "lock":
            return [Ledger.lockForOrder({
              key,
              entity_id: id(operation.entity),
              order_id: key,
              asset: operation.asset,
              amount: operation.amount
            })]
          case "post":
            return [{
              _tag: "Post",
              key,
              type: "TRADE_BUY",
              reference: `test:${key}`,
              pending: { key: pending?.key ?? "no-pending-yet" },
              destinations: {
                legs: [{
                  account: operation.to === "FEES" ? Ledger.platform("FEES") : Ledger.available(id(operation.to)),
                  amount: operation.amount
                }]
              },
              remainder: operation.keep ? "keep" : "return"
            }]
          case "void":
            return [Ledger.unlockOrder({ key, lock: { key: pending?.key ?? "no-pending-yet" }, order_id: key })]
          case "move":
            return [{
              _tag: "Transfer",
              key,
              type: "ADJUSTMENT",
              notes: "move",
              reference: `test:${key}`,
              asset: operation.asset,
              legs: [
                { account: Ledger.available(id(operation.from)), amount: -operation.amount },
                { account: Ledger.available(id(operation.to)), amount: operation.amount }
              ]
            }]
          case "adjust":
            return [Ledger.adjust({
              key,
              entity_id: id(operation.entity),
              asset: operation.asset,
              amount: operation.amount,
              reason: "model adjustment"
            })]
          case "withdraw":
            return [Ledger.lockForWithdrawal({
              key,
              entity_id: id(operation.entity),
              withdrawal_id: key,
              amount: operation.amount
            })]
          case "replay": {
            const earlier = applied[operation.index % Math.max(1, applied.length)]
            return earlier === undefined ? [] : [earlier.request]
          }
        }
      })()
      if (requests.length === 0) continue
      const outcome = yield* Effect.result(ledger.submit(requests))
      const context = `step ${step} ${JSON.stringify(operation)}`
      count(`${operation.op}:${outcome._tag === "Failure" ? outcome.failure._tag : "ok"}`)
      if ("error" in expectation) {
        assert.strictEqual(outcome._tag, "Failure", context)
        if (outcome._tag === "Failure") assert.strictEqual(outcome.failure._tag, expectation.error, context)
        continue
      }
      if (outcome._tag === "Failure") {
        return assert.fail(`${context}: ${outcome.failure._tag} ${outcome.failure.message}`)
      }
      const [transfer] = outcome.success
      if (operation.op === "replay") {
        const earlier = applied[operation.index % Math.max(1, applied.length)]
        assert.strictEqual(transfer?.transfer_id, earlier?.transfer_id, `${context}: a replay posts nothing new`)
        continue
      }
      expectation.apply()
      applied.push({ request: requests[0] as Ledger.Request, transfer_id: transfer?.transfer_id ?? "" })
      if (operation.op === "hold" || operation.op === "lock") {
        model.pendings.push({
          key,
          holder: operation.entity,
          asset: operation.op === "hold" ? "EUR" : operation.asset,
          fromWorld: operation.op === "hold",
          remaining: BigInt(operation.amount)
        })
      }
      if (operation.op === "withdraw") {
        yield* ledger.apply(Ledger.completeWithdrawal({ key: `${key}:done`, lock: { key }, withdrawal_id: key }))
      }
    }
    // Every holding equals the model.
    for (const [index, entityId] of ids.entries()) {
      const holdings = yield* ledger.holdings(entityId)
      for (const asset of assets) {
        const stored = holdings.find((holding) => holding.asset_type === asset)
        const expected = model.balances.get(`${index}/${asset}`) ?? { available: 0n, locked: 0n }
        assert.deepStrictEqual(
          [BigInt(stored?.available ?? 0), BigInt(stored?.locked ?? 0)],
          [expected.available, expected.locked],
          `entity ${index} ${asset}`
        )
      }
    }
    return model
  })

eachBackend("Ledger model", (it, backend) => {
  const runs = runsOn(backend)
  it.layer(Ledger.Ledger.layer)((it) => {
    it.effect(`random operation sequences agree with the model (seed ${seed})`, () =>
      Effect.gen(function*() {
        outcomes.clear()
        console.log(`ledger model: seed=${seed} runs=${runs} steps=${steps} (replay with NIHA_LEDGER_SEED=${seed})`)
        const context = yield* Effect.context<Ledger.Ledger | SqlClient.SqlClient>()
        const ledger = yield* Ledger.Ledger
        let run = 0
        const totals = new Map<string, bigint>()
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              fc.array(operation, { minLength: Math.ceil(steps / 2), maxLength: steps }),
              async (operations) => {
                run += 1
                const model = await Effect.runPromiseWith(context)(runSequence(operations, run))
                for (const [asset, amount] of model.external) totals.set(asset, (totals.get(asset) ?? 0n) + amount)
                const report = await Effect.runPromiseWith(context)(ledger.verify)
                assert.isTrue(report.ok, JSON.stringify(report, null, 1))
              }
            ),
            { seed, numRuns: runs, endOnFailure: true }
          )
        )
        console.log(`ledger model outcomes: ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`)
        // Conservation: all accounts of an asset sum to zero, so entities and the platform
        // hold together exactly what came in from WORLD less what went out.
        const report = yield* ledger.verify
        assert.isTrue(report.ok)
        const sql = yield* SqlClient.SqlClient
        // In minor units: cents for EUR, tonnes for CEA.
        const minor = sql`CASE WHEN asset_type = 'EUR' THEN 100 ELSE 1 END`
        const held = yield* sql<{ asset_type: string; total: bigint }>`
          SELECT asset_type::text AS asset_type, sum((available + locked) * ${minor})::bigint AS total
          FROM entity_holdings GROUP BY asset_type`
        const platform = yield* sql<{ asset_type: string; total: bigint }>`
          SELECT asset_type::text AS asset_type, sum(amount * ${minor})::bigint AS total
          FROM asset_transactions WHERE entity_id IS NULL AND account <> 'WORLD' GROUP BY asset_type`
        for (const asset of assets) {
          const world = yield* ledger.platformBalance("WORLD", asset)
          const external = totals.get(asset) ?? 0n
          assert.strictEqual(-world, external, `WORLD ${asset}`)
          const entities = held.find((row) => row.asset_type === asset)?.total ?? 0n
          const accounts = platform.find((row) => row.asset_type === asset)?.total ?? 0n
          assert.strictEqual(entities + accounts, external, `conservation of ${asset}`)
        }
      }), 120_000)
  })
})

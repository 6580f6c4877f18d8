import { assert } from "@effect/vitest"
import { AuditChain, Constraints, Ledger, Repository } from "@niha/db"
import { Ids, Tables } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import { eachBackend } from "./support/Backends.ts"
import { type Ids as SampleIds, order, sample, sellOrder } from "./support/SampleRows.ts"

const later = new Date("2026-03-01T12:00:00.000Z")

const encodeRow = (table: Tables.TableName, row: unknown) =>
  Effect.orDie(Schema.encodeUnknownEffect(Tables.tables[table] as Repository.Model)(row))

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null ? value as Record<string, unknown> : {}

/** Inserts the sample row of a table through its repository and returns the stored row. */
const insertSample = (repositories: Repository.All, table: Tables.TableName, encoded: Record<string, unknown>) =>
  Effect.gen(function*() {
    const model = Tables.tables[table] as Repository.Model
    const insert = yield* Effect.orDie(Schema.decodeUnknownEffect(model.insert)(encoded))
    const repository = repositories[table] as Repository.Repository<unknown, unknown, unknown, unknown>
    return asRecord(yield* repository.insert(insert))
  })

eachBackend("Repository", (it) => {
  it.layer(Repository.Repositories.layer)((it) => {
    it.effect("round-trips a row of each of the 31 tables through the domain's models", () =>
      Effect.gen(function*() {
        const repositories = yield* Repository.Repositories
        const ids: SampleIds = {}
        for (const table of order) {
          if (table === "cash_market_trades") {
            ids.sell_order = String((yield* insertSample(repositories, "orders", sellOrder(ids))).id)
          }
          if (Repository.ledgerTables.has(table)) {
            const refused = yield* insertSample(repositories, table, sample(table, ids)).pipe(Effect.flip)
            assert.strictEqual(refused._tag, "ReadOnlyTable")
            continue
          }
          const encoded = sample(table, ids)
          const row = yield* insertSample(repositories, table, encoded)
          ids[table] = String(row.id)
          assert.isTrue(Schema.is(Ids.byTable[table])(row.id), `${table} gets a generated id`)
          // What went in comes out, column by column, in the database's encoding.
          const stored = asRecord(yield* encodeRow(table, row))
          for (const [column, value] of Object.entries(encoded)) {
            assert.deepStrictEqual(stored[column], value, `${table}.${column}`)
          }
          const repository = repositories[table] as Repository.Repository<unknown, unknown, unknown, unknown>
          const found = yield* repository.findById(row.id)
          // The audit tables' rows are sealed into their chain at commit, after the insert
          // answered: the chain columns are set on the row found, null on the row inserted.
          const unsealed = (row: Record<string, unknown>) =>
            AuditChain.tables.some((chained) => chained === table) ?
              { ...row, chain_seq: null, prev_hash: null, row_hash: null } :
              row
          assert.deepStrictEqual(unsealed(asRecord(yield* encodeRow(table, found))), stored, `${table} found by id`)
          const all = yield* repository.findAll({ limit: 10 })
          assert.isTrue(all.some((candidate) => asRecord(candidate).id === row.id), `${table} listed`)
        }
        assert.strictEqual(Object.keys(ids).length, 30)
      }))

    it.effect("reads the holdings and the journal the Ledger wrote through the domain's models", () =>
      Effect.gen(function*() {
        const repositories = yield* Repository.Repositories
        const ledger = Ledger.make(yield* SqlClient.SqlClient)
        const [entity] = yield* repositories.entities.findAll({ limit: 1 })
        if (entity === undefined) return assert.fail("no entity")
        const transfer = yield* ledger.apply(
          Ledger.adjust({ key: "repo-read", entity_id: entity.id, asset: "CEA", amount: 42, reason: "opening balance" })
        )
        const line = transfer.lines.find((candidate) => candidate.account._tag === "Available")
        if (line === undefined) return assert.fail("no entity line")
        const stored = yield* repositories.asset_transactions.findById(line.id)
        assert.strictEqual(stored.asset_type, "CEA")
        assert.strictEqual(stored.amount, 42)
        assert.strictEqual(stored.balance_after, 42)
        assert.strictEqual(stored.idempotency_key, "repo-read#1")
        // The WORLD line of the same transfer is the ledger's, not the domain's journal.
        const world = transfer.lines.find((candidate) => candidate.account._tag === "Platform")
        if (world === undefined) return assert.fail("no platform line")
        const platformLine = yield* repositories.asset_transactions.findById(world.id).pipe(Effect.flip)
        assert.strictEqual(platformLine._tag, "NotFound")
        const journal = yield* repositories.asset_transactions.findAll()
        assert.deepStrictEqual(journal.map((row) => row.id), [line.id])
        const holdings = yield* repositories.entity_holdings.findAll()
        const cea = holdings.find((holding) => holding.entity_id === entity.id && holding.asset_type === "CEA")
        assert.strictEqual(cea?.available, 42)
        const update = yield* repositories.entity_holdings.delete(cea?.id ?? Ids.EntityHoldingId.make(entity.id))
          .pipe(Effect.flip)
        assert.strictEqual(update._tag, "ReadOnlyTable")
      }))

    it.effect("updates a row and finds it changed", () =>
      Effect.gen(function*() {
        const repositories = yield* Repository.Repositories
        const [entity] = yield* repositories.entities.findAll({ limit: 1 })
        if (entity === undefined) return assert.fail("no entity")
        const encoded = asRecord(yield* encodeRow("entities", entity))
        const update = yield* Effect.orDie(
          Schema.decodeUnknownEffect(Tables.tables.entities.update)({
            ...encoded,
            name: "Renamed Industries GmbH",
            updated_at: later
          })
        )
        const updated = yield* repositories.entities.update(update)
        assert.strictEqual(updated.name, "Renamed Industries GmbH")
        assert.strictEqual((yield* repositories.entities.findById(entity.id)).name, "Renamed Industries GmbH")
      }))

    it.effect("answers a missing id with NotFound and bad input with ValidationFailed, writing nothing", () =>
      Effect.gen(function*() {
        const repositories = yield* Repository.Repositories
        const missing = yield* repositories.deposits.findById(
          Ids.DepositId.make("00000000-0000-4000-8000-000000000000")
        )
          .pipe(Effect.flip)
        assert.strictEqual(missing._tag, "NotFound")
        const before = yield* repositories.sellers.count
        const invalid = yield* repositories.sellers.insert(
          // A seller with an empty name: the model refuses it before any SQL runs.
          {
            ...(yield* Effect.orDie(Schema.decodeUnknownEffect(Tables.tables.sellers.insert)(sample("sellers", {})))),
            name: ""
          }
        ).pipe(Effect.flip)
        assert.strictEqual(invalid._tag, "ValidationFailed")
        assert.strictEqual(yield* repositories.sellers.count, before)
      }))

    it.effect("turns foreign key, check, unique and not-null violations into typed errors", () =>
      Effect.gen(function*() {
        const repositories = yield* Repository.Repositories
        const sql = yield* SqlClient.SqlClient
        const [user] = yield* repositories.users.findAll({ limit: 1 })
        const [entity] = yield* repositories.entities.findAll({ limit: 1 })
        if (user === undefined || entity === undefined) return assert.fail("no parent rows")
        const ids: SampleIds = { users: user.id, entities: entity.id }

        const orphan = yield* repositories.deposits.insert(
          yield* Effect.orDie(
            Schema.decodeUnknownEffect(Tables.tables.deposits.insert)(
              sample("deposits", { ...ids, entities: "11111111-1111-4111-8111-111111111111" })
            )
          )
        ).pipe(Effect.flip)
        assert.strictEqual(orphan._tag, "ForeignKeyViolation")
        if (orphan._tag === "ForeignKeyViolation") {
          assert.strictEqual(orphan.table, "deposits")
          assert.strictEqual(orphan.constraint, "deposits_entity_id_fkey")
        }

        const referenced = yield* repositories.users.delete(user.id).pipe(Effect.flip)
        assert.strictEqual(referenced._tag, "ForeignKeyViolation")

        // The model accepts an order with two owners; the schema does not.
        const twoOwners = yield* repositories.orders.insert(
          yield* Effect.orDie(
            Schema.decodeUnknownEffect(Tables.tables.orders.insert)({
              ...sample("orders", ids),
              client_reference: null,
              seller_id: (yield* repositories.sellers.findAll({ limit: 1 }))[0]?.id ?? null
            })
          )
        ).pipe(Effect.flip)
        assert.strictEqual(twoOwners._tag, "CheckViolation")
        if (twoOwners._tag === "CheckViolation") assert.strictEqual(twoOwners.constraint, "orders_one_owner_check")

        const overfilled = yield* repositories.orders.insert(
          yield* Effect.orDie(
            Schema.decodeUnknownEffect(Tables.tables.orders.insert)({
              ...sample("orders", ids),
              client_reference: null,
              filled_quantity: "101"
            })
          )
        ).pipe(Effect.flip)
        assert.strictEqual(overfilled._tag, "CheckViolation")

        const duplicateSeller = yield* repositories.sellers.insert(
          yield* Effect.orDie(Schema.decodeUnknownEffect(Tables.tables.sellers.insert)(sample("sellers", ids)))
        ).pipe(Effect.flip)
        assert.strictEqual(duplicateSeller._tag, "UniqueViolation")
        if (duplicateSeller._tag === "UniqueViolation") {
          assert.strictEqual(duplicateSeller.constraint, "sellers_code_key")
        }
        const duplicateHolding = yield* Constraints.refine(sql`
          INSERT INTO entity_holdings (entity_id, asset_type) VALUES (${entity.id}, 'CEA'), (${entity.id}, 'CEA')`)
          .pipe(Effect.flip)
        assert.strictEqual(duplicateHolding._tag, "UniqueViolation")
        if (duplicateHolding._tag === "UniqueViolation") {
          assert.strictEqual(duplicateHolding.constraint, "entity_holdings_entity_asset_key")
        }

        // Below the models, the database itself refuses a negative balance or amount.
        const negative = yield* Constraints.refine(
          sql`UPDATE entity_holdings SET available = -1 WHERE entity_id = ${entity.id}`
        ).pipe(Effect.flip)
        assert.strictEqual(negative._tag, "CheckViolation")
        const negativeDeposit = yield* Constraints.refine(
          sql`INSERT INTO deposits (entity_id, user_id, amount, wire_reference) VALUES (${entity.id}, ${user.id}, -5, 'x')`
        ).pipe(Effect.flip)
        assert.strictEqual(negativeDeposit._tag, "CheckViolation")
        const missingColumn = yield* Constraints.refine(
          sql`INSERT INTO entities (name) VALUES ('No Jurisdiction Ltd')`
        ).pipe(Effect.flip)
        assert.strictEqual(missingColumn._tag, "NotNullViolation")
        if (missingColumn._tag === "NotNullViolation") assert.strictEqual(missingColumn.column, "jurisdiction")
      }))
  })
})

import { assert } from "@effect/vitest"
import { AuditChain, Constraints, Transaction } from "@niha/db"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import { eachBackend } from "./support/Backends.ts"

/** A user to log against, and `n` committed ticket and activity rows, each in its own transaction. */
const writeLogs = (n: number, tag: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [user] = yield* sql<{ id: string }>`
      INSERT INTO users (email, first_name, last_name, role)
      VALUES (${`${tag}@chain.example`}, 'Chain', 'Test', 'ADMIN') RETURNING id::text AS id`
    const userId = user?.id ?? ""
    for (let i = 0; i < n; i++) {
      yield* Transaction.run(Effect.gen(function*() {
        yield* sql`INSERT INTO activity_logs (user_id, action, details) VALUES (${userId}, 'chain.test', ${
          JSON.stringify({ i, tag })
        }::jsonb)`
        yield* sql`INSERT INTO ticket_logs (ticket_reference, user_id, action, status, request_payload)
          VALUES (${`TKT-${tag}-${i}`}, ${userId}, 'chain.test', 'SUCCESS', ${JSON.stringify({ i })}::jsonb)`
      }))
    }
    yield* AuditChain.seal
    return userId
  })

const reportOf = (table: AuditChain.ChainedTable) =>
  Effect.map(AuditChain.verify, (reports) => {
    const report = reports.find((candidate) => candidate.table === table)
    if (report === undefined) throw new Error(`no report for ${table}`)
    return report
  })

/** The id of the ticket row at a place of the chain. */
const ticketAt = (place: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ id: string }>`SELECT id::text AS id FROM ticket_logs WHERE chain_seq = ${place}`
    if (row === undefined) throw new Error(`no ticket at ${place}`)
    return row.id
  })

/** Runs `statement` with the append-only trigger of `table` off, as a superuser could. */
const tamper = (table: string, statement: Effect.Effect<unknown, unknown, SqlClient.SqlClient>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* Transaction.run(Effect.gen(function*() {
      yield* sql.unsafe(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`)
      yield* Effect.orDie(statement)
      yield* sql.unsafe(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_append_only`)
    }))
  })

eachBackend("AuditChain", (it) => {
  it.effect("seals every committed row, oldest first, each carrying the hash of the one before", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* writeLogs(5, "seal")
      const rows = yield* sql<{ chain_seq: string; prev_hash: string; row_hash: string }>`
        SELECT chain_seq::text AS chain_seq, prev_hash, row_hash FROM ticket_logs ORDER BY chain_seq`
      assert.deepStrictEqual(rows.map((row) => row.chain_seq), ["1", "2", "3", "4", "5"])
      assert.strictEqual(rows[0]?.prev_hash, AuditChain.genesis)
      for (let i = 1; i < rows.length; i++) assert.strictEqual(rows[i]?.prev_hash, rows[i - 1]?.row_hash)
      const reports = yield* AuditChain.verify
      assert.deepStrictEqual(reports.map((report) => [report.table, report.rows, report.finding]), [
        ["ticket_logs", 5, undefined],
        ["activity_logs", 5, undefined]
      ])
      assert.strictEqual(reports[0]?.head_hash, rows[4]?.row_hash)
      const [tickets] = reports
      if (tickets === undefined) return assert.fail("no report")
      assert.match(AuditChain.describe(tickets), /^ticket_logs: 5 rows, whole, head 5 [0-9a-f]{64}$/)
    }))

  it.effect("seals a round of many rows with one update per table, ordered by time then id, and the next round continues the chain", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const before = (yield* reportOf("activity_logs")).head_seq
      const userId = yield* writeLogs(1, "round")
      // Rows of one transaction share `created_at`: their order is the id's.
      const round = (n: number) =>
        Transaction.run(sql`
          INSERT INTO activity_logs (user_id, action, details)
          SELECT ${userId}, 'chain.round', jsonb_build_object('i', i) FROM generate_series(1, ${n}) AS i`)
      yield* round(150)
      assert.strictEqual(yield* AuditChain.seal, 150)
      yield* round(70)
      assert.strictEqual(yield* AuditChain.seal, 70)
      const rows = yield* sql<
        { id: string; created_at: string; chain_seq: string; prev_hash: string; row_hash: string }
      >`
        SELECT id::text AS id, created_at::text AS created_at, chain_seq::text AS chain_seq, prev_hash, row_hash
        FROM activity_logs WHERE activity_logs.chain_seq > ${before} ORDER BY activity_logs.chain_seq`
      assert.strictEqual(rows.length, 221)
      rows.forEach((row, index) => assert.strictEqual(row.chain_seq, String(Number(before) + index + 1)))
      for (let i = 1; i < rows.length; i++) {
        const previous = rows[i - 1]
        const row = rows[i]
        assert.strictEqual(row?.prev_hash, previous?.row_hash)
        if (row?.created_at === previous?.created_at) assert.isTrue((previous?.id ?? "") < (row?.id ?? ""))
      }
      const report = yield* reportOf("activity_logs")
      assert.strictEqual(report.finding, undefined)
      assert.strictEqual(report.head_hash, rows.at(-1)?.row_hash)
    }))

  it.effect("rows are inserted unsealed; a rolled-back row takes no place; sealing is idempotent", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const before = (yield* reportOf("ticket_logs")).head_seq
      yield* Transaction.run(Effect.gen(function*() {
        yield* sql`INSERT INTO ticket_logs (ticket_reference, action, status) VALUES ('TKT-RB', 'chain.test', 'FAILED')`
        return yield* Effect.fail("roll back" as const)
      })).pipe(Effect.flip)
      yield* Transaction.run(Effect.gen(function*() {
        yield* sql`INSERT INTO ticket_logs (ticket_reference, action, status) VALUES ('TKT-A', 'chain.test', 'SUCCESS')`
        yield* sql`INSERT INTO ticket_logs (ticket_reference, action, status) VALUES ('TKT-B', 'chain.test', 'SUCCESS')`
      }))
      const [pending] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM ticket_logs WHERE chain_seq IS NULL`
      assert.strictEqual(pending?.n, 2)
      assert.strictEqual(yield* AuditChain.seal, 2)
      assert.strictEqual(yield* AuditChain.seal, 0)
      const rows = yield* sql<{ ticket_reference: string; chain_seq: string }>`
        SELECT ticket_reference, chain_seq::text AS chain_seq FROM ticket_logs
        WHERE chain_seq > ${before.toString()}::bigint ORDER BY chain_seq`
      // One transaction's rows share created_at: they take consecutive places, in id order.
      assert.deepStrictEqual(rows.map((row) => row.chain_seq), [String(before + 1n), String(before + 2n)])
      assert.deepStrictEqual(rows.map((row) => row.ticket_reference).sort(), ["TKT-A", "TKT-B"])
      assert.isUndefined((yield* reportOf("ticket_logs")).finding)
    }))

  it.effect("the database refuses UPDATE, DELETE and TRUNCATE of both tables, also of the chain columns", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* writeLogs(1, "refuse")
      for (const table of AuditChain.tables) {
        for (
          const statement of [
            `UPDATE ${table} SET action = 'changed'`,
            `UPDATE ${table} SET row_hash = repeat('a', 64)`,
            `UPDATE ${table} SET chain_seq = NULL, prev_hash = NULL, row_hash = NULL`,
            `DELETE FROM ${table}`,
            `TRUNCATE ${table}`
          ]
        ) {
          const error = yield* Constraints.refine(sql.unsafe(statement)).pipe(Effect.flip)
          assert.strictEqual(error._tag, "RestrictViolation", statement)
          if (error._tag === "RestrictViolation") {
            assert.strictEqual(error.constraint, `${table}_append_only`, statement)
            assert.match(error.message, /is append-only/, statement)
          }
        }
      }
      assert.isTrue((yield* AuditChain.verify).every((report) => report.finding === undefined))
    }))
})

eachBackend("AuditChain, tampered: edited", (it) => {
  it.effect("verify finds a row edited by hand with the trigger off", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* writeLogs(4, "edit")
      const victim = yield* ticketAt(2)
      yield* tamper("ticket_logs", sql`UPDATE ticket_logs SET action = 'forged' WHERE id = ${victim}`)
      const report = yield* reportOf("ticket_logs")
      assert.deepStrictEqual(report.finding, { kind: "edited", chain_seq: 2n, id: victim })
      assert.strictEqual(report.rows, 1)
      assert.include(AuditChain.describe(report), `row edited at place 2 (row ${victim})`)
      assert.isUndefined((yield* reportOf("activity_logs")).finding)
    }))
})

eachBackend("AuditChain, tampered: rehashed", (it) => {
  it.effect("verify finds a row edited with its hash recomputed, by the broken link after it", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* writeLogs(4, "rehash")
      const victim = yield* ticketAt(2)
      const next = yield* ticketAt(3)
      yield* tamper(
        "ticket_logs",
        sql`UPDATE ticket_logs t SET action = 'forged', row_hash = audit_row_hash(t.chain_seq, t.prev_hash,
          (to_jsonb(t) || '{"action":"forged"}'::jsonb) - 'chain_seq' - 'prev_hash' - 'row_hash' - 'created_at',
          t.created_at) WHERE id = ${victim}`
      )
      assert.deepStrictEqual((yield* reportOf("ticket_logs")).finding, { kind: "relinked", chain_seq: 3n, id: next })
    }))
})

eachBackend("AuditChain, tampered: deleted", (it) => {
  it.effect("verify finds a deleted row, in the middle and at the end", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* writeLogs(4, "delete")
      yield* tamper("activity_logs", sql`DELETE FROM activity_logs WHERE chain_seq = 4`)
      assert.deepStrictEqual((yield* reportOf("activity_logs")).finding, { kind: "missing", chain_seq: 4n, id: null })
      yield* tamper("ticket_logs", sql`DELETE FROM ticket_logs WHERE chain_seq = 2`)
      const report = yield* reportOf("ticket_logs")
      assert.deepStrictEqual(report.finding, { kind: "missing", chain_seq: 2n, id: null })
      assert.include(AuditChain.describe(report), "row missing at place 2")
    }))
})

eachBackend("AuditChain, tampered: forged", (it) => {
  it.effect("a row inserted already sealed is refused; one sealed by hand is found", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* writeLogs(2, "forged")
      const inserted = yield* Constraints.refine(sql`
        INSERT INTO ticket_logs (ticket_reference, action, status, chain_seq, prev_hash, row_hash)
        VALUES ('TKT-X', 'forged', 'SUCCESS', 3, repeat('0', 64), repeat('0', 64))`).pipe(Effect.flip)
      assert.strictEqual(inserted._tag, "RestrictViolation")
      // The application's role may flag itself as the sealer: it can then only seal a
      // row nobody sealed yet, and a seal it makes up is found.
      const [row] = yield* Transaction.run(Effect.gen(function*() {
        const [added] = yield* sql<{ id: string }>`
          INSERT INTO ticket_logs (ticket_reference, action, status) VALUES ('TKT-Y', 'forged', 'SUCCESS')
          RETURNING id::text AS id`
        yield* sql`SELECT set_config('niha.audit_sealing', 'on', true)`
        yield* sql`UPDATE ticket_logs SET chain_seq = 3, prev_hash = repeat('0', 64), row_hash = repeat('1', 64)
          WHERE id = ${added?.id ?? ""}`
        return [added]
      }))
      const report = yield* reportOf("ticket_logs")
      assert.deepStrictEqual(report.finding, { kind: "edited", chain_seq: 3n, id: row?.id ?? "" })
    }))
})

/**
 * The audit chains of `ticket_logs` and `activity_logs` (migration 11), checked.
 *
 * Rows are inserted unsealed; {@link seal} (SQL `audit_chain_seal_pending()`, run by the
 * server every second and by {@link verify} first) chains every committed unsealed row:
 * its place (`chain_seq`), the hash of the row before it (`prev_hash`) and its own hash
 * (`row_hash`, SHA-256 of its place, the previous hash, its columns and its creation time;
 * SQL `audit_row_hash`), and keeps each chain's last place and hash in
 * `audit_chain_heads`. Triggers refuse every
 * UPDATE, DELETE and TRUNCATE, so only someone who can switch the triggers off (a
 * superuser) can change the trail, and {@link verify} finds what they changed:
 *
 * - `edited`: a row's columns no longer hash to its `row_hash`;
 * - `relinked`: a row's `prev_hash` is not the hash of the row before it (a row rewritten
 *   with a recomputed hash, or rows swapped);
 * - `missing`: no row at a place the chain has reached (a deleted row, also the last one,
 *   which the head still counts);
 * - `unsealed`: a row without a place after sealing (one a transaction still open wrote
 *   is not visible, so this means sealing could not reach it);
 * - `head`: the head's hash is not the last row's.
 *
 * It reads each table in one snapshot, in pages by place, and reports the first finding
 * of each table.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"

/**
 * The chained tables.
 *
 * @category constants
 * @since 0.1.0
 */
export const tables = ["ticket_logs", "activity_logs"] as const

/**
 * A chained table.
 *
 * @category models
 * @since 0.1.0
 */
export type ChainedTable = typeof tables[number]

/**
 * The hash before the first row of a chain: 64 zeros.
 *
 * @category constants
 * @since 0.1.0
 */
export const genesis = "0".repeat(64)

/**
 * The first thing wrong in a chain.
 *
 * @category models
 * @since 0.1.0
 */
export interface Finding {
  /** What is wrong (see the module's description). */
  readonly kind: "edited" | "relinked" | "missing" | "unsealed" | "head"
  /** The place in the chain it concerns (the head's place for `head`, null for `unsealed`). */
  readonly chain_seq: bigint | null
  /** The row it concerns, when there is one. */
  readonly id: string | null
}

/**
 * One chain as verified.
 *
 * @category models
 * @since 0.1.0
 */
export interface TableReport {
  /** The table. */
  readonly table: ChainedTable
  /** How many sealed rows were read. */
  readonly rows: number
  /** The head's place. */
  readonly head_seq: bigint
  /** The head's hash: kept outside the database, it proves later that nothing before it changed. */
  readonly head_hash: string
  /** The first thing wrong, or undefined when the chain is whole. */
  readonly finding: Finding | undefined
}

interface ChainRow {
  readonly id: string
  readonly chain_seq: string
  readonly prev_hash: string
  readonly row_hash: string
  readonly actual: string
}

const pageSize = 2000

const verifyTable = (sql: SqlClient.SqlClient, table: ChainedTable) =>
  Effect.gen(function*() {
    const [head] = yield* sql<{ chain_seq: string; row_hash: string }>`
      SELECT chain_seq::text AS chain_seq, row_hash FROM audit_chain_heads WHERE table_name = ${table}`
    const headSeq = BigInt(head?.chain_seq ?? "0")
    const headHash = head?.row_hash ?? genesis
    const report = (rows: number, finding: Finding | undefined): TableReport => ({
      table,
      rows,
      head_seq: headSeq,
      head_hash: headHash,
      finding
    })
    let expected = 1n
    let previous = genesis
    let rows = 0
    while (true) {
      const page = yield* sql<ChainRow>`
        SELECT t.id::text AS id, t.chain_seq::text AS chain_seq, t.prev_hash, t.row_hash,
          audit_row_hash(t.chain_seq, t.prev_hash,
            to_jsonb(t) - 'chain_seq' - 'prev_hash' - 'row_hash' - 'created_at', t.created_at) AS actual
        FROM ${sql(table)} t
        WHERE t.chain_seq >= ${expected.toString()}::bigint
        ORDER BY t.chain_seq
        LIMIT ${pageSize}`
      for (const row of page) {
        const place = BigInt(row.chain_seq)
        if (place !== expected) return report(rows, { kind: "missing", chain_seq: expected, id: null })
        if (row.actual !== row.row_hash) return report(rows, { kind: "edited", chain_seq: place, id: row.id })
        if (row.prev_hash !== previous) return report(rows, { kind: "relinked", chain_seq: place, id: row.id })
        previous = row.row_hash
        expected = place + 1n
        rows++
      }
      if (page.length < pageSize) break
    }
    if (headSeq >= expected) return report(rows, { kind: "missing", chain_seq: expected, id: null })
    const [unsealed] = yield* sql<{ id: string }>`
      SELECT id::text AS id FROM ${sql(table)} WHERE chain_seq IS NULL ORDER BY created_at, id LIMIT 1`
    if (unsealed !== undefined) return report(rows, { kind: "unsealed", chain_seq: null, id: unsealed.id })
    if (headSeq !== expected - 1n || headHash !== previous) {
      return report(rows, { kind: "head", chain_seq: headSeq, id: null })
    }
    return report(rows, undefined)
  })

/**
 * Seals every committed unsealed row of both chains, oldest first, in a transaction of its
 * own; answers how many it sealed.
 *
 * @category sealing
 * @since 0.1.0
 */
export const seal: Effect.Effect<number, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql.withTransaction(sql<{ sealed: number }>`SELECT audit_chain_seal_pending() AS sealed`)
  return row?.sealed ?? 0
})

/**
 * Seals what is pending ({@link seal}), then verifies both chains in one snapshot (a
 * repeatable-read transaction) and reports each. Rows of transactions still open are not
 * visible, so a busy database verifies clean.
 *
 * @category verifying
 * @since 0.1.0
 */
export const verify: Effect.Effect<ReadonlyArray<TableReport>, SqlError, SqlClient.SqlClient> = Effect.gen(
  function*() {
    const sql = yield* SqlClient.SqlClient
    yield* seal
    return yield* sql.withTransaction(Effect.gen(function*() {
      yield* sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY`
      const reports: Array<TableReport> = []
      for (const table of tables) reports.push(yield* verifyTable(sql, table))
      return reports
    }))
  }
)

/**
 * A report as one line a person reads: `ticket_logs: 42 rows, whole, head <hash>` or what
 * is wrong first.
 *
 * @category output
 * @since 0.1.0
 */
export const describe = (report: TableReport): string => {
  const finding = report.finding
  if (finding === undefined) {
    return `${report.table}: ${report.rows} rows, whole, head ${report.head_seq} ${report.head_hash}`
  }
  const at = finding.chain_seq === null ? "" : ` at place ${finding.chain_seq}`
  const row = finding.id === null ? "" : ` (row ${finding.id})`
  switch (finding.kind) {
    case "edited":
      return `${report.table}: row edited${at}${row}: its columns no longer match its hash`
    case "relinked":
      return `${report.table}: chain broken${at}${row}: its prev_hash is not the hash of the row before it`
    case "missing":
      return `${report.table}: row missing${at}: the chain reached it, the table does not have it`
    case "unsealed":
      return `${report.table}: row outside the chain${row}: written with the sealing trigger off`
    case "head":
      return `${report.table}: head${at} does not match the last row of the chain`
  }
}

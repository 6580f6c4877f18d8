/**
 * The ledger's accounts as rows: an entity's `Available` and `Locked` accounts are the
 * `available` and `locked` columns of its `entity_holdings` row, and each platform account
 * has a row per asset in `ledger.platform_accounts`. A linked set locks every row it
 * touches before it reads a balance, in the canonical account order (entity holdings by
 * entity id then asset, then platform accounts by name then asset, one statement each),
 * applies its lines to them in memory under each account's limit, and gives the rows
 * that changed to the batch's one writing statement (`write.ts`), which checks that the
 * database stored what it computed. A batch of sets shares one book: a refused set's
 * changes are put back from a {@link Checkpoint}.
 */
import { Enums, Errors, Ids } from "@niha/domain"
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Order from "effect/Order"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as Constraints from "../../Constraints.ts"
import { format, toMinor } from "../amounts.ts"
import { column, columns } from "./arrays.ts"
import { CreditOnlyDebit, MissingRow, PlatformOverdraft } from "./errors.ts"
import { accountColumn, type PlannedLine } from "./lines.ts"
import { type Account, PlatformAccountName } from "./model.ts"

/**
 * What each platform account allows: `WORLD` anything (it is the outside world, the
 * source of every deposit), `FEES` only credits, the others never below zero.
 */
export const limits: { readonly [Name in PlatformAccountName]: "none" | "credit_only" | "non_negative" } = {
  FEES: "credit_only",
  CUSTODY: "non_negative",
  SETTLEMENT_PENDING: "non_negative",
  WORLD: "none"
}

/** An entity's holding of one asset, as locked, and as the set's lines leave it. */
export interface HoldingState {
  readonly id: string
  readonly entity_id: Ids.EntityId
  readonly asset: Enums.AssetType
  readonly before: { readonly available: bigint; readonly locked: bigint }
  available: bigint
  locked: bigint
}

/** A platform account of one asset, as locked, and as the set's lines leave it. */
export interface PlatformState {
  readonly name: PlatformAccountName
  readonly asset: Enums.AssetType
  readonly before: bigint
  balance: bigint
}

/** Every account a linked set touches, locked. */
export interface Book {
  readonly holdings: ReadonlyMap<string, HoldingState>
  readonly platform: ReadonlyMap<string, PlatformState>
  /** The ids of the holdings this transaction created (a first holding of an asset). */
  readonly created: ReadonlySet<string>
}

/** The key of an account's row in a {@link Book}. */
export const holdingKey = (entity_id: string, asset: Enums.AssetType): string => `${entity_id}/${asset}`

/** The key of a platform account's row in a {@link Book}. */
export const platformKey = (name: PlatformAccountName, asset: Enums.AssetType): string => `${name}/${asset}`

const assetOrder: ReadonlyArray<Enums.AssetType> = Enums.AssetType.literals

type HoldingRef = readonly [Ids.EntityId, Enums.AssetType]
type PlatformRef = readonly [PlatformAccountName, Enums.AssetType]

/** The canonical order of rows: by owner (entity id or account name), then asset in the enum's order. */
const canonical = <R extends readonly [string, Enums.AssetType]>(refs: ReadonlyArray<R>): Array<R> => {
  // Deduplicated by key (a batch names thousands of rows: no pairwise comparison).
  const unique = new Map<string, R>()
  for (const ref of refs) unique.set(`${ref[0]}/${ref[1]}`, ref)
  return Arr.sort(
    unique.values(),
    Order.make<R>((a, b) =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : Order.Number(assetOrder.indexOf(a[1]), assetOrder.indexOf(b[1]))
    )
  )
}

/** The rows a set of accounts (of one asset each) lives in. */
export const rowsOf = (accounts: ReadonlyArray<readonly [Account, Enums.AssetType]>) => ({
  holdings: accounts.flatMap(([account, asset]): Array<HoldingRef> =>
    account._tag === "Platform" ? [] : [[account.entity_id, asset]]
  ),
  platform: accounts.flatMap(([account, asset]): Array<PlatformRef> =>
    account._tag === "Platform" ? [[account.name, asset]] : []
  )
})

const HoldingRow = Schema.Struct({
  id: Schema.String,
  entity_id: Ids.EntityId,
  asset_type: Enums.AssetType,
  available: Schema.String,
  locked: Schema.String
})
const decodeHoldingRows = Schema.decodeUnknownEffect(Schema.Array(HoldingRow))

const PlatformRow = Schema.Struct({ account: PlatformAccountName, asset_type: Enums.AssetType, balance: Schema.String })
const decodePlatformRows = Schema.decodeUnknownEffect(Schema.Array(PlatformRow))

/**
 * Locks the existing holdings of `refs` in one statement. PostgreSQL sorts the two
 * columns as the canonical order does (uuid, then the enum's order), and locks the rows
 * in the order it returns them.
 */
const selectHoldings = Effect.fnUntraced(function*(sql: SqlClient.SqlClient, refs: ReadonlyArray<HoldingRef>) {
  const keys = yield* columns({ entity: refs.map(([entity_id]) => entity_id), asset: refs.map(([, asset]) => asset) })
  const rows = yield* sql`
    SELECT id, entity_id, asset_type::text AS asset_type, available::text AS available, locked::text AS locked
    FROM entity_holdings
    WHERE (entity_id, asset_type) IN (SELECT * FROM unnest(${keys.entity}::uuid[], ${keys.asset}::assettype[]))
    ORDER BY entity_id, asset_type
    FOR UPDATE`
  return yield* Effect.orDie(decodeHoldingRows(rows))
})

/**
 * Locks, in one statement and in the platform's lock order, the existing holdings (by
 * entity, then asset), the platform accounts' rows (by name, then asset) and the given
 * pending transfers' rows (by id), and answers each table's rows as a JSON array of text
 * columns. Each part waits for the one before it (its one-time filter reads it), so the
 * locks are taken in that order whatever order the answer's columns are computed in; a
 * row locked after a wait is read as committed (PostgreSQL reads it again under the lock).
 */
const lockRows = Effect.fnUntraced(function*(
  sql: SqlClient.SqlClient,
  holdings: ReadonlyArray<HoldingRef>,
  platform: ReadonlyArray<PlatformRef>,
  pending: ReadonlyArray<string>
) {
  const h = yield* columns({ entity: holdings.map(([entity_id]) => entity_id), asset: holdings.map(([, a]) => a) })
  const p = yield* columns({ name: platform.map(([name]) => name), asset: platform.map(([, a]) => a) })
  const ids = yield* column([...new Set(pending)].sort())
  const [row] = yield* sql<{ holdings: unknown; platform: unknown; pending: unknown }>`
    WITH h AS MATERIALIZED (
      SELECT id, entity_id, asset_type::text AS asset_type, available::text AS available, locked::text AS locked
      FROM entity_holdings
      WHERE (entity_id, asset_type) IN (SELECT * FROM unnest(${h.entity}::uuid[], ${h.asset}::assettype[]))
      ORDER BY entity_id, asset_type
      FOR UPDATE),
    p AS MATERIALIZED (
      SELECT account, asset_type::text AS asset_type, balance::text AS balance FROM ledger.platform_accounts
      WHERE (SELECT count(*) FROM h) >= 0
        AND (account, asset_type) IN (SELECT * FROM unnest(${p.name}::text[], ${p.asset}::assettype[]))
      ORDER BY account, asset_type
      FOR UPDATE),
    x AS MATERIALIZED (
      SELECT transfer_id, asset_type::text AS asset_type, holder_id, source_account, source_entity_id,
        amount::text AS amount, remaining::text AS remaining
      FROM ledger.pending_transfers
      WHERE (SELECT count(*) FROM p) >= 0 AND transfer_id = ANY(${ids}::uuid[])
      ORDER BY transfer_id
      FOR UPDATE)
    SELECT (SELECT coalesce(json_agg(h), '[]'::json) FROM h) AS holdings,
      (SELECT coalesce(json_agg(p), '[]'::json) FROM p) AS platform,
      (SELECT coalesce(json_agg(x), '[]'::json) FROM x) AS pending`
  return {
    holdings: yield* Effect.orDie(decodeHoldingRows(row?.holdings ?? [])),
    platform: yield* Effect.orDie(decodePlatformRows(row?.platform ?? [])),
    pending: row?.pending ?? []
  }
})

/**
 * The states of the holdings, from their locked rows, creating the missing ones (an
 * entity's first holding of an asset). Returns the states and the ids of the rows this
 * transaction created.
 */
const holdingStates = Effect.fnUntraced(function*(
  sql: SqlClient.SqlClient,
  sorted: ReadonlyArray<HoldingRef>,
  found: ReadonlyArray<typeof HoldingRow.Type>
) {
  const states = new Map<string, HoldingState>()
  const created = new Set<string>()
  const rows = [...found]
  if (rows.length < sorted.length) {
    const present = new Set(rows.map((row) => holdingKey(row.entity_id, row.asset_type)))
    const absent = sorted.filter(([entity_id, asset]) => !present.has(holdingKey(entity_id, asset)))
    const keys = yield* columns({
      entity: absent.map(([entity_id]) => entity_id),
      asset: absent.map(([, asset]) => asset)
    })
    // A row another transaction creates meanwhile is not ours to delete: only the ids
    // this INSERT returns are. Those rows are locked after the others, out of the
    // canonical order; two first holdings created at once can deadlock, which
    // `Transaction.run` retries (it is rare: an entity's first holding of an asset).
    const inserted = yield* Constraints.refine(sql<{ id: string }>`
      INSERT INTO entity_holdings (entity_id, asset_type)
      SELECT * FROM unnest(${keys.entity}::uuid[], ${keys.asset}::assettype[])
      ON CONFLICT (entity_id, asset_type) DO NOTHING
      RETURNING id`)
    for (const row of inserted) created.add(row.id)
    rows.push(...yield* selectHoldings(sql, absent))
  }
  for (const holding of rows) {
    const available = yield* toMinor(holding.asset_type, holding.available)
    const locked = yield* toMinor(holding.asset_type, holding.locked)
    states.set(holdingKey(holding.entity_id, holding.asset_type), {
      id: holding.id,
      entity_id: holding.entity_id,
      asset: holding.asset_type,
      before: { available, locked },
      available,
      locked
    })
  }
  for (const [entity_id, asset] of sorted) {
    if (!states.has(holdingKey(entity_id, asset))) return yield* missing(holdingKey(entity_id, asset))
  }
  return { states, created }
})

/** The states of the platform accounts, from their locked rows; every one exists (migration 4 made them). */
const platformStates = Effect.fnUntraced(function*(
  sorted: ReadonlyArray<PlatformRef>,
  found: ReadonlyArray<typeof PlatformRow.Type>
) {
  const states = new Map<string, PlatformState>()
  for (const row of found) {
    const balance = yield* toMinor(row.asset_type, row.balance)
    states.set(platformKey(row.account, row.asset_type), {
      name: row.account,
      asset: row.asset_type,
      before: balance,
      balance
    })
  }
  for (const [name, asset] of sorted) {
    if (!states.has(platformKey(name, asset))) {
      return yield* Effect.die(
        new MissingRow({
          table: "ledger.platform_accounts",
          key: platformKey(name, asset),
          invariant: "every platform account has a row per asset"
        })
      )
    }
  }
  return states
})

/**
 * Locks every row the accounts live in (holdings first, then platform accounts) and the
 * rows of the stored pending transfers `pending` (by id), in one statement when every
 * holding exists. Answers the book and the pending rows as stored, undecoded (`pending.ts`
 * decodes them).
 */
export const lockBook = (
  sql: SqlClient.SqlClient,
  accounts: ReadonlyArray<readonly [Account, Enums.AssetType]>,
  pending: ReadonlyArray<string>
): Effect.Effect<{ readonly book: Book; readonly pending: unknown }, SqlError | Constraints.ConstraintViolation> => {
  const rows = rowsOf(accounts)
  return Effect.gen(function*() {
    const holdings = canonical(rows.holdings)
    const platform = canonical(rows.platform)
    if (holdings.length === 0 && platform.length === 0 && pending.length === 0) {
      return { book: { holdings: new Map(), platform: new Map(), created: new Set<string>() }, pending: [] }
    }
    const locked = yield* lockRows(sql, holdings, platform, pending)
    const { created, states } = yield* holdingStates(sql, holdings, locked.holdings)
    return {
      book: { holdings: states, platform: yield* platformStates(platform, locked.platform), created },
      pending: locked.pending
    }
  })
}

/** What a linked set may change in the book, to put back when the set is refused. */
export interface Checkpoint {
  readonly holdings: ReadonlyArray<readonly [HoldingState, bigint, bigint]>
  readonly platform: ReadonlyArray<readonly [PlatformState, bigint]>
}

/** The current balances of the given accounts' rows. */
export const checkpoint = (book: Book, accounts: ReadonlyArray<readonly [Account, Enums.AssetType]>): Checkpoint => {
  const holdings: Array<readonly [HoldingState, bigint, bigint]> = []
  const platform: Array<readonly [PlatformState, bigint]> = []
  for (const [account, asset] of accounts) {
    if (account._tag === "Platform") {
      const state = book.platform.get(platformKey(account.name, asset))
      if (state !== undefined) platform.push([state, state.balance])
    } else {
      const state = book.holdings.get(holdingKey(account.entity_id, asset))
      if (state !== undefined) holdings.push([state, state.available, state.locked])
    }
  }
  return { holdings, platform }
}

/** Puts the balances of a checkpoint back (a refused set leaves the book as it found it). */
export const restore = (saved: Checkpoint): void => {
  for (const [state, available, locked] of saved.holdings) {
    state.available = available
    state.locked = locked
  }
  for (const [state, balance] of saved.platform) state.balance = balance
}

const missing = (key: string) =>
  Effect.die(new MissingRow({ table: "entity_holdings", key, invariant: "every account a transfer moves is locked" }))

/** Why a line cannot be applied: a limit (a refusal), or an account that was not locked (a defect). */
export type LineError = Errors.InsufficientFunds | PlatformOverdraft | CreditOnlyDebit | MissingRow

const notLocked = (key: string) =>
  Result.fail(new MissingRow({ table: "entity_holdings", key, invariant: "every account a transfer moves is locked" }))

/** One line on a platform account, under its limit. */
const applyPlatform = (
  book: Book,
  name: PlatformAccountName,
  asset: Enums.AssetType,
  amount: bigint
): Result.Result<PlannedLine, LineError> => {
  const state = book.platform.get(platformKey(name, asset))
  if (state === undefined) return notLocked(platformKey(name, asset))
  const next = state.balance + amount
  if (amount < 0n && limits[name] === "credit_only") {
    return Result.fail(new CreditOnlyDebit({ account: "FEES", asset_type: asset, amount: format(asset, -amount) }))
  }
  if (next < 0n && (name === "CUSTODY" || name === "SETTLEMENT_PENDING")) {
    return Result.fail(
      new PlatformOverdraft({
        account: name,
        asset_type: asset,
        required: format(asset, -amount),
        available: format(asset, state.balance)
      })
    )
  }
  state.balance = next
  return Result.succeed({
    target: { _tag: "Platform", name },
    entity_id: null,
    account: name,
    amount,
    balance_after: null
  })
}

/** One line on an entity's account, never below zero. */
const applyHolding = (
  book: Book,
  account: Account & { readonly entity_id: Ids.EntityId },
  asset: Enums.AssetType,
  amount: bigint
): Result.Result<PlannedLine, LineError> => {
  const holding = book.holdings.get(holdingKey(account.entity_id, asset))
  if (holding === undefined) return notLocked(holdingKey(account.entity_id, asset))
  const balance = account._tag === "Available" ? holding.available : holding.locked
  const next = balance + amount
  if (next < 0n) {
    return Result.fail(
      new Errors.InsufficientFunds({
        entity_id: account.entity_id,
        asset_type: asset,
        required: format(asset, -amount),
        available: format(asset, balance)
      })
    )
  }
  if (account._tag === "Available") holding.available = next
  else holding.locked = next
  return Result.succeed({
    target: account,
    entity_id: account.entity_id,
    account: accountColumn(account),
    amount,
    balance_after: holding.available + holding.locked
  })
}

/**
 * Applies a transfer's lines to the book in order, each under its account's limit, and
 * returns them with their `balance_after`. The first line that would break a limit
 * refuses the whole set; the lines before it stay applied to the book, which the caller
 * puts back from its {@link Checkpoint}. Plain code on the hot path of a batch: no effect
 * per line.
 */
export const applyLines = (
  book: Book,
  asset: Enums.AssetType,
  legs: ReadonlyArray<readonly [Account, bigint]>
): Result.Result<ReadonlyArray<PlannedLine>, LineError> => {
  const lines: Array<PlannedLine> = []
  for (const [account, amount] of legs) {
    const line = account._tag === "Platform"
      ? applyPlatform(book, account.name, asset, amount)
      : applyHolding(book, account, asset, amount)
    if (Result.isFailure(line)) return Result.fail(line.failure)
    lines.push(line.success)
  }
  return Result.succeed(lines)
}

/** The balances a batch writes, as columns: every holding and platform account whose balance changed. */
export interface BookColumns {
  /** The changed holdings: row id, available and locked. */
  readonly holdings: { readonly [Column in "id" | "available" | "locked"]: ReadonlyArray<string> }
  /** The changed platform accounts: name, asset and balance. */
  readonly platform: { readonly [Column in "name" | "asset" | "balance"]: ReadonlyArray<string> }
}

/** The rows of the book whose balance changed, as the batch's writing statement takes them. */
export const bookColumns = (book: Book): BookColumns => {
  const holdings = [...book.holdings.values()].filter((holding) =>
    holding.available !== holding.before.available || holding.locked !== holding.before.locked
  )
  const platform = [...book.platform.values()].filter((state) => state.balance !== state.before)
  return {
    holdings: {
      id: holdings.map((holding) => holding.id),
      available: holdings.map((holding) => format(holding.asset, holding.available)),
      locked: holdings.map((holding) => format(holding.asset, holding.locked))
    },
    platform: {
      name: platform.map((state) => state.name),
      asset: platform.map((state) => state.asset),
      balance: platform.map((state) => format(state.asset, state.balance))
    }
  }
}

/** The account and the balance the ledger computed of a holding row (by id) or platform row (`name/asset`). */
export const describeRow = (book: Book, key: string): { readonly account: string; readonly expected: string } => {
  for (const holding of book.holdings.values()) {
    if (holding.id === key) {
      return {
        account: `${holdingKey(holding.entity_id, holding.asset)}/AVAILABLE/LOCKED`,
        expected: `${format(holding.asset, holding.available)}/${format(holding.asset, holding.locked)}`
      }
    }
  }
  const state = book.platform.get(key)
  return { account: key, expected: state === undefined ? "" : format(state.asset, state.balance) }
}

/**
 * Deletes the holdings this transaction created that no line uses (their set was
 * refused), so a refused set leaves no empty holding behind.
 */
export const dropUnused = Effect.fnUntraced(function*(
  sql: SqlClient.SqlClient,
  book: Book,
  used: ReadonlySet<string>
) {
  const unused = [...book.holdings.values()].filter((holding) =>
    book.created.has(holding.id) && !used.has(holdingKey(holding.entity_id, holding.asset))
  )
  if (unused.length === 0) return
  const ids = yield* column(unused.map((holding) => holding.id))
  yield* Constraints.refine(sql`DELETE FROM entity_holdings WHERE id = ANY(${ids}::uuid[])`)
})

/**
 * The ledger's accounts as rows: an entity's `Available` and `Locked` accounts are the
 * `available` and `locked` columns of its `entity_holdings` row, and each platform account
 * has a row per asset in `ledger.platform_accounts`. A linked set locks every row it
 * touches before it reads a balance, in the canonical account order (entity holdings by
 * entity id then asset, then platform accounts by name then asset, one statement each),
 * applies its lines to them in memory under each account's limit, and writes back the
 * rows that changed, checking that the database stored what it computed.
 */
import { Enums, Errors, Funds, type Ids } from "@niha/domain"
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Order from "effect/Order"
import * as Schema from "effect/Schema"
import type * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as Constraints from "../../Constraints.ts"
import { format, toMinor } from "../amounts.ts"
import { CreditOnlyDebit, InconsistentBalance, MissingRow, PlatformOverdraft } from "./errors.ts"
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
}

/** The key of an account's row in a {@link Book}. */
export const holdingKey = (entity_id: string, asset: Enums.AssetType): string => `${entity_id}/${asset}`

/** The key of a platform account's row in a {@link Book}. */
export const platformKey = (name: PlatformAccountName, asset: Enums.AssetType): string => `${name}/${asset}`

const assetOrder: ReadonlyArray<Enums.AssetType> = Enums.AssetType.literals

type HoldingRef = readonly [Ids.EntityId, Enums.AssetType]
type PlatformRef = readonly [PlatformAccountName, Enums.AssetType]

/** The canonical order of rows: by owner (entity id or account name), then asset in the enum's order. */
const canonical = <R extends readonly [string, Enums.AssetType]>(refs: ReadonlyArray<R>): Array<R> =>
  Arr.sort(
    Arr.dedupeWith(refs, (a, b) => a[0] === b[0] && a[1] === b[1]),
    Order.make<R>((a, b) =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : Order.Number(assetOrder.indexOf(a[1]), assetOrder.indexOf(b[1]))
    )
  )

/** The rows a set of accounts (of one asset each) lives in. */
export const rowsOf = (accounts: ReadonlyArray<readonly [Account, Enums.AssetType]>) => ({
  holdings: accounts.flatMap(([account, asset]): Array<HoldingRef> =>
    account._tag === "Platform" ? [] : [[account.entity_id, asset]]
  ),
  platform: accounts.flatMap(([account, asset]): Array<PlatformRef> =>
    account._tag === "Platform" ? [[account.name, asset]] : []
  )
})

const decodeHoldings = Schema.decodeUnknownEffect(Schema.Array(Funds.EntityHolding))

const PlatformRow = Schema.Struct({ account: PlatformAccountName, asset_type: Enums.AssetType, balance: Schema.String })
const decodePlatformRows = Schema.decodeUnknownEffect(Schema.Array(PlatformRow))

/** Creates the missing holdings and locks them, in canonical order. */
const lockHoldings = Effect.fnUntraced(function*(sql: SqlClient.SqlClient, refs: ReadonlyArray<HoldingRef>) {
  const states = new Map<string, HoldingState>()
  const sorted = canonical(refs)
  if (!Arr.isArrayNonEmpty(sorted)) return states
  yield* Constraints.refine(sql`
    INSERT INTO entity_holdings ${sql.insert(Arr.map(sorted, ([entity_id, asset_type]) => ({ entity_id, asset_type })))}
    ON CONFLICT (entity_id, asset_type) DO NOTHING`)
  // PostgreSQL sorts the two columns as the canonical order does (uuid, then the enum's
  // order), and locks the rows in the order it returns them.
  const rows = yield* sql`
    SELECT * FROM entity_holdings
    WHERE entity_id IN ${sql.in(sorted.map(([entity_id]) => entity_id))}
      AND entity_id::text || '/' || asset_type::text IN ${sql.in(sorted.map(([e, a]) => holdingKey(e, a)))}
    ORDER BY entity_id, asset_type
    FOR UPDATE`
  for (const holding of yield* Effect.orDie(decodeHoldings(rows))) {
    const available = BigInt(holding.available)
    const locked = BigInt(holding.locked)
    states.set(holdingKey(holding.entity_id, holding.asset_type), {
      id: holding.id,
      entity_id: holding.entity_id,
      asset: holding.asset_type,
      before: { available, locked },
      available,
      locked
    })
  }
  return states
})

/** Locks the platform accounts' rows, in canonical order; every one exists (migration 4 made them). */
const lockPlatform = Effect.fnUntraced(function*(sql: SqlClient.SqlClient, refs: ReadonlyArray<PlatformRef>) {
  const states = new Map<string, PlatformState>()
  const sorted = canonical(refs)
  if (!Arr.isArrayNonEmpty(sorted)) return states
  const rows = yield* sql`
    SELECT account, asset_type::text AS asset_type, balance::text AS balance FROM ledger.platform_accounts
    WHERE account || '/' || asset_type::text IN ${sql.in(sorted.map(([name, asset]) => platformKey(name, asset)))}
    ORDER BY account, asset_type
    FOR UPDATE`
  for (const row of yield* Effect.orDie(decodePlatformRows(rows))) {
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

/** Locks every row the accounts live in: holdings first, then platform accounts. */
export const lockBook = (
  sql: SqlClient.SqlClient,
  accounts: ReadonlyArray<readonly [Account, Enums.AssetType]>
): Effect.Effect<Book, SqlError | Constraints.ConstraintViolation> => {
  const rows = rowsOf(accounts)
  return Effect.gen(function*() {
    const holdings = yield* lockHoldings(sql, rows.holdings)
    const platform = yield* lockPlatform(sql, rows.platform)
    return { holdings, platform }
  })
}

const missing = (key: string) =>
  Effect.die(new MissingRow({ table: "entity_holdings", key, invariant: "every account a transfer moves is locked" }))

/** One line on a platform account, under its limit. */
const applyPlatform = (
  book: Book,
  name: PlatformAccountName,
  asset: Enums.AssetType,
  amount: bigint
): Effect.Effect<PlannedLine, PlatformOverdraft | CreditOnlyDebit> => {
  const state = book.platform.get(platformKey(name, asset))
  if (state === undefined) return missing(platformKey(name, asset))
  const next = state.balance + amount
  if (amount < 0n && limits[name] === "credit_only") {
    return Effect.fail(new CreditOnlyDebit({ account: "FEES", asset_type: asset, amount: format(asset, -amount) }))
  }
  if (next < 0n && (name === "CUSTODY" || name === "SETTLEMENT_PENDING")) {
    return Effect.fail(
      new PlatformOverdraft({
        account: name,
        asset_type: asset,
        required: format(asset, -amount),
        available: format(asset, state.balance)
      })
    )
  }
  state.balance = next
  return Effect.succeed<PlannedLine>({ entity_id: null, account: name, amount, balance_after: null })
}

/** One line on an entity's account, never below zero. */
const applyHolding = (
  book: Book,
  account: Account & { readonly entity_id: Ids.EntityId },
  asset: Enums.AssetType,
  amount: bigint
): Effect.Effect<PlannedLine, Errors.InsufficientFunds> => {
  const holding = book.holdings.get(holdingKey(account.entity_id, asset))
  if (holding === undefined) return missing(holdingKey(account.entity_id, asset))
  const balance = account._tag === "Available" ? holding.available : holding.locked
  const next = balance + amount
  if (next < 0n) {
    return Effect.fail(
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
  return Effect.succeed<PlannedLine>({
    entity_id: account.entity_id,
    account: accountColumn(account),
    amount,
    balance_after: holding.available + holding.locked
  })
}

/**
 * Applies a transfer's lines to the book in order, each under its account's limit, and
 * returns them with their `balance_after`. The first line that would break a limit fails
 * the whole set (nothing is written).
 */
export const applyLines = (
  book: Book,
  asset: Enums.AssetType,
  legs: ReadonlyArray<readonly [Account, bigint]>
): Effect.Effect<
  ReadonlyArray<PlannedLine>,
  Errors.InsufficientFunds | PlatformOverdraft | CreditOnlyDebit
> =>
  Effect.forEach(
    legs,
    ([account, amount]): Effect.Effect<PlannedLine, Errors.InsufficientFunds | PlatformOverdraft | CreditOnlyDebit> =>
      account._tag === "Platform"
        ? applyPlatform(book, account.name, asset, amount)
        : applyHolding(book, account, asset, amount)
  )

const stored = (account: string, expected: bigint, actual: bigint) =>
  expected === actual ? Effect.void : Effect.die(
    new InconsistentBalance({
      account,
      expected: String(expected),
      actual: String(actual),
      invariant: "the database stores the balance the ledger computed"
    })
  )

/** Writes back every row whose balance changed, and checks what the database stored. */
export const writeBook = Effect.fnUntraced(function*(sql: SqlClient.SqlClient, book: Book) {
  for (const holding of book.holdings.values()) {
    if (holding.available === holding.before.available && holding.locked === holding.before.locked) continue
    const rows = yield* Constraints.refine(sql<{ available: string; locked: string }>`
      UPDATE entity_holdings
      SET available = ${format(holding.asset, holding.available)}, locked = ${format(holding.asset, holding.locked)},
          updated_at = now()
      WHERE id = ${holding.id}
      RETURNING available::text AS available, locked::text AS locked`)
    const key = holdingKey(holding.entity_id, holding.asset)
    const [row] = rows
    if (row === undefined) return yield* missing(key)
    yield* stored(`${key}/AVAILABLE`, holding.available, yield* toMinor(holding.asset, row.available))
    yield* stored(`${key}/LOCKED`, holding.locked, yield* toMinor(holding.asset, row.locked))
  }
  for (const state of book.platform.values()) {
    if (state.balance === state.before) continue
    const rows = yield* Constraints.refine(sql<{ balance: string }>`
      UPDATE ledger.platform_accounts SET balance = ${format(state.asset, state.balance)}, updated_at = now()
      WHERE account = ${state.name} AND asset_type = ${state.asset}
      RETURNING balance::text AS balance`)
    const [row] = rows
    if (row === undefined) return yield* missing(platformKey(state.name, state.asset))
    yield* stored(platformKey(state.name, state.asset), state.balance, yield* toMinor(state.asset, row.balance))
  }
})

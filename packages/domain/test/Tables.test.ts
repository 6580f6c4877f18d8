import { describe, expect, it } from "@effect/vitest"
import { Enums, Ids, Tables } from "@niha/domain"
import * as DateTime from "effect/DateTime"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"

// The seed's foreign key map, copied verbatim (43 lines); the seed says 51 in all.
const seedForeignKeyMap = `
activity_logs.user_id -> users.id
authentication_attempts.user_id -> users.id
user_sessions.user_id -> users.id
kyc_documents.user_id -> users.id
kyc_documents.reviewed_by -> users.id
market_maker_clients.user_id -> users.id
market_maker_clients.created_by -> users.id
asset_transactions.created_by -> users.id
deposits.user_id -> users.id
deposits.confirmed_by -> users.id
deposits.cleared_by_admin_id -> users.id
deposits.rejected_by_admin_id -> users.id
withdrawals.user_id -> users.id
withdrawals.processed_by -> users.id
withdrawals.completed_by -> users.id
withdrawals.rejected_by -> users.id
settlement_status_history.updated_by -> users.id
trading_fee_configs.updated_by -> users.id
entity_fee_overrides.updated_by -> users.id
entities.kyc_approved_by -> users.id
contact_requests.agent_id -> users.id
ticket_logs.user_id -> users.id
liquidity_operations.created_by -> users.id
users.created_by -> users.id
users.entity_id -> entities.id
certificates.entity_id -> entities.id
deposits.entity_id -> entities.id
withdrawals.entity_id -> entities.id
entity_holdings.entity_id -> entities.id
entity_fee_overrides.entity_id -> entities.id
orders.entity_id -> entities.id
settlement_batches.entity_id -> entities.id
trades.buyer_entity_id -> entities.id
trades.seller_entity_id -> entities.id
swap_requests.entity_id -> entities.id
auto_trade_rules.market_maker_id -> market_maker_clients.id
orders.market_maker_id -> market_maker_clients.id
cash_market_trades.market_maker_id -> market_maker_clients.id
asset_transactions.market_maker_id -> market_maker_clients.id
ticket_logs.market_maker_id -> market_maker_clients.id
cash_market_trades.buy_order_id -> orders.id
cash_market_trades.sell_order_id -> orders.id
settlement_batches.order_id -> orders.id
`.trim().split("\n").map((line) => line.replace(/\.id$/, "").replace(" -> ", " "))

const seedTables = [
  "users",
  "entities",
  "contact_requests",
  "orders",
  "cash_market_trades",
  "trades",
  "certificates",
  "swap_requests",
  "sellers",
  "deposits",
  "withdrawals",
  "entity_holdings",
  "trading_fee_configs",
  "entity_fee_overrides",
  "market_maker_clients",
  "auto_trade_rules",
  "auto_trade_settings",
  "auto_trade_market_settings",
  "settlement_batches",
  "settlement_status_history",
  "price_history",
  "scraping_sources",
  "exchange_rate_sources",
  "ticket_logs",
  "asset_transactions",
  "liquidity_operations",
  "activity_logs",
  "user_sessions",
  "authentication_attempts",
  "kyc_documents",
  "mail_config"
]

const idSchemas = new Map<unknown, string>(Object.entries(Ids.byTable).map(([table, schema]) => [schema, table]))

// The table an id field points at: the field is an id schema, or NullOr(id schema).
const referencedTable = (field: unknown): string | undefined => {
  const direct = idSchemas.get(field)
  if (direct !== undefined) return direct
  if (Schema.isSchema(field) && "members" in field && Array.isArray(field.members)) {
    for (const member of field.members) {
      const table = idSchemas.get(member)
      if (table !== undefined) return table
    }
  }
  return undefined
}

const modelForeignKeys = (): Array<string> => {
  const found = new Set<string>()
  for (const table of Tables.tableNames) {
    for (const member of Tables.members[table]) {
      for (const [column, field] of Object.entries(member.fields)) {
        if (column === "id") continue
        const references = referencedTable(field)
        if (references !== undefined) found.add(`${table}.${column} ${references}`)
      }
    }
  }
  return [...found].sort()
}

describe("Tables", () => {
  it("has exactly the seed's 31 tables, each with a model and an id brand", () => {
    expect([...Tables.tableNames].sort()).toEqual([...seedTables].sort())
    expect(Object.keys(Ids.byTable).sort()).toEqual([...seedTables].sort())
    for (const table of Tables.tableNames) expect(Schema.isSchema(Tables.tables[table])).toBe(true)
  })

  it("lists 51 distinct foreign keys, every one of the seed's map among them", () => {
    const declared = Tables.foreignKeys.map((fk) => `${fk.table}.${fk.column} ${fk.references}`)
    expect(new Set(declared).size).toBe(51)
    expect(seedForeignKeyMap).toHaveLength(43)
    for (const fk of seedForeignKeyMap) expect(declared).toContain(fk)
    expect(
      Tables.foreignKeys.filter((fk) => fk.origin === "seed").map((fk) => `${fk.table}.${fk.column} ${fk.references}`)
    )
      .toEqual(seedForeignKeyMap)
  })

  it("models every foreign key, and only those, as an id field with the referenced table's brand", () => {
    const declared = [...Tables.foreignKeys, ...Tables.addedForeignKeys].map((fk) =>
      `${fk.table}.${fk.column} ${fk.references}`
    ).sort()
    expect(modelForeignKeys()).toEqual(declared)
  })

  it("gives the members of a union table the same columns", () => {
    for (const table of Tables.tableNames) {
      const [first, ...rest] = Tables.members[table]
      if (first === undefined) throw new Error(`no member for ${table}`)
      for (const other of rest) expect(Object.keys(other.fields).sort()).toEqual(Object.keys(first.fields).sort())
    }
  })

  it("uses snake_case column names and a primary key `id` in every table", () => {
    for (const table of Tables.tableNames) {
      for (const member of Tables.members[table]) {
        const columns = Object.keys(member.fields)
        expect(columns).toContain("id")
        expect(columns).toContain("created_at")
        for (const column of columns) expect(column).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/)
      }
    }
  })

  it("fixes the seed's defects in the shapes: no phantom counterparty_type, one interval system", () => {
    for (const member of Tables.members.settlement_batches) {
      expect(Object.keys(member.fields)).not.toContain("counterparty_type")
    }
    for (const member of Tables.members.auto_trade_rules) {
      const intervals = Object.keys(member.fields).filter((column) => column.includes("interval"))
      expect(intervals).toEqual(["interval_seconds"])
    }
    expect(Object.keys(Enums.databaseNames)).toHaveLength(31)
  })
})

describe("row models", () => {
  const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, "0")}`
  const at = new Date("2026-02-10T09:30:00Z")
  const holding = { id: uuid(1), entity_id: uuid(2), created_at: at, updated_at: at }

  it("decodes a holding by its asset: cents for EUR, whole tonnes for allowances", () => {
    const eur = Schema.decodeUnknownSync(Tables.tables.entity_holdings)({
      ...holding,
      asset_type: "EUR",
      available: "1234.50",
      locked: "0.00"
    })
    expect(eur.asset_type === "EUR" && eur.available).toBe(123450)
    const cea = Schema.decodeUnknownSync(Tables.tables.entity_holdings)({
      ...holding,
      asset_type: "CEA",
      available: "100.00",
      locked: "5.00"
    })
    expect(cea.asset_type === "CEA" && cea.available).toBe(100)
  })

  it("rejects an allowance holding with a fractional tonne, naming the column", () => {
    const result = Schema.decodeUnknownResult(Tables.tables.entity_holdings)({
      ...holding,
      asset_type: "EUA",
      available: "100.50",
      locked: "0.00"
    })
    expect(Result.isFailure(result)).toBe(true)
    if (Result.isFailure(result)) {
      expect(result.failure.message).toContain("must be a whole number")
      expect(result.failure.message).toContain("available")
    }
  })

  it("reads an int8 tonne column as the driver returns it (bigint) and writes decimal text", () => {
    const row = {
      id: uuid(3),
      entity_id: null,
      market_maker_id: uuid(4),
      seller_id: null,
      side: "SELL",
      status: "OPEN",
      quantity: 250n,
      filled_quantity: 0n,
      client_reference: null,
      cancelled_at: null,
      created_at: at,
      updated_at: at,
      market: "CEA_CASH",
      price: "12.34",
      order_type: "LIMIT",
      time_in_force: "GTC",
      post_only: false,
      budget: null,
      fee_rate: "0.001000",
      locked_amount: "0.00",
      filled_notional: "0.00",
      fees_paid: "0.00",
      market_sequence: 41n
    }
    const order = Schema.decodeUnknownSync(Tables.tables.orders)(row)
    expect(order.quantity).toBe(250)
    expect(order.price).toBe(1234)
    expect(order.market_sequence).toBe(41)
    expect(order.fee_rate).toBe(1000)
    const json = Schema.encodeSync(Tables.tables.orders.json)(order)
    expect(json).toMatchObject({ quantity: "250", price: "12.34", created_at: "2026-02-10T09:30:00.000Z" })
    expect(DateTime.toEpochMillis(order.created_at)).toBe(at.getTime())
  })

  it("never puts secrets in the JSON variants", () => {
    expect(Object.keys(Tables.tables.users.json.fields)).not.toContain("password_hash")
    expect(Object.keys(Tables.tables.user_sessions.json.fields)).not.toContain("token_hash")
    expect(Object.keys(Tables.tables.mail_config.json.fields)).not.toContain("smtp_password")
    expect(Object.keys(Tables.tables.mail_config.json.fields)).not.toContain("resend_api_key")
  })

  it("leaves database-generated ids out of inserts but keeps them for updates", () => {
    expect(Object.keys(Tables.tables.deposits.insert.fields)).not.toContain("id")
    expect(Object.keys(Tables.tables.deposits.update.fields)).toContain("id")
  })
})

/**
 * The demo data set, with the row counts of the platform the seed describes: 5 users (an
 * admin, a market maker and three clients at different onboarding stages), 4 entities, 3
 * contact requests, 1 market maker client, 1 scraping source with 18 prices, 3 ticket logs
 * and 2 authentication attempts. Every other table starts empty, as in the seed.
 *
 * Each row has a fixed id and is checked by its domain model before it is written;
 * {@link load} inserts the rows that are not there yet, so loading twice changes nothing.
 *
 * @since 0.1.0
 */
import { Decimal, Ids, Tables } from "@niha/domain"
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as Constraints from "./Constraints.ts"
import { toParameters } from "./internal/parameters.ts"
import type * as Repository from "./Repository.ts"

/**
 * One fixture row: the table, its fixed id, and its columns in the database's encoding.
 *
 * @category models
 * @since 0.1.0
 */
export interface Row {
  /** The table. */
  readonly table: Tables.TableName
  /** The row's fixed id. */
  readonly id: string
  /** Its other columns, in the database's encoding. */
  readonly columns: Readonly<Record<string, unknown>>
}

const at = (iso: string) => new Date(iso)
const created = at("2026-01-29T08:00:00.000Z")
const stamps = { created_at: created, updated_at: created }

const uuid = (group: number, index: number) =>
  `00000000-0000-4000-8000-${group.toString(16).padStart(4, "0")}${index.toString(16).padStart(8, "0")}`

/**
 * The fixed ids of the demo rows, by name.
 *
 * @category constants
 * @since 0.1.0
 */
export const ids = {
  /** The admin, Ada Admin. */
  admin: Ids.UserId.make(uuid(1, 1)),
  /** The market maker's user. */
  marketMaker: Ids.UserId.make(uuid(1, 2)),
  /** A client at the last stage (EUA), of Baltic Steel. */
  clientEua: Ids.UserId.make(uuid(1, 3)),
  /** A client funding its account, of Rhine Cement. */
  clientFunding: Ids.UserId.make(uuid(1, 4)),
  /** A client in KYC review, of Alpine Glass. */
  clientKyc: Ids.UserId.make(uuid(1, 5)),
  /** Baltic Steel AS, KYC approved. */
  entityBaltic: Ids.EntityId.make(uuid(2, 1)),
  /** Rhine Cement GmbH, KYC approved. */
  entityRhine: Ids.EntityId.make(uuid(2, 2)),
  /** Alpine Glass SA, KYC pending. */
  entityAlpine: Ids.EntityId.make(uuid(2, 3)),
  /** Nordic Paper Oy, KYC rejected. */
  entityNordic: Ids.EntityId.make(uuid(2, 4)),
  /** The market maker client, House Liquidity. */
  marketMakerClient: Ids.MarketMakerClientId.make(uuid(3, 1)),
  /** The price source of the 18 prices. */
  scrapingSource: Ids.ScrapingSourceId.make(uuid(4, 1))
} as const

const user = (
  id: string,
  fields: {
    readonly email: string
    readonly first_name: string
    readonly last_name: string
    readonly role: string
    readonly entity_id: string | null
    readonly position: string | null
  }
): Row => ({
  table: "users",
  id,
  columns: {
    ...fields,
    phone: null,
    // No password: demo users sign in by magic link.
    password_hash: null,
    is_active: true,
    last_login_at: null,
    created_by: id === ids.admin ? null : ids.admin,
    ...stamps
  }
})

const entity = (
  id: string,
  fields: {
    readonly name: string
    readonly registration_number: string
    readonly jurisdiction: string
    readonly kyc_status: string
  }
): Row => ({
  table: "entities",
  id,
  columns: {
    ...fields,
    address: null,
    website: null,
    kyc_submitted_at: fields.kyc_status === "PENDING" ? null : created,
    kyc_approved_at: fields.kyc_status === "APPROVED" ? created : null,
    kyc_approved_by: fields.kyc_status === "APPROVED" ? ids.admin : null,
    kyc_rejection_reason: null,
    ...stamps
  }
})

const contact = (index: number, fields: Record<string, unknown>): Row => ({
  table: "contact_requests",
  id: uuid(5, index),
  columns: {
    position: null,
    agent_id: ids.admin,
    nda_file_name: null,
    nda_signed_at: null,
    notes: null,
    submitter_ip: null,
    ...fields,
    ...stamps
  }
})

/** Nine trading days of closing prices: CEA in CNY and EUA in EUR, one of each per day. */
const prices: ReadonlyArray<Row> = Arr.flatMap(Arr.range(0, 8), (day) => {
  const recorded = new Date(Date.UTC(2026, 0, 19 + day + Math.floor(day / 5) * 2, 15, 0, 0))
  return [
    {
      table: "price_history" as const,
      id: uuid(6, day * 2 + 1),
      columns: {
        certificate_type: "CEA",
        price: Decimal.format(85_1200 + day * 3700 - (day % 3) * 5500, 4),
        currency: "CNY",
        scraping_source_id: ids.scrapingSource,
        recorded_at: recorded,
        created_at: recorded
      }
    },
    {
      table: "price_history" as const,
      id: uuid(6, day * 2 + 2),
      columns: {
        certificate_type: "EUA",
        price: Decimal.format(71_8000 + day * 4500 - (day % 2) * 9000, 4),
        currency: "EUR",
        scraping_source_id: ids.scrapingSource,
        recorded_at: recorded,
        created_at: recorded
      }
    }
  ]
})

const ticket = (index: number, fields: Record<string, unknown>): Row => ({
  table: "ticket_logs",
  id: uuid(7, index),
  columns: {
    ticket_reference: `TKT-2026-${index.toString().padStart(6, "0")}`,
    market_maker_id: null,
    response_data: null,
    ip_address: "192.0.2.10",
    user_agent: "niha-backoffice",
    status: "SUCCESS",
    created_at: created,
    ...fields
  }
})

/**
 * Every demo row, parents before children.
 *
 * @category fixture
 * @since 0.1.0
 */
export const rows: ReadonlyArray<Row> = [
  user(ids.admin, {
    email: "admin@niha.example",
    first_name: "Ada",
    last_name: "Admin",
    role: "ADMIN",
    entity_id: null,
    position: "Operations"
  }),
  entity(ids.entityBaltic, {
    name: "Baltic Steel AS",
    registration_number: "EE-10293847",
    jurisdiction: "EU",
    kyc_status: "APPROVED"
  }),
  entity(ids.entityRhine, {
    name: "Rhine Cement GmbH",
    registration_number: "HRB 204851",
    jurisdiction: "EU",
    kyc_status: "APPROVED"
  }),
  entity(ids.entityAlpine, {
    name: "Alpine Glass SA",
    registration_number: "CHE-118.442.903",
    jurisdiction: "OTHER",
    kyc_status: "PENDING"
  }),
  entity(ids.entityNordic, {
    name: "Nordic Paper Oy",
    registration_number: "FI-2948812-3",
    jurisdiction: "EU",
    kyc_status: "REJECTED"
  }),
  user(ids.marketMaker, {
    email: "desk@liquidity.example",
    first_name: "Max",
    last_name: "Maker",
    role: "MM",
    entity_id: null,
    position: "Trading desk"
  }),
  user(ids.clientEua, {
    email: "lena@balticsteel.example",
    first_name: "Lena",
    last_name: "Tamm",
    role: "EUA",
    entity_id: ids.entityBaltic,
    position: "CFO"
  }),
  user(ids.clientFunding, {
    email: "jonas@rhinecement.example",
    first_name: "Jonas",
    last_name: "Weber",
    role: "FUNDING",
    entity_id: ids.entityRhine,
    position: "Treasurer"
  }),
  user(ids.clientKyc, {
    email: "marie@alpineglass.example",
    first_name: "Marie",
    last_name: "Favre",
    role: "KYC",
    entity_id: ids.entityAlpine,
    position: null
  }),
  {
    table: "market_maker_clients",
    id: ids.marketMakerClient,
    columns: {
      user_id: ids.marketMaker,
      name: "House Liquidity",
      mm_type: "CEA_SELLER",
      anonymous_code: "MM-7Q2K",
      description: "Provides CEA liquidity in the cash market",
      is_active: true,
      created_by: ids.admin,
      ...stamps
    }
  },
  contact(1, {
    entity_name: "Danube Chemicals Kft",
    contact_email: "eva@danube.example",
    contact_first_name: "Eva",
    contact_last_name: "Kovacs",
    jurisdiction: "EU",
    status: "NDA"
  }),
  contact(2, {
    entity_name: "Alpine Glass SA",
    contact_email: "marie@alpineglass.example",
    contact_first_name: "Marie",
    contact_last_name: "Favre",
    jurisdiction: "OTHER",
    status: "KYC",
    nda_file_name: "nda/alpine-glass.pdf",
    nda_signed_at: created
  }),
  contact(3, {
    entity_name: "Harbour Trading Ltd",
    contact_email: "info@harbour.example",
    contact_first_name: "Wei",
    contact_last_name: "Chen",
    jurisdiction: "HK",
    status: "REJECTED",
    notes: "outside the target market"
  }),
  {
    table: "scraping_sources",
    id: ids.scrapingSource,
    columns: {
      name: "Shanghai Environment Exchange close",
      url: "https://prices.example/cea/close",
      certificate_type: "CEA",
      currency: "CNY",
      library: "HTTPX",
      selector: "#closing-price",
      is_active: true,
      interval_seconds: 3600,
      last_scraped_at: null,
      last_status: null,
      last_error: null,
      last_price: null,
      ...stamps
    }
  },
  ...prices,
  ticket(1, {
    user_id: ids.admin,
    action: "entity.kyc.approve",
    subject_table: "entities",
    subject_id: ids.entityBaltic,
    request_payload: { decision: "APPROVED" },
    before_state: { kyc_status: "PENDING" },
    after_state: { kyc_status: "APPROVED" }
  }),
  ticket(2, {
    user_id: ids.admin,
    action: "market_maker.create",
    subject_table: "market_maker_clients",
    subject_id: ids.marketMakerClient,
    market_maker_id: ids.marketMakerClient,
    request_payload: { name: "House Liquidity", mm_type: "CEA_SELLER" },
    before_state: null,
    after_state: { is_active: true }
  }),
  ticket(3, {
    user_id: ids.admin,
    action: "entity.kyc.reject",
    subject_table: "entities",
    subject_id: ids.entityNordic,
    request_payload: { decision: "REJECTED" },
    before_state: { kyc_status: "PENDING" },
    after_state: { kyc_status: "REJECTED" }
  }),
  {
    table: "authentication_attempts",
    id: uuid(8, 1),
    columns: {
      user_id: ids.admin,
      email: "admin@niha.example",
      method: "MAGIC_LINK",
      success: true,
      failure_reason: null,
      ip_address: "192.0.2.10",
      user_agent: "Mozilla/5.0",
      created_at: created
    }
  },
  {
    table: "authentication_attempts",
    id: uuid(8, 2),
    columns: {
      user_id: null,
      email: "unknown@example.com",
      method: "PASSWORD",
      success: false,
      failure_reason: "unknown email",
      ip_address: "198.51.100.7",
      user_agent: "curl/8.5",
      created_at: created
    }
  }
]

/**
 * How many rows of each table the fixture holds (the seed's counts).
 *
 * @category fixture
 * @since 0.1.0
 */
export const counts: Readonly<Partial<Record<Tables.TableName, number>>> = rows.reduce(
  (acc: Partial<Record<Tables.TableName, number>>, row) => ({ ...acc, [row.table]: (acc[row.table] ?? 0) + 1 }),
  {}
)

/**
 * A fixture row its domain model refuses.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidFixtureRow extends Schema.TaggedError<InvalidFixtureRow>()("InvalidFixtureRow", {
  /** The table. */
  table: Schema.String,
  /** The row's id. */
  id: Schema.String,
  /** Why the model refused it. */
  message: Schema.String
}) {}

/**
 * Inserts the fixture rows that are not there yet, in one transaction, each checked by its
 * domain model first, and returns how many rows of each table it inserted (none when the
 * fixture was already loaded).
 *
 * @category fixture
 * @since 0.1.0
 */
export const load: Effect.Effect<
  Readonly<Partial<Record<Tables.TableName, number>>>,
  InvalidFixtureRow | Constraints.ConstraintViolation | SqlError,
  SqlClient.SqlClient
> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  return yield* sql.withTransaction(Effect.gen(function*() {
    const inserted: Partial<Record<Tables.TableName, number>> = {}
    for (const row of rows) {
      const model = Tables.tables[row.table] as Repository.Model
      // Decoding with the insert variant checks the row; encoding it back gives the canonical text.
      const encoded = yield* Schema.decodeUnknownEffect(model.insert)(row.columns).pipe(
        Effect.flatMap(Schema.encodeEffect(model.insert)),
        Effect.mapError((error) => new InvalidFixtureRow({ table: row.table, id: row.id, message: error.message }))
      )
      const columns = { id: row.id, ...toParameters(row.table, encoded as Record<string, unknown>) }
      const written = yield* Constraints.refine(
        sql`INSERT INTO ${sql(row.table)} ${sql.insert(columns)} ON CONFLICT DO NOTHING RETURNING id`
      )
      if (written.length > 0) inserted[row.table] = (inserted[row.table] ?? 0) + 1
    }
    return inserted
  }))
}).pipe(Effect.withSpan("DemoFixture.load"))

/**
 * Prices from outside markets: the configured sources (`scraping_sources`,
 * `exchange_rate_sources`) fetched on schedule by a recurring job (`Prices.refreshJob`),
 * or at once by an admin; the prices read into `price_history`; charts of the history by
 * interval, in the source currency or converted to EUR.
 *
 * - A fetch is one HTTP GET with a timeout (`TIMEOUT` when it passes) and a size limit on
 *   the answer, outside any transaction; its outcome is then written in a small one: the
 *   source's `last_status` (`SUCCESS`, `FAILED`, `TIMEOUT`), `last_error`, the time and,
 *   on success, the value (`last_price` and a `price_history` row; `last_rate`). A
 *   failed fetch keeps the last good value and writes no history.
 * - How the answer is read follows the seed's `scrapelibrary`: `HTTPX` is JSON and the
 *   source's `selector` a path of keys and indexes (`data.close`, `items.0.price`);
 *   `BEAUTIFULSOUP`, `SELENIUM` and `PLAYWRIGHT` are HTML, parsed with cheerio, and the
 *   selector a CSS selector whose first match's text holds the price (no browser runs:
 *   the page is read as served). Exchange-rate sources are JSON. A value is a positive
 *   decimal (a JSON number or text such as `"CNY 1,234.50"`); prices keep 4 decimals,
 *   rates 6, rounded half up by the database.
 * - EUR conversion uses the rate of the pair in force when the price was recorded (every
 *   good read is kept in `exchange_rate_history`; a price older than every rate takes the
 *   first one), either direction (`X -> EUR` multiplies, `EUR -> X` divides), in
 *   `numeric`, never floating point.
 *
 * @since 0.1.0
 */
import { Transaction } from "@niha/db"
import { Errors, type Parties, Pricing } from "@niha/domain"
import * as cheerio from "cheerio"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import type { Fragment } from "effect/sql/Statement"
import * as Audit from "../Audit.ts"
import * as rows from "../internal/rows.ts"
import { authorize } from "../internal/rules.ts"

/**
 * The kind of the recurring job that fetches the due sources.
 *
 * @category constants
 * @since 0.1.0
 */
export const refreshJob = "prices.refresh"

/**
 * How a fetch is bounded.
 *
 * @category models
 * @since 0.1.0
 */
export interface FetchOptions {
  /** How long a fetch may take before it is a `TIMEOUT`. */
  readonly timeout: Duration.Input
  /** The largest answer read, in bytes; a larger one is `FAILED`. */
  readonly maxBytes: number
}

/**
 * Ten seconds and one MiB.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultFetchOptions: FetchOptions = { timeout: Duration.seconds(10), maxBytes: 1024 * 1024 }

/**
 * The fetch bounds of the server (`defaultFetchOptions` unless provided).
 *
 * @category services
 * @since 0.1.0
 */
export const CurrentFetchOptions = Context.Reference<FetchOptions>("@niha/server/Prices/CurrentFetchOptions", {
  defaultValue: () => defaultFetchOptions
})

/**
 * The outcome of one fetch.
 *
 * @category models
 * @since 0.1.0
 */
export type Outcome = Success | Failure

/**
 * A fetch that read a value.
 *
 * @category models
 * @since 0.1.0
 */
export interface Success {
  /** The seed's status of a good fetch. */
  readonly status: "SUCCESS"
  /** The positive decimal read. */
  readonly value: string
}

/**
 * A fetch that read no value.
 *
 * @category models
 * @since 0.1.0
 */
export interface Failure {
  /** `FAILED` (an error, a bad answer) or `TIMEOUT`. */
  readonly status: "FAILED" | "TIMEOUT"
  /** Why, in a sentence. */
  readonly error: string
}

class FetchFailed extends Error {
  override readonly name = "FetchFailed"
}

const failed = (error: string): Outcome => ({ status: "FAILED", error })

/** The body of `url` as text, at most `maxBytes`. */
const download = (url: string, maxBytes: number) =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(url, {
        signal,
        redirect: "follow",
        headers: { accept: "application/json, text/html" }
      })
      if (!response.ok) {
        await response.body?.cancel()
        throw new FetchFailed(`the source answered HTTP ${response.status}`)
      }
      const declared = Number(response.headers.get("content-length") ?? "0")
      if (declared > maxBytes) {
        await response.body?.cancel()
        throw new FetchFailed(`the answer is larger than ${maxBytes} bytes`)
      }
      const reader = response.body?.getReader()
      if (reader === undefined) return ""
      const chunks: Array<Uint8Array> = []
      let size = 0
      while (true) {
        const { done, value } = await reader.read()
        if (done) break
        size += value.byteLength
        if (size > maxBytes) {
          await reader.cancel()
          throw new FetchFailed(`the answer is larger than ${maxBytes} bytes`)
        }
        chunks.push(value)
      }
      return Buffer.concat(chunks).toString("utf8")
    },
    catch: (error) =>
      error instanceof FetchFailed ?
        error :
        new FetchFailed(`the source could not be fetched: ${error instanceof Error ? error.message : String(error)}`)
  })

const numberPattern = /[0-9][0-9,]*(?:\.[0-9]+)?/u

/**
 * The positive decimal a value holds: a JSON number, or the first number in a text
 * (`"CNY 1,234.50"` is `1234.50`); undefined when there is none.
 *
 * @category reading
 * @since 0.1.0
 */
export const decimalOf = (value: unknown): string | undefined => {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value <= 0) return undefined
    const text = String(value)
    return /^[0-9]+(?:\.[0-9]+)?$/u.test(text) ? text : undefined
  }
  if (typeof value !== "string") return undefined
  const found = numberPattern.exec(value)?.[0]?.replaceAll(",", "")
  return found === undefined || !/[1-9]/u.test(found) ? undefined : found
}

/**
 * The value at a path of keys and indexes (`data.close`, `items.0.price`) in a JSON text.
 *
 * @category reading
 * @since 0.1.0
 */
export const readJson = (text: string, path: string): Outcome => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return failed("the answer is not JSON")
  }
  for (const key of path.split(".")) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) {
      return failed(`the answer has no value at ${path}`)
    }
    value = (value as Record<string, unknown>)[key]
  }
  const decimal = decimalOf(value)
  return decimal === undefined ?
    failed(`the value at ${path} is not a positive number`) :
    { status: "SUCCESS", value: decimal }
}

/**
 * The number in the text of the first element an HTML page has for a CSS selector.
 *
 * @category reading
 * @since 0.1.0
 */
export const readHtml = (text: string, selector: string): Outcome => {
  let found: string | undefined
  try {
    const page = cheerio.load(text)
    const element = page(selector).first()
    found = element.length === 0 ? undefined : element.text()
  } catch (error) {
    return failed(`the selector ${selector} cannot be used: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (found === undefined) return failed(`the page has no element for ${selector}`)
  const decimal = decimalOf(found)
  return decimal === undefined ?
    failed(`the element for ${selector} holds no positive number`) :
    { status: "SUCCESS", value: decimal }
}

/**
 * Fetches `url` and reads its value as `library` says, within the fetch bounds.
 *
 * @category fetching
 * @since 0.1.0
 */
export const fetchValue = Effect.fn("Prices.fetchValue")(function*(
  url: string,
  library: string,
  selector: string | null
) {
  const bounds = yield* CurrentFetchOptions
  const timeout = Duration.fromInputUnsafe(bounds.timeout)
  const body = yield* download(url, bounds.maxBytes).pipe(
    Effect.map((text) => ({ _tag: "Body" as const, text })),
    Effect.catch((error) => Effect.succeed({ _tag: "Failed" as const, error: error.message })),
    Effect.timeoutOrElse({
      duration: timeout,
      orElse: () => Effect.succeed({ _tag: "Timeout" as const })
    })
  )
  if (body._tag === "Timeout") {
    const outcome: Outcome = { status: "TIMEOUT", error: `no answer within ${Duration.format(timeout)}` }
    return outcome
  }
  if (body._tag === "Failed") return failed(body.error)
  if (selector === null) return failed("the source has no selector")
  return library === "HTTPX" ? readJson(body.text, selector) : readHtml(body.text, selector)
})

/**
 * The chart intervals, as the database's intervals.
 *
 * @category constants
 * @since 0.1.0
 */
export const intervals = {
  /** One minute. */
  "1m": "1 minute",
  /** Five minutes. */
  "5m": "5 minutes",
  /** A quarter of an hour. */
  "15m": "15 minutes",
  /** One hour. */
  "1h": "1 hour",
  /** Four hours. */
  "4h": "4 hours",
  /** One day (UTC). */
  "1d": "1 day",
  /** One week, from Monday (UTC). */
  "1w": "7 days"
} as const

/**
 * A chart interval.
 *
 * @category models
 * @since 0.1.0
 */
export type Interval = keyof typeof intervals

/**
 * One bucket of a price chart: open, high, low, close of the prices observed in it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Bucket {
  /** The start of the bucket. */
  readonly start: DateTime.Utc
  /** The first price in it. */
  readonly open: string
  /** The highest. */
  readonly high: string
  /** The lowest. */
  readonly low: string
  /** The last. */
  readonly close: string
  /** How many prices it holds. */
  readonly count: number
}

/**
 * A chart request.
 *
 * @category models
 * @since 0.1.0
 */
export interface HistoryQuery {
  /** The certificate. */
  readonly certificate_type: "EUA" | "CEA"
  /** The bucket width. */
  readonly interval: Interval
  /** `EUR`: every price converted to EUR; another currency: only prices observed in it. */
  readonly currency: "EUR" | "USD" | "CNY" | "HKD"
  /** From this instant (inclusive). */
  readonly from: DateTime.Utc
  /** To this instant (exclusive). */
  readonly to: DateTime.Utc
}

/**
 * How many sources a refresh fetched.
 *
 * @category models
 * @since 0.1.0
 */
export interface Refreshed {
  /** Price sources fetched. */
  readonly prices: number
  /** Exchange-rate sources fetched. */
  readonly rates: number
}

/**
 * The most buckets one chart answers.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxBuckets = 1000

const origin = "2000-01-03T00:00:00Z" // a Monday, so weekly buckets start on Mondays

/**
 * Builds the service.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const bounds = yield* CurrentFetchOptions
  const provide = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
    effect.pipe(Effect.provideService(SqlClient.SqlClient, sql), Effect.provideService(CurrentFetchOptions, bounds))
  const scrapingById = rows.byId("scraping_sources", Pricing.ScrapingSource, { lock: false })
  const rateById = rows.byId("exchange_rate_sources", Pricing.ExchangeRateSource, { lock: false })

  const fetchScraping = (source: Pricing.ScrapingSource) =>
    Effect.gen(function*() {
      const outcome = yield* fetchValue(source.url, source.library, source.selector)
      return yield* Transaction.run(Effect.gen(function*() {
        if (outcome.status === "SUCCESS") {
          const [stored] = yield* sql<{ price: string }>`
            INSERT INTO price_history (certificate_type, price, currency, scraping_source_id, recorded_at)
            VALUES (${source.certificate_type}, round(${outcome.value}::numeric, 4), ${source.currency}, ${source.id},
              now())
            RETURNING price::text AS price`
          yield* sql`
            UPDATE scraping_sources SET last_scraped_at = now(), last_status = 'SUCCESS', last_error = NULL,
              last_price = ${stored?.price ?? outcome.value}, updated_at = now()
            WHERE id = ${source.id}`
        } else {
          yield* sql`
            UPDATE scraping_sources SET last_scraped_at = now(), last_status = ${outcome.status},
              last_error = ${outcome.error}, updated_at = now()
            WHERE id = ${source.id}`
        }
        return yield* rows.byId("scraping_sources", Pricing.ScrapingSource, { lock: false })(source.id)
      }))
    }).pipe(provide)

  const fetchRate = (source: Pricing.ExchangeRateSource) =>
    Effect.gen(function*() {
      const outcome = yield* fetchValue(source.url, "HTTPX", source.selector)
      return yield* Transaction.run(Effect.gen(function*() {
        if (outcome.status === "SUCCESS") {
          yield* sql`
            WITH read AS (
              UPDATE exchange_rate_sources SET last_fetched_at = now(), last_status = 'SUCCESS', last_error = NULL,
                last_rate = round(${outcome.value}::numeric, 6), updated_at = now()
              WHERE id = ${source.id}
              RETURNING id, base_currency, quote_currency, last_rate, last_fetched_at)
            INSERT INTO exchange_rate_history (source_id, base_currency, quote_currency, rate, recorded_at)
            SELECT id, base_currency, quote_currency, last_rate, last_fetched_at FROM read`
        } else {
          yield* sql`
            UPDATE exchange_rate_sources SET last_fetched_at = now(), last_status = ${outcome.status},
              last_error = ${outcome.error}, updated_at = now()
            WHERE id = ${source.id}`
        }
        return yield* rows.byId("exchange_rate_sources", Pricing.ExchangeRateSource, { lock: false })(source.id)
      }))
    }).pipe(provide)

  /** Fetches every active source that is due (never fetched, or its interval has passed). */
  const refreshDue = Effect.fn("Prices.refreshDue")(function*() {
    const scraping = yield* provide(
      rows.all("scraping_sources", Pricing.ScrapingSource)(sql`
      SELECT * FROM scraping_sources
      WHERE is_active AND (last_scraped_at IS NULL
        OR last_scraped_at + make_interval(secs => interval_seconds) <= now())
      ORDER BY last_scraped_at NULLS FIRST, id`)
    )
    const rates = yield* provide(
      rows.all("exchange_rate_sources", Pricing.ExchangeRateSource)(sql`
      SELECT * FROM exchange_rate_sources
      WHERE is_active AND (last_fetched_at IS NULL
        OR last_fetched_at + make_interval(secs => interval_seconds) <= now())
      ORDER BY last_fetched_at NULLS FIRST, id`)
    )
    // Rates first, so the prices fetched next convert with them.
    yield* Effect.forEach(rates, fetchRate, { concurrency: 4, discard: true })
    yield* Effect.forEach(scraping, fetchScraping, { concurrency: 4, discard: true })
    const fetched: Refreshed = { prices: scraping.length, rates: rates.length }
    return fetched
  })

  const record = (actor: Parties.User, table: string, id: string, status: string) =>
    Transaction.run(Audit.record({
      user_id: actor.id,
      action: `${table}.fetch`,
      subject_table: table,
      subject_id: id,
      details: { status }
    })).pipe(provide)

  const fetchScrapingNow = Effect.fn("Prices.fetchScrapingNow")(function*(actor: Parties.User, id: string) {
    yield* authorize(actor, "configure_platform")
    const source = yield* provide(scrapingById(id))
    const after = yield* fetchScraping(source)
    yield* record(actor, "scraping_sources", id, after.last_status ?? "FAILED")
    return after
  })

  const fetchRateNow = Effect.fn("Prices.fetchRateNow")(function*(actor: Parties.User, id: string) {
    yield* authorize(actor, "configure_platform")
    const source = yield* provide(rateById(id))
    const after = yield* fetchRate(source)
    yield* record(actor, "exchange_rate_sources", id, after.last_status ?? "FAILED")
    return after
  })

  /**
   * The rate of a pair in force when `p` was recorded: the last one read at or before it,
   * else (a price older than every rate) the first one read after it.
   */
  const rateAt = (base: Fragment, quote: Fragment) =>
    sql`
      SELECT coalesce(
        (SELECT rate FROM exchange_rate_history
          WHERE base_currency = ${base} AND quote_currency = ${quote} AND recorded_at <= p.recorded_at
          ORDER BY recorded_at DESC, id LIMIT 1),
        (SELECT rate FROM exchange_rate_history
          WHERE base_currency = ${base} AND quote_currency = ${quote} AND recorded_at > p.recorded_at
          ORDER BY recorded_at, id LIMIT 1)) AS rate`

  const converted = (certificate: string, currency: string) =>
    currency === "EUR" ?
      sql`
        SELECT p.recorded_at, CASE
            WHEN p.currency = 'EUR' THEN p.price
            WHEN direct.rate IS NOT NULL THEN p.price * direct.rate
            WHEN inverse.rate IS NOT NULL THEN p.price / inverse.rate
          END AS price
        FROM price_history p
        LEFT JOIN LATERAL (${rateAt(sql.literal("p.currency"), sql.literal("'EUR'"))}) direct ON true
        LEFT JOIN LATERAL (${rateAt(sql.literal("'EUR'"), sql.literal("p.currency"))}) inverse ON true
        WHERE p.certificate_type = ${certificate}` :
      sql`
        SELECT p.recorded_at, p.price FROM price_history p
        WHERE p.certificate_type = ${certificate} AND p.currency = ${currency}`

  const history = Effect.fn("Prices.history")(function*(query: HistoryQuery) {
    const from = DateTime.formatIso(query.from)
    const to = DateTime.formatIso(query.to)
    if (DateTime.toEpochMillis(query.to) <= DateTime.toEpochMillis(query.from)) {
      return yield* new Errors.ValidationFailed({ issues: [{ path: "to", message: "must be after from" }] })
    }
    const width = intervals[query.interval]
    const buckets = yield* sql<{ count: number }>`
      SELECT ceil(extract(epoch FROM (${to}::timestamptz - ${from}::timestamptz))
        / extract(epoch FROM ${width}::interval))::int AS count`
    if ((buckets[0]?.count ?? 0) > maxBuckets) {
      return yield* new Errors.ValidationFailed({
        issues: [{ path: "interval", message: `the range holds more than ${maxBuckets} buckets: widen the interval` }]
      })
    }
    const found = yield* sql<{
      start: Date
      open: string
      high: string
      low: string
      close: string
      count: number
    }>`
      WITH prices AS (${converted(query.certificate_type, query.currency)}
        AND p.recorded_at >= ${from}::timestamptz AND p.recorded_at < ${to}::timestamptz)
      SELECT date_bin(${width}::interval, recorded_at, ${origin}::timestamptz) AS start,
        round((array_agg(price ORDER BY recorded_at))[1], 4)::text AS open,
        round(max(price), 4)::text AS high,
        round(min(price), 4)::text AS low,
        round((array_agg(price ORDER BY recorded_at DESC))[1], 4)::text AS close,
        count(*)::int AS count
      FROM prices WHERE price IS NOT NULL
      GROUP BY 1 ORDER BY 1`
    return found.map((row): Bucket => ({
      start: DateTime.fromDateUnsafe(row.start),
      open: row.open,
      high: row.high,
      low: row.low,
      close: row.close,
      count: row.count
    }))
  }, provide)

  const latest = Effect.fn("Prices.latest")(function*(
    certificate: "EUA" | "CEA",
    currency: "EUR" | "USD" | "CNY" | "HKD"
  ) {
    const [row] = yield* sql<{ price: string; recorded_at: Date }>`
      WITH prices AS (${converted(certificate, currency)})
      SELECT round(price, 4)::text AS price, recorded_at FROM prices
      WHERE price IS NOT NULL ORDER BY recorded_at DESC LIMIT 1`
    if (row === undefined) {
      return yield* new Errors.NotFound({ resource: "price_history", id: `${certificate}/${currency}` })
    }
    return { price: row.price, recorded_at: DateTime.fromDateUnsafe(row.recorded_at) }
  }, provide)

  return {
    /** Fetches every due source: rates first, then prices (the recurring job). */
    refreshDue,
    /** An admin fetches a price source now; answers it with the outcome recorded. */
    fetchScrapingNow,
    /** An admin fetches an exchange-rate source now; answers it with the outcome recorded. */
    fetchRateNow,
    /** The price history of a certificate by interval, as open/high/low/close buckets. */
    history,
    /** The latest price of a certificate in a currency (EUR converts), or `NotFound`. */
    latest
  }
})

/**
 * The operations, as {@link make} builds them.
 *
 * @category services
 * @since 0.1.0
 */
export type Service = Effect.Success<typeof make>

/**
 * The prices service.
 *
 * @category services
 * @since 0.1.0
 */
export class Prices extends Context.Service<Prices, Service>()("@niha/server/Prices") {
  /** The service as a Layer. */
  static readonly layer: Layer.Layer<Prices, never, SqlClient.SqlClient> = Layer.effect(Prices, make)
}

/**
 * Platform configuration (admins with `configure_platform`): mail configs with write-only
 * secrets sealed by `Secrets`, price sources and exchange-rate sources. Each change runs in
 * its own transaction and is audited with the row before and after, secrets shown only as
 * set or not, so no secret reaches a response, the trail or a log line.
 *
 * @since 0.1.0
 */
import { Transaction } from "@niha/db"
import { Errors, Mail, type Parties, Pricing } from "@niha/domain"
import type { ConfigurationApi } from "@niha/sdk"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import * as Audit from "../Audit.ts"
import * as rows from "../internal/rows.ts"
import { authorize } from "../internal/rules.ts"
import * as Mailer from "../Mailer.ts"
import type { Page, PageQuery } from "../Paging.ts"
import * as Secrets from "../Secrets.ts"

/**
 * A mail config as shown: the secrets only as whether they are set.
 *
 * @category models
 * @since 0.1.0
 */
export type MailConfigView = ConfigurationApi.MailConfig

/**
 * The view of a stored mail config.
 *
 * @category models
 * @since 0.1.0
 */
export const viewOf = (row: Mail.MailConfig): MailConfigView => ({
  id: row.id,
  provider: row.provider,
  from_email: row.from_email,
  from_name: row.from_name,
  reply_to: row.reply_to,
  resend_api_key_set: row.resend_api_key !== null,
  smtp_host: row.smtp_host,
  smtp_port: row.smtp_port,
  smtp_username: row.smtp_username,
  smtp_password_set: row.smtp_password !== null,
  smtp_use_tls: row.smtp_use_tls,
  is_active: row.is_active,
  created_at: row.created_at,
  updated_at: row.updated_at
})

const viewJson = (view: MailConfigView) => ({
  ...view,
  created_at: DateTime.formatIso(view.created_at),
  updated_at: DateTime.formatIso(view.updated_at)
})

const invalid = (path: string, message: string) => new Errors.ValidationFailed({ issues: [{ path, message }] })

/** What a provider needs, checked on the row as it would be stored. */
const completeness = (row: {
  readonly provider: "smtp" | "resend"
  readonly resend_api_key: string | null
  readonly smtp_host: string | null
  readonly smtp_username: string | null
  readonly smtp_password: string | null
}) => {
  if (row.provider === "resend" && row.resend_api_key === null) {
    return Effect.fail(invalid("resend_api_key", "a resend config needs an API key"))
  }
  if (row.provider === "smtp" && row.smtp_host === null) {
    return Effect.fail(invalid("smtp_host", "an smtp config needs a host"))
  }
  if (row.provider === "smtp" && row.smtp_username !== null && row.smtp_password === null) {
    return Effect.fail(invalid("smtp_password", "an smtp config with a user name needs a password"))
  }
  return Effect.void
}

/**
 * A change must change something: an empty one is refused before the row is looked up,
 * reported on the first field of the change (the API names the field of every 400).
 */
const nonEmpty = (input: object, first: string) =>
  Object.keys(input).length === 0 ? Effect.fail(invalid(first, "give at least one field to change")) : Effect.void

const jsonPathPattern = /^[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*$/u

/** A JSON path (`data.close`, `items.0.price`) for a JSON source; a CSS selector is checked when fetched. */
const checkSelector = (library: string, selector: string) =>
  library === "HTTPX" && !jsonPathPattern.test(selector) ?
    Effect.fail(
      invalid("selector", "a JSON source needs a path of keys and indexes such as data.close or items.0.price")
    ) :
    Effect.void

/**
 * Builds the service.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const box = yield* Secrets.Secrets
  const provide = Effect.provideService(SqlClient.SqlClient, sql)
  const transaction = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) => provide(Transaction.run(effect))
  const mailConfigs = rows.page("mail_config", Mail.MailConfig)
  const mailConfigById = rows.byId("mail_config", Mail.MailConfig, { lock: true })
  const mailConfigOne = rows.one("mail_config", Mail.MailConfig)
  const scrapingPage = rows.page("scraping_sources", Pricing.ScrapingSource)
  const scrapingById = rows.byId("scraping_sources", Pricing.ScrapingSource, { lock: true })
  const scrapingOne = rows.one("scraping_sources", Pricing.ScrapingSource)
  const ratePage = rows.page("exchange_rate_sources", Pricing.ExchangeRateSource)
  const rateById = rows.byId("exchange_rate_sources", Pricing.ExchangeRateSource, { lock: true })
  const rateOne = rows.one("exchange_rate_sources", Pricing.ExchangeRateSource)

  const seal = (secret: string | null | undefined) =>
    secret === undefined || secret === null ? Effect.succeed(secret) : box.seal(secret)

  const recordMail = (actor: Parties.User, action: string, before: Mail.MailConfig | null, after: Mail.MailConfig) =>
    Audit.record({
      user_id: actor.id,
      action,
      subject_table: "mail_config",
      subject_id: after.id,
      details: { provider: after.provider },
      ...(before === null ? {} : { before: viewJson(viewOf(before)) }),
      after: viewJson(viewOf(after))
    })

  const listMailConfigs = Effect.fn("Configuration.listMailConfigs")(function*(actor: Parties.User, query: PageQuery) {
    yield* authorize(actor, "configure_platform")
    const page = yield* provide(mailConfigs(sql``, query))
    const views: Page<MailConfigView> = { data: page.data.map(viewOf), has_more: page.has_more }
    return views
  })

  const createMailConfig = Effect.fn("Configuration.createMailConfig")(function*(
    actor: Parties.User,
    input: ConfigurationApi.CreateMailConfig
  ) {
    yield* authorize(actor, "configure_platform")
    const resendKey = (yield* seal(input.resend_api_key)) ?? null
    const password = (yield* seal(input.smtp_password)) ?? null
    yield* completeness({
      provider: input.provider,
      resend_api_key: resendKey,
      smtp_host: input.smtp_host ?? null,
      smtp_username: input.smtp_username ?? null,
      smtp_password: password
    })
    return yield* transaction(Effect.gen(function*() {
      const created = yield* mailConfigOne(sql`
        INSERT INTO mail_config (provider, from_email, from_name, reply_to, resend_api_key, smtp_host, smtp_port,
          smtp_username, smtp_password, smtp_use_tls, is_active)
        VALUES (${input.provider}, ${input.from_email}, ${input.from_name ?? null}, ${input.reply_to ?? null},
          ${resendKey}, ${input.smtp_host ?? null}, ${input.smtp_port ?? null}, ${input.smtp_username ?? null},
          ${password}, ${input.smtp_use_tls ?? true}, false)
        RETURNING *`)
      yield* recordMail(actor, "mail_config.create", null, created)
      return viewOf(created)
    }))
  })

  const changeMailConfig = Effect.fn("Configuration.changeMailConfig")(function*(
    actor: Parties.User,
    id: string,
    input: ConfigurationApi.ChangeMailConfig
  ) {
    yield* authorize(actor, "configure_platform")
    yield* nonEmpty(input, "from_email")
    const resendKey = yield* seal(input.resend_api_key)
    const password = yield* seal(input.smtp_password)
    return yield* transaction(Effect.gen(function*() {
      const before = yield* mailConfigById(id)
      const pick = <K extends keyof Mail.MailConfig>(key: K, value: Mail.MailConfig[K] | undefined) =>
        value === undefined ? before[key] : value
      const next = {
        from_email: pick("from_email", input.from_email),
        from_name: pick("from_name", input.from_name),
        reply_to: pick("reply_to", input.reply_to),
        resend_api_key: pick("resend_api_key", resendKey),
        smtp_host: pick("smtp_host", input.smtp_host),
        smtp_port: pick("smtp_port", input.smtp_port),
        smtp_username: pick("smtp_username", input.smtp_username),
        smtp_password: pick("smtp_password", password),
        smtp_use_tls: pick("smtp_use_tls", input.smtp_use_tls),
        is_active: pick("is_active", input.is_active)
      }
      yield* completeness({ ...next, provider: before.provider })
      if (next.is_active && !before.is_active) {
        yield* sql`UPDATE mail_config SET is_active = false, updated_at = now() WHERE is_active AND id <> ${id}`
      }
      const after = yield* mailConfigOne(sql`
        UPDATE mail_config SET from_email = ${next.from_email}, from_name = ${next.from_name},
          reply_to = ${next.reply_to}, resend_api_key = ${next.resend_api_key}, smtp_host = ${next.smtp_host},
          smtp_port = ${next.smtp_port}, smtp_username = ${next.smtp_username}, smtp_password = ${next.smtp_password},
          smtp_use_tls = ${next.smtp_use_tls}, is_active = ${next.is_active}, updated_at = now()
        WHERE id = ${id} RETURNING *`)
      yield* recordMail(actor, "mail_config.change", before, after)
      return viewOf(after)
    }))
  })

  const testMailConfig = Effect.fn("Configuration.testMailConfig")(function*(
    actor: Parties.User,
    id: string,
    to: string
  ) {
    yield* authorize(actor, "configure_platform")
    const config = yield* provide(rows.byId("mail_config", Mail.MailConfig, { lock: false })(id))
    const open = (value: string | null) => value === null ? Effect.succeed(null) : box.open(value)
    const opened = {
      ...config,
      resend_api_key: yield* open(config.resend_api_key),
      smtp_password: yield* open(config.smtp_password)
    }
    const outcome = yield* Effect.scoped(Effect.gen(function*() {
      const mailer = yield* Mailer.fromConfig(opened)
      return yield* mailer.send({
        to,
        subject: "NIHA Carbon: test mail",
        text: `This is a test of the mail config ${config.id} (${config.provider}), sent by an admin.`
      })
    })).pipe(Effect.provide(FetchHttpClient.layer), Effect.result)
    const result: ConfigurationApi.TestMailResult = outcome._tag === "Success" ?
      { delivered: true, provider: config.provider, message_id: outcome.success.message_id, error: null } :
      { delivered: false, provider: config.provider, message_id: null, error: outcome.failure.message }
    yield* transaction(Audit.record({
      user_id: actor.id,
      action: "mail_config.test",
      subject_table: "mail_config",
      subject_id: config.id,
      details: { to, delivered: result.delivered, error: result.error }
    }))
    return result
  })

  const recordSource = <A extends { readonly id: string }>(
    actor: Parties.User,
    table: "scraping_sources" | "exchange_rate_sources",
    action: string,
    encode: (row: A) => Effect.Effect<Audit.Json>,
    before: A | null,
    after: A
  ) =>
    Effect.gen(function*() {
      yield* Audit.record({
        user_id: actor.id,
        action,
        subject_table: table,
        subject_id: after.id,
        ...(before === null ? {} : { before: yield* encode(before) }),
        after: yield* encode(after)
      })
    })

  const listScrapingSources = Effect.fn("Configuration.listScrapingSources")(function*(
    actor: Parties.User,
    query: PageQuery
  ) {
    yield* authorize(actor, "configure_platform")
    return yield* provide(scrapingPage(sql``, query))
  })

  const createScrapingSource = Effect.fn("Configuration.createScrapingSource")(function*(
    actor: Parties.User,
    input: ConfigurationApi.CreateScrapingSource
  ) {
    yield* authorize(actor, "configure_platform")
    yield* checkSelector(input.library, input.selector)
    return yield* transaction(Effect.gen(function*() {
      const created = yield* scrapingOne(sql`
        INSERT INTO scraping_sources (name, url, certificate_type, currency, library, selector, interval_seconds,
          is_active)
        VALUES (${input.name}, ${input.url}, ${input.certificate_type}, ${input.currency}, ${input.library},
          ${input.selector}, ${input.interval_seconds ?? 3600}, ${input.is_active ?? true})
        RETURNING *`)
      yield* recordSource(actor, "scraping_sources", "scraping_sources.create", scrapingJson, null, created)
      return created
    }))
  })

  const changeScrapingSource = Effect.fn("Configuration.changeScrapingSource")(function*(
    actor: Parties.User,
    id: string,
    input: ConfigurationApi.ChangeScrapingSource
  ) {
    yield* authorize(actor, "configure_platform")
    yield* nonEmpty(input, "name")
    return yield* transaction(Effect.gen(function*() {
      const before = yield* scrapingById(id)
      const library = input.library ?? before.library
      const selector = input.selector ?? before.selector ?? ""
      yield* checkSelector(library, selector)
      const after = yield* scrapingOne(sql`
        UPDATE scraping_sources SET name = ${input.name ?? before.name}, url = ${input.url ?? before.url},
          library = ${library}, selector = ${selector},
          interval_seconds = ${input.interval_seconds ?? before.interval_seconds},
          is_active = ${input.is_active ?? before.is_active}, updated_at = now()
        WHERE id = ${id} RETURNING *`)
      yield* recordSource(actor, "scraping_sources", "scraping_sources.change", scrapingJson, before, after)
      return after
    }))
  })

  const listExchangeRateSources = Effect.fn("Configuration.listExchangeRateSources")(function*(
    actor: Parties.User,
    query: PageQuery
  ) {
    yield* authorize(actor, "configure_platform")
    return yield* provide(ratePage(sql``, query))
  })

  const createExchangeRateSource = Effect.fn("Configuration.createExchangeRateSource")(function*(
    actor: Parties.User,
    input: ConfigurationApi.CreateExchangeRateSource
  ) {
    yield* authorize(actor, "configure_platform")
    if (input.base_currency === input.quote_currency) {
      return yield* invalid("quote_currency", "the quote currency must differ from the base currency")
    }
    yield* checkSelector("HTTPX", input.selector)
    return yield* transaction(Effect.gen(function*() {
      const created = yield* rateOne(sql`
        INSERT INTO exchange_rate_sources (name, url, base_currency, quote_currency, selector, interval_seconds,
          is_active)
        VALUES (${input.name}, ${input.url}, ${input.base_currency}, ${input.quote_currency}, ${input.selector},
          ${input.interval_seconds ?? 3600}, ${input.is_active ?? true})
        RETURNING *`)
      yield* recordSource(actor, "exchange_rate_sources", "exchange_rate_sources.create", rateJson, null, created)
      return created
    }))
  })

  const changeExchangeRateSource = Effect.fn("Configuration.changeExchangeRateSource")(function*(
    actor: Parties.User,
    id: string,
    input: ConfigurationApi.ChangeExchangeRateSource
  ) {
    yield* authorize(actor, "configure_platform")
    yield* nonEmpty(input, "name")
    if (input.selector !== undefined) yield* checkSelector("HTTPX", input.selector)
    return yield* transaction(Effect.gen(function*() {
      const before = yield* rateById(id)
      const after = yield* rateOne(sql`
        UPDATE exchange_rate_sources SET name = ${input.name ?? before.name}, url = ${input.url ?? before.url},
          selector = ${input.selector ?? before.selector},
          interval_seconds = ${input.interval_seconds ?? before.interval_seconds},
          is_active = ${input.is_active ?? before.is_active}, updated_at = now()
        WHERE id = ${id} RETURNING *`)
      yield* recordSource(actor, "exchange_rate_sources", "exchange_rate_sources.change", rateJson, before, after)
      return after
    }))
  })

  return {
    /** Mail configs, a page at a time, secrets as set or not. */
    listMailConfigs,
    /** Adds an inactive mail config; its secrets are sealed (`SecretsUnavailable` without a key). */
    createMailConfig,
    /** Changes a mail config, or makes it the one active (the one before is deactivated). */
    changeMailConfig,
    /** Sends a test mail through a mail config now and says how it went. */
    testMailConfig,
    /** Price sources, a page at a time. */
    listScrapingSources,
    /** Adds a price source. */
    createScrapingSource,
    /** Changes a price source. */
    changeScrapingSource,
    /** Exchange-rate sources, a page at a time. */
    listExchangeRateSources,
    /** Adds an exchange-rate source. */
    createExchangeRateSource,
    /** Changes an exchange-rate source. */
    changeExchangeRateSource
  }
})

const encodeScraping = Schema.encodeEffect(Pricing.ScrapingSource.json)
const encodeRate = Schema.encodeEffect(Pricing.ExchangeRateSource.json)

/** A price source as the trail keeps it: its JSON encoding. */
const scrapingJson = (row: Pricing.ScrapingSource): Effect.Effect<Audit.Json> =>
  Effect.orDie(encodeScraping(row)) as Effect.Effect<Audit.Json>

/** An exchange-rate source as the trail keeps it: its JSON encoding. */
const rateJson = (row: Pricing.ExchangeRateSource): Effect.Effect<Audit.Json> =>
  Effect.orDie(encodeRate(row)) as Effect.Effect<Audit.Json>

/**
 * What a configuration operation can fail with, besides database failures.
 *
 * @category errors
 * @since 0.1.0
 */
export type ConfigurationError =
  | Errors.NotFound
  | Errors.NotPermitted
  | Errors.ValidationFailed
  | Secrets.SecretsUnavailable

/**
 * The operations, as {@link make} builds them.
 *
 * @category services
 * @since 0.1.0
 */
export type Service = Effect.Success<typeof make>

/**
 * The configuration service.
 *
 * @category services
 * @since 0.1.0
 */
export class Configuration extends Context.Service<Configuration, Service>()("@niha/server/Configuration") {
  /** The service as a Layer. */
  static readonly layer: Layer.Layer<Configuration, never, SqlClient.SqlClient | Secrets.Secrets> = Layer.effect(
    Configuration,
    make
  )
}

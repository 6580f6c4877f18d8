/**
 * Platform configuration, as the group `configuration` of the API (admins with
 * `configure_platform`):
 *
 * - mail configs (`mail_config`): SMTP or Resend, one active at a time (the outbox sends
 *   through it; the server's fallback transport while none is), and a test send. The
 *   secrets (`resend_api_key`, `smtp_password`) are write-only: stored sealed with
 *   AES-256-GCM under `NIHA_SECRETS_KEY`, never answered, shown as `*_set` booleans. A
 *   change sets a secret with a string, clears it with null, keeps it when absent.
 * - price sources (`scraping_sources`): a URL fetched every `interval_seconds`, read by
 *   `library`: `HTTPX` is a JSON answer with `selector` a path (`data.close`,
 *   `items.0.price`); `BEAUTIFULSOUP`, `SELENIUM` and `PLAYWRIGHT` are an HTML page with
 *   `selector` a CSS selector (no browser runs: the page is parsed as served).
 * - exchange-rate sources (`exchange_rate_sources`): a URL answering JSON, `selector` the
 *   path of the rate of one `base_currency` in `quote_currency`.
 *
 * @since 0.1.0
 */
import { Enums, Ids, Pricing, Text } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as ApiError from "./ApiError.ts"
import { Authentication } from "./Authentication.ts"
import * as Pagination from "./Pagination.ts"

const Email = Schema.String.check(
  Text.isStorable,
  Schema.isPattern(/^[^\s@A-Z]+@[^\s@A-Z]+\.[^\s@A-Z]+$/u, { message: "must be a lower-case email address" })
)
// Every text the database stores refuses NUL (PostgreSQL cannot hold it: a 500, found by the fuzzer).
const Line = Text.Line
const Port = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 65535 }))
const Secret = Schema.String.check(Text.isStorable, Schema.isNonEmpty(), Schema.isMaxLength(4096))
const Url = Schema.String.check(
  Text.isStorable,
  Schema.isPattern(/^https?:\/\/\S+$/u, { message: "must be an http or https URL" }),
  Schema.isMaxLength(2000)
)
const Interval = Schema.Int.check(Schema.isBetween({ minimum: 10, maximum: 7 * 86_400 }))

/**
 * A mail config as the API shows it: the secrets only as whether they are set.
 *
 * @category models
 * @since 0.1.0
 */
export const MailConfig = Schema.Struct({
  /** Its id. */
  id: Ids.MailConfigId,
  /** `smtp` or `resend`. */
  provider: Enums.MailProvider,
  /** The sender address. */
  from_email: Schema.String,
  /** The sender name. */
  from_name: Schema.NullOr(Schema.String),
  /** The Reply-To address. */
  reply_to: Schema.NullOr(Schema.String),
  /** Whether a Resend API key is stored. */
  resend_api_key_set: Schema.Boolean,
  /** The SMTP host. */
  smtp_host: Schema.NullOr(Schema.String),
  /** The SMTP port (587 when null). */
  smtp_port: Schema.NullOr(Schema.Int),
  /** The SMTP user name. */
  smtp_username: Schema.NullOr(Schema.String),
  /** Whether an SMTP password is stored. */
  smtp_password_set: Schema.Boolean,
  /** Whether SMTP uses TLS. */
  smtp_use_tls: Schema.Boolean,
  /** Whether the outbox sends through it. */
  is_active: Schema.Boolean,
  /** When it was made. */
  created_at: Schema.DateTimeUtcFromString,
  /** When it last changed. */
  updated_at: Schema.DateTimeUtcFromString
}).annotate({ identifier: "MailConfig" })

/**
 * @category models
 * @since 0.1.0
 */
export type MailConfig = typeof MailConfig.Type

/**
 * A mail config as an admin creates it.
 *
 * @category inputs
 * @since 0.1.0
 */
export const CreateMailConfig = Schema.Struct({
  /** `smtp` or `resend`. */
  provider: Enums.MailProvider,
  /** The sender address (lower case). */
  from_email: Email,
  /** The sender name. */
  from_name: Schema.optionalKey(Line(200)),
  /** The Reply-To address. */
  reply_to: Schema.optionalKey(Email),
  /** The Resend API key (write-only; required for `resend`). */
  resend_api_key: Schema.optionalKey(Secret),
  /** The SMTP host (required for `smtp`). */
  smtp_host: Schema.optionalKey(Line(255)),
  /** The SMTP port (587 when absent). */
  smtp_port: Schema.optionalKey(Port),
  /** The SMTP user name. */
  smtp_username: Schema.optionalKey(Line(255)),
  /** The SMTP password (write-only; required with a user name). */
  smtp_password: Schema.optionalKey(Secret),
  /** Whether SMTP uses TLS (true when absent). */
  smtp_use_tls: Schema.optionalKey(Schema.Boolean)
}).annotate({ identifier: "CreateMailConfig" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type CreateMailConfig = typeof CreateMailConfig.Type

/**
 * A change of a mail config: the fields given are replaced; a secret given as null is
 * cleared, left out it is kept. `is_active: true` makes it the one active config.
 *
 * @category inputs
 * @since 0.1.0
 */
export const ChangeMailConfig = Schema.Struct({
  /** The sender address. */
  from_email: Schema.optionalKey(Email),
  /** The sender name; null removes it. */
  from_name: Schema.optionalKey(Schema.NullOr(Line(200))),
  /** The Reply-To address; null removes it. */
  reply_to: Schema.optionalKey(Schema.NullOr(Email)),
  /** A new Resend API key; null clears it. */
  resend_api_key: Schema.optionalKey(Schema.NullOr(Secret)),
  /** The SMTP host; null removes it. */
  smtp_host: Schema.optionalKey(Schema.NullOr(Line(255))),
  /** The SMTP port; null for 587. */
  smtp_port: Schema.optionalKey(Schema.NullOr(Port)),
  /** The SMTP user name; null removes it. */
  smtp_username: Schema.optionalKey(Schema.NullOr(Line(255))),
  /** A new SMTP password; null clears it. */
  smtp_password: Schema.optionalKey(Schema.NullOr(Secret)),
  /** Whether SMTP uses TLS. */
  smtp_use_tls: Schema.optionalKey(Schema.Boolean),
  /** true: the outbox sends through this config from now on (the active one before is deactivated). */
  is_active: Schema.optionalKey(Schema.Boolean)
}).annotate({ identifier: "ChangeMailConfig" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type ChangeMailConfig = typeof ChangeMailConfig.Type

/**
 * The address a test mail goes to.
 *
 * @category inputs
 * @since 0.1.0
 */
export const TestMail = Schema.Struct({
  /** The recipient. */
  to: Email
}).annotate({ identifier: "TestMail" })

/**
 * How a test send went.
 *
 * @category models
 * @since 0.1.0
 */
export const TestMailResult = Schema.Struct({
  /** Whether the provider accepted the mail. */
  delivered: Schema.Boolean,
  /** The provider tried. */
  provider: Enums.MailProvider,
  /** The provider's id of the message, when it accepted it. */
  message_id: Schema.NullOr(Schema.String),
  /** Why it failed, when it did (never a secret). */
  error: Schema.NullOr(Schema.String)
}).annotate({ identifier: "TestMailResult" })

/**
 * @category models
 * @since 0.1.0
 */
export type TestMailResult = typeof TestMailResult.Type

/**
 * A price source as the API shows it.
 *
 * @category models
 * @since 0.1.0
 */
export const ScrapingSource = Pricing.ScrapingSource.json.annotate({ identifier: "ScrapingSource" })

/**
 * @category models
 * @since 0.1.0
 */
export type ScrapingSource = typeof ScrapingSource.Type

/**
 * A price source as an admin creates it.
 *
 * @category inputs
 * @since 0.1.0
 */
export const CreateScrapingSource = Schema.Struct({
  /** A name for people. */
  name: Line(200),
  /** The URL fetched. */
  url: Url,
  /** The certificate priced. */
  certificate_type: Enums.CertificateType,
  /** The currency of the price read. */
  currency: Enums.Currency,
  /** How the answer is read: `HTTPX` JSON with a path; the others HTML with a CSS selector. */
  library: Enums.ScrapeLibrary,
  /** The JSON path or CSS selector of the price. */
  selector: Line(500),
  /** Seconds between fetches (3600 when absent). */
  interval_seconds: Schema.optionalKey(Interval),
  /** Whether it is fetched (true when absent). */
  is_active: Schema.optionalKey(Schema.Boolean)
}).annotate({ identifier: "CreateScrapingSource" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type CreateScrapingSource = typeof CreateScrapingSource.Type

/**
 * A change of a price source: the fields given are replaced.
 *
 * @category inputs
 * @since 0.1.0
 */
export const ChangeScrapingSource = Schema.Struct({
  /** A name for people. */
  name: Schema.optionalKey(Line(200)),
  /** The URL fetched. */
  url: Schema.optionalKey(Url),
  /** How the answer is read. */
  library: Schema.optionalKey(Enums.ScrapeLibrary),
  /** The JSON path or CSS selector of the price. */
  selector: Schema.optionalKey(Line(500)),
  /** Seconds between fetches. */
  interval_seconds: Schema.optionalKey(Interval),
  /** Whether it is fetched. */
  is_active: Schema.optionalKey(Schema.Boolean)
}).annotate({ identifier: "ChangeScrapingSource" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type ChangeScrapingSource = typeof ChangeScrapingSource.Type

/**
 * An exchange-rate source as the API shows it.
 *
 * @category models
 * @since 0.1.0
 */
export const ExchangeRateSource = Pricing.ExchangeRateSource.json.annotate({ identifier: "ExchangeRateSource" })

/**
 * @category models
 * @since 0.1.0
 */
export type ExchangeRateSource = typeof ExchangeRateSource.Type

/**
 * An exchange-rate source as an admin creates it.
 *
 * @category inputs
 * @since 0.1.0
 */
export const CreateExchangeRateSource = Schema.Struct({
  /** A name for people. */
  name: Line(200),
  /** The URL fetched (answering JSON). */
  url: Url,
  /** One unit of this currency ... */
  base_currency: Enums.Currency,
  /** ... is worth the rate in this one. */
  quote_currency: Enums.Currency,
  /** The JSON path of the rate (`rates.USD`). */
  selector: Line(500),
  /** Seconds between fetches (3600 when absent). */
  interval_seconds: Schema.optionalKey(Interval),
  /** Whether it is fetched (true when absent). */
  is_active: Schema.optionalKey(Schema.Boolean)
}).annotate({ identifier: "CreateExchangeRateSource" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type CreateExchangeRateSource = typeof CreateExchangeRateSource.Type

/**
 * A change of an exchange-rate source: the fields given are replaced.
 *
 * @category inputs
 * @since 0.1.0
 */
export const ChangeExchangeRateSource = Schema.Struct({
  /** A name for people. */
  name: Schema.optionalKey(Line(200)),
  /** The URL fetched. */
  url: Schema.optionalKey(Url),
  /** The JSON path of the rate. */
  selector: Schema.optionalKey(Line(500)),
  /** Seconds between fetches. */
  interval_seconds: Schema.optionalKey(Interval),
  /** Whether it is fetched. */
  is_active: Schema.optionalKey(Schema.Boolean)
}).annotate({ identifier: "ChangeExchangeRateSource" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type ChangeExchangeRateSource = typeof ChangeExchangeRateSource.Type

/**
 * The group `configuration`.
 *
 * @category groups
 * @since 0.1.0
 */
export class ConfigurationApi extends HttpApiGroup.make("configuration")
  .add(
    HttpApiEndpoint.get("listMailConfigs", "/admin/mail-configs", {
      query: Pagination.query(Ids.MailConfigId),
      success: Pagination.Page(MailConfig),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Mail configs, oldest first; secrets shown only as set or not"),
    HttpApiEndpoint.post("createMailConfig", "/admin/mail-configs", {
      payload: CreateMailConfig,
      success: MailConfig.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.ServiceUnavailable]
    }).annotate(OpenApi.Summary, "Add a mail config (inactive); its secrets are stored sealed"),
    HttpApiEndpoint.patch("changeMailConfig", "/admin/mail-configs/:id", {
      params: { id: Ids.MailConfigId },
      payload: ChangeMailConfig,
      success: MailConfig,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.ServiceUnavailable]
    }).annotate(OpenApi.Summary, "Change a mail config, or make it the active one"),
    HttpApiEndpoint.post("testMailConfig", "/admin/mail-configs/:id/test", {
      params: { id: Ids.MailConfigId },
      payload: TestMail,
      success: TestMailResult,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.ServiceUnavailable]
    }).annotate(OpenApi.Summary, "Send a test mail through a mail config now, and say how it went"),
    HttpApiEndpoint.get("listScrapingSources", "/admin/scraping-sources", {
      query: Pagination.query(Ids.ScrapingSourceId),
      success: Pagination.Page(ScrapingSource),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Price sources, oldest first, with the outcome of their last fetch"),
    HttpApiEndpoint.post("createScrapingSource", "/admin/scraping-sources", {
      payload: CreateScrapingSource,
      success: ScrapingSource.pipe(HttpApiSchema.status(201)),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Add a price source"),
    HttpApiEndpoint.patch("changeScrapingSource", "/admin/scraping-sources/:id", {
      params: { id: Ids.ScrapingSourceId },
      payload: ChangeScrapingSource,
      success: ScrapingSource,
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "Change a price source"),
    HttpApiEndpoint.post("fetchScrapingSource", "/admin/scraping-sources/:id/fetch", {
      params: { id: Ids.ScrapingSourceId },
      success: ScrapingSource,
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "Fetch a price source now; answers it with the outcome recorded"),
    HttpApiEndpoint.get("listExchangeRateSources", "/admin/exchange-rate-sources", {
      query: Pagination.query(Ids.ExchangeRateSourceId),
      success: Pagination.Page(ExchangeRateSource),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Exchange-rate sources, oldest first, with the outcome of their last fetch"),
    HttpApiEndpoint.post("createExchangeRateSource", "/admin/exchange-rate-sources", {
      payload: CreateExchangeRateSource,
      success: ExchangeRateSource.pipe(HttpApiSchema.status(201)),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Add an exchange-rate source"),
    HttpApiEndpoint.patch("changeExchangeRateSource", "/admin/exchange-rate-sources/:id", {
      params: { id: Ids.ExchangeRateSourceId },
      payload: ChangeExchangeRateSource,
      success: ExchangeRateSource,
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "Change an exchange-rate source"),
    HttpApiEndpoint.post("fetchExchangeRateSource", "/admin/exchange-rate-sources/:id/fetch", {
      params: { id: Ids.ExchangeRateSourceId },
      success: ExchangeRateSource,
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "Fetch an exchange-rate source now; answers it with the outcome recorded")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({
    title: "Configuration",
    description: "Mail configs with write-only secrets, price sources and exchange-rate sources."
  }))
{}

/**
 * The Mailer: the transport that delivers one message. The server never sends mail from a
 * request handler; it writes a row of `mail_outbox` in the same transaction as the change
 * that caused it, and the outbox dispatcher hands each pending row to {@link Mailer}'s
 * `send`, passing the row id as the idempotency key. A failed send is a {@link MailError}
 * whose `retryable` flag tells the dispatcher whether to try the row again later or to give
 * up on it.
 *
 * Three transports:
 *
 * - **SMTP** ({@link smtp}, {@link layerSmtp}): nodemailer over a small connection pool,
 *   created once per Layer and closed with it. Port 465 is implicit TLS; any other port
 *   requires STARTTLS when TLS is asked for.
 * - **Resend** ({@link resend}, {@link layerResend}): one `POST /emails` per message through
 *   effect's `HttpClient` (so it runs wherever fetch does), with the `Idempotency-Key`
 *   header so a retried send is not delivered twice.
 * - **log** ({@link log}, {@link layerLog}): for development with no mail configured; the
 *   message is written to the log, not sent.
 *
 * {@link fromConfig} picks the transport a `mail_config` row describes.
 *
 * @since 0.1.0
 */
import type { Mail } from "@niha/domain"
import { Enums } from "@niha/domain"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import nodemailer from "nodemailer"

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/**
 * One mailbox address, as a recipient or a Reply-To: a single `local@domain` with no
 * whitespace, angle brackets, commas or quotes, so that a value read from the database can
 * never smuggle a second recipient or a header into the message.
 *
 * @category models
 * @since 0.1.0
 */
export const EmailAddress = Schema.String.check(
  Schema.makeFilter((value: string) =>
    /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+\.[^\s@<>,;:"()[\]\\]+$/.test(value) && value.length <= 254
      ? undefined
      : `must be one email address such as "name@example.com": got ${JSON.stringify(value)}`
  )
)

/**
 * The key that makes a send idempotent: 1 to 256 characters among letters, digits and
 * `. _ - + = / ~` (a UUID, or `<event>/<id>`). Resend keeps a key for 24 hours and
 * answers a repeated request with the first answer; over SMTP the key becomes the
 * Message-ID, so a duplicate is at least recognisable.
 *
 * @category models
 * @since 0.1.0
 */
export const IdempotencyKey = Schema.String.check(
  Schema.makeFilter((value: string) =>
    /^[A-Za-z0-9._\-+=/~]{1,256}$/.test(value)
      ? undefined
      : `must be 1 to 256 characters among letters, digits and . _ - + = / ~: got ${JSON.stringify(value)}`
  )
)

/**
 * A message to deliver: one recipient, a subject, a plain-text body and optionally an HTML
 * body, a Reply-To overriding the transport's default, and an idempotency key (the outbox
 * passes its row id). Every transport checks a message against this schema before sending
 * it.
 *
 * @category models
 * @since 0.1.0
 */
export const Message = Schema.Struct({
  /** The recipient. */
  to: EmailAddress,
  /** The subject line, one line. */
  subject: Schema.String.check(
    Schema.isNonEmpty(),
    Schema.makeFilter((value: string) => /[\r\n]/.test(value) ? "must be one line" : undefined)
  ),
  /** The plain-text body, always sent. */
  text: Schema.String,
  /** The HTML body, sent beside the text when given. */
  html: Schema.optional(Schema.String),
  /** Reply-To for this message; the transport's default when absent. */
  reply_to: Schema.optional(EmailAddress),
  /** Makes a repeated send of the same message deliver it once (see {@link IdempotencyKey}). */
  idempotency_key: Schema.optional(IdempotencyKey)
})

/**
 * A message to deliver (see the {@link Message} schema).
 *
 * @category models
 * @since 0.1.0
 */
export type Message = typeof Message.Type

/**
 * The transport that delivered a message.
 *
 * @category models
 * @since 0.1.0
 */
export const Provider = Schema.Literals(["smtp", "resend", "log"])

/**
 * The transport that delivered a message.
 *
 * @category models
 * @since 0.1.0
 */
export type Provider = typeof Provider.Type

/**
 * What a successful send returns: the transport and the id it gave the message (the
 * Message-ID over SMTP, the email id at Resend, a generated id for the log transport).
 *
 * @category models
 * @since 0.1.0
 */
export const Receipt = Schema.Struct({
  /** The transport that delivered the message. */
  provider: Provider,
  /** The transport's id of the message. */
  message_id: Schema.String
})

/**
 * What a successful send returns (see the {@link Receipt} schema).
 *
 * @category models
 * @since 0.1.0
 */
export type Receipt = typeof Receipt.Type

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

/**
 * A message was not delivered. `retryable` says whether the same message may go through on
 * a later attempt: true for network failures and timeouts, SMTP 4xx replies (and 503), HTTP
 * 429 and 5xx; false for SMTP 5xx replies (a refused recipient, wrong credentials), HTTP
 * 4xx answers, a configuration the server refuses (no STARTTLS when TLS is required) and a
 * message that fails {@link Message}. `status` is the SMTP reply code or the HTTP status
 * when there was one.
 *
 * @category errors
 * @since 0.1.0
 */
export class MailError extends Schema.TaggedError<MailError>()("MailError", {
  /** The transport that failed. */
  provider: Provider,
  /** What went wrong, with the provider's own message when it sent one. */
  message: Schema.String,
  /** Whether sending the same message again later may succeed. */
  retryable: Schema.Boolean,
  /** The SMTP reply code or HTTP status, when the failure came with one. */
  status: Schema.optional(Schema.Number)
}) {}

/**
 * A `mail_config` row lacks a field its provider needs (an SMTP host, a Resend API key, a
 * password for an SMTP user name).
 *
 * @category errors
 * @since 0.1.0
 */
export class MailConfigInvalid extends Schema.TaggedError<MailConfigInvalid>()("MailConfigInvalid", {
  /** The provider the row selects. */
  provider: Enums.MailProvider,
  /** The columns that are missing or empty. */
  missing: Schema.Array(Schema.String)
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `mail_config for ${this.provider} is missing ${this.missing.join(", ")}`
  }
}

// -----------------------------------------------------------------------------
// service
// -----------------------------------------------------------------------------

/**
 * The mail transport in use: `send` delivers one message or fails with a {@link MailError}.
 *
 * @category services
 * @since 0.1.0
 */
export class Mailer extends Context.Service<Mailer, {
  /** Which transport this is. */
  readonly provider: Provider
  /** Delivers one message. */
  readonly send: (message: Message) => Effect.Effect<Receipt, MailError>
}>()("@niha/server/Mailer") {}

/**
 * A sender: the From address and its display name.
 *
 * @category models
 * @since 0.1.0
 */
export interface Sender {
  /** The From address. */
  readonly email: string
  /** The display name shown beside it. */
  readonly name?: string | undefined
}

/**
 * How long one send may take in all (connecting, talking, waiting for the answer) before it
 * fails with a retryable {@link MailError}, unless a transport's options say otherwise.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultSendTimeout: Duration.Duration = Duration.seconds(60)

const decodeMessage = Schema.decodeUnknownEffect(Message)

/** Checks the message first: a message read from a row is not trusted to be well formed. */
const validated = (provider: Provider, message: Message): Effect.Effect<Message, MailError> =>
  Effect.mapError(
    decodeMessage(message),
    (error) => new MailError({ provider, message: `invalid message: ${error.message}`, retryable: false })
  )

const withTimeout =
  (provider: Provider, timeout: Duration.Input) =>
  <A>(self: Effect.Effect<A, MailError>): Effect.Effect<A, MailError> =>
    Effect.timeoutOrElse(self, {
      duration: timeout,
      orElse: () =>
        Effect.fail(
          new MailError({
            provider,
            message: `no answer within ${Duration.format(Duration.fromInputUnsafe(timeout))}`,
            retryable: true
          })
        )
    })

// -----------------------------------------------------------------------------
// SMTP
// -----------------------------------------------------------------------------

/**
 * Options of the SMTP transport.
 *
 * @category models
 * @since 0.1.0
 */
export interface SmtpOptions {
  /** The SMTP server's host name. */
  readonly host: string
  /** The SMTP server's port: 465 is implicit TLS, 587 or 25 plain or STARTTLS. */
  readonly port: number
  /**
   * Whether to use TLS: on port 465 from the first byte, on any other port through
   * STARTTLS, which the server must then offer. When false the connection still upgrades
   * if the server offers STARTTLS.
   */
  readonly useTls: boolean
  /** The user name to log in with; no login when absent. */
  readonly username?: string | undefined
  /** The password for `username`. */
  readonly password?: Redacted.Redacted<string> | undefined
  /** The From address. */
  readonly from: Sender
  /** The default Reply-To. */
  readonly replyTo?: string | undefined
  /** How long one send may take in all; {@link defaultSendTimeout} when absent. */
  readonly timeout?: Duration.Input | undefined
  /**
   * TLS certificate checks. Only tests against a self-signed server turn
   * `rejectUnauthorized` off.
   */
  readonly tls?: {
    /** Whether to refuse a server certificate that does not verify; true unless given. */
    readonly rejectUnauthorized?: boolean | undefined
  } | undefined
}

/** The fields of a nodemailer error this module reads. */
interface SmtpFailure {
  readonly message: string
  readonly code?: string | undefined
  readonly responseCode?: number | undefined
  readonly permanent?: boolean | undefined
}

const readSmtpFailure = (cause: unknown): SmtpFailure => {
  if (typeof cause !== "object" || cause === null) return { message: String(cause) }
  const record = cause as Record<string, unknown>
  return {
    message: typeof record["message"] === "string" ? record["message"] : String(cause),
    code: typeof record["code"] === "string" ? record["code"] : undefined,
    responseCode: typeof record["responseCode"] === "number" ? record["responseCode"] : undefined,
    permanent: typeof record["permanent"] === "boolean" ? record["permanent"] : undefined
  }
}

/**
 * Nodemailer codes of failures that did not come with an SMTP reply and that a later
 * attempt may get past: the connection dropped, timed out or never opened, a pooled
 * connection ran out, the send was aborted (interrupted or timed out).
 */
const transientSmtpCodes: ReadonlySet<string> = new Set([
  "ECONNECTION",
  "ETIMEDOUT",
  "ESOCKET",
  "EDNS",
  "EPROXY",
  "EPROTOCOL",
  "EMAXLIMIT",
  "EABORT"
])

/** A nodemailer failure as a {@link MailError}. */
const smtpError = (cause: unknown): MailError => {
  const failure = readSmtpFailure(cause)
  // RFC 5321: 4yz is transient, 5yz permanent, except 503 (the session was in the wrong
  // state, a new connection may do). Nodemailer sets `permanent` from the same rule.
  const retryable = failure.responseCode !== undefined
    ? failure.permanent !== undefined
      ? !failure.permanent
      : !(failure.responseCode >= 500 && failure.responseCode < 600 && failure.responseCode !== 503)
    : failure.code !== undefined && transientSmtpCodes.has(failure.code)
  return new MailError({
    provider: "smtp",
    message: failure.code === undefined ? failure.message : `${failure.code}: ${failure.message}`,
    retryable,
    ...(failure.responseCode === undefined ? {} : { status: failure.responseCode })
  })
}

const domainOf = (email: string): string => email.slice(email.lastIndexOf("@") + 1)

/**
 * An SMTP Mailer: one nodemailer pool (at most two connections, each reused for
 * following messages), closed when the scope closes. Connecting and the greeting time out
 * after 10 seconds and an idle socket after 30, rather than nodemailer's minutes, and a
 * whole send after `options.timeout`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const smtp = (options: SmtpOptions): Effect.Effect<Mailer["Service"], never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => {
        const implicitTls = options.useTls && options.port === 465
        return nodemailer.createTransport({
          pool: true,
          maxConnections: 2,
          host: options.host,
          port: options.port,
          secure: implicitTls,
          requireTLS: options.useTls && !implicitTls,
          ...(options.username === undefined ? {} : {
            auth: {
              user: options.username,
              pass: options.password === undefined ? "" : Redacted.value(options.password)
            }
          }),
          ...(options.tls?.rejectUnauthorized === undefined ?
            {} :
            { tls: { rejectUnauthorized: options.tls.rejectUnauthorized } }),
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
          dnsTimeout: 10_000
        })
      }),
      // `force` ends a delivery stuck on a stalling server too: the layer is going away.
      (transport) => Effect.sync(() => transport.close({ force: true }))
    ),
    (transport) => {
      const from = { name: options.from.name ?? "", address: options.from.email }
      const timeout = options.timeout ?? defaultSendTimeout
      return Mailer.of({
        provider: "smtp",
        send: (input) =>
          validated("smtp", input).pipe(
            Effect.flatMap((message) =>
              Effect.tryPromise({
                try: (signal) =>
                  transport.sendMail({
                    from,
                    to: message.to,
                    subject: message.subject,
                    text: message.text,
                    ...(message.html === undefined ? {} : { html: message.html }),
                    ...replyTo(message.reply_to ?? options.replyTo),
                    ...(message.idempotency_key === undefined ?
                      {} :
                      { messageId: `<${message.idempotency_key}@${domainOf(options.from.email)}>` }),
                    signal
                  }),
                catch: smtpError
              })
            ),
            Effect.map((info): Receipt => ({ provider: "smtp", message_id: info.messageId })),
            withTimeout("smtp", timeout),
            Effect.withSpan("Mailer.send", { attributes: { "mail.provider": "smtp" } })
          )
      })
    }
  )

const replyTo = (address: string | undefined) => address === undefined ? {} : { replyTo: address }

/**
 * The Mailer over SMTP (see {@link smtp}); the connection pool closes with the Layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerSmtp = (options: SmtpOptions): Layer.Layer<Mailer> => Layer.effect(Mailer, smtp(options))

// -----------------------------------------------------------------------------
// Resend
// -----------------------------------------------------------------------------

/**
 * Options of the Resend transport.
 *
 * @category models
 * @since 0.1.0
 */
export interface ResendOptions {
  /** The Resend API key. */
  readonly apiKey: Redacted.Redacted<string>
  /** The From address, on a domain verified at Resend. */
  readonly from: Sender
  /** The default Reply-To. */
  readonly replyTo?: string | undefined
  /** The API's address; {@link resendBaseUrl} when absent (tests point it at a local server). */
  readonly baseUrl?: string | undefined
  /** How long one send may take in all; {@link defaultSendTimeout} when absent. */
  readonly timeout?: Duration.Input | undefined
}

/**
 * The address of Resend's API.
 *
 * @category constants
 * @since 0.1.0
 */
export const resendBaseUrl = "https://api.resend.com"

/** What Resend answers to a send it accepted. */
const ResendSent = Schema.Struct({ id: Schema.String })

/** What Resend answers to a request it refused (`{ statusCode, name, message }`). */
const ResendRefusal = Schema.Struct({
  name: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String)
})

const decodeRefusal = Schema.decodeUnknownOption(Schema.fromJsonString(ResendRefusal))

/** A display name in double quotes, its quotes and backslashes escaped, line breaks dropped. */
const formatSender = (sender: Sender): string =>
  sender.name === undefined || sender.name === "" ?
    sender.email :
    `"${sender.name.replace(/[\r\n]/g, " ").replace(/["\\]/g, "\\$&")}" <${sender.email}>`

/** A refusal of Resend's as a {@link MailError}: 429 and 5xx may pass later, other 4xx will not. */
const resendRefusal = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<never, MailError> =>
  Effect.flatMap(
    Effect.orElseSucceed(response.text, () => ""),
    (body) => {
      const refusal = decodeRefusal(body)
      const name = refusal._tag === "Some" ? refusal.value.name : undefined
      const detail = refusal._tag === "Some" && refusal.value.message !== undefined
        ? refusal.value.message
        : body.slice(0, 500)
      const retryable = response.status === 429 || response.status >= 500 ||
        // Another request with the same key is in flight: its answer will be there later.
        (response.status === 409 && name === "concurrent_idempotent_requests")
      return Effect.fail(
        new MailError({
          provider: "resend",
          message: `Resend answered ${response.status}${name === undefined ? "" : ` ${name}`}: ${detail}`,
          retryable,
          status: response.status
        })
      )
    }
  )

/**
 * A Resend Mailer: each send is one `POST {baseUrl}/emails` with the API key as a bearer
 * token and the message's idempotency key in `Idempotency-Key`, through the `HttpClient`
 * in context (provide `FetchHttpClient.layer` from `effect/http` outside tests).
 *
 * @category constructors
 * @since 0.1.0
 */
export const resend = (options: ResendOptions): Effect.Effect<Mailer["Service"], never, HttpClient.HttpClient> =>
  Effect.map(Effect.service(HttpClient.HttpClient), (client) => {
    const url = `${(options.baseUrl ?? resendBaseUrl).replace(/\/+$/, "")}/emails`
    const from = formatSender(options.from)
    const timeout = options.timeout ?? defaultSendTimeout
    return Mailer.of({
      provider: "resend",
      send: (input) =>
        validated("resend", input).pipe(
          Effect.flatMap((message) => {
            const reply = message.reply_to ?? options.replyTo
            const request = HttpClientRequest.post(url).pipe(
              HttpClientRequest.bearerToken(options.apiKey),
              HttpClientRequest.acceptJson,
              message.idempotency_key === undefined ?
                (request) => request :
                HttpClientRequest.setHeader("Idempotency-Key", message.idempotency_key),
              // Strings only: JSON encoding cannot throw.
              HttpClientRequest.bodyJsonUnsafe({
                from,
                to: [message.to],
                subject: message.subject,
                text: message.text,
                ...(message.html === undefined ? {} : { html: message.html }),
                ...(reply === undefined ? {} : { reply_to: reply })
              })
            )
            return client.execute(request).pipe(
              Effect.mapError((error) =>
                new MailError({ provider: "resend", message: `request failed: ${error.message}`, retryable: true })
              )
            )
          }),
          Effect.flatMap((response) =>
            response.status >= 200 && response.status < 300 ?
              HttpClientResponse.schemaBodyJson(ResendSent)(response).pipe(
                Effect.map((sent): Receipt => ({ provider: "resend", message_id: sent.id })),
                // Resend took the message: sending it again could deliver it twice.
                Effect.mapError((error) =>
                  new MailError({
                    provider: "resend",
                    message: `Resend accepted the message but its answer has no id: ${error.message}`,
                    retryable: false,
                    status: response.status
                  })
                )
              ) :
              resendRefusal(response)
          ),
          withTimeout("resend", timeout),
          Effect.withSpan("Mailer.send", { attributes: { "mail.provider": "resend" } })
        )
    })
  })

/**
 * The Mailer over Resend (see {@link resend}).
 *
 * @category layers
 * @since 0.1.0
 */
export const layerResend = (options: ResendOptions): Layer.Layer<Mailer, never, HttpClient.HttpClient> =>
  Layer.effect(Mailer, resend(options))

// -----------------------------------------------------------------------------
// log
// -----------------------------------------------------------------------------

/**
 * A Mailer that sends nothing: each message is logged at Info level with its recipient,
 * subject and text as annotations (`mail_to`, `mail_subject`, `mail_text`), and the send
 * succeeds. For development only: the text may hold a sign-in link, which is the point
 * there and a leak anywhere else.
 *
 * @category constructors
 * @since 0.1.0
 */
export const log: Mailer["Service"] = Mailer.of({
  provider: "log",
  send: (input) =>
    validated("log", input).pipe(
      Effect.flatMap((message) => {
        const receipt: Receipt = {
          provider: "log",
          message_id: `log-${message.idempotency_key ?? globalThis.crypto.randomUUID()}`
        }
        return Effect.logInfo("mail not sent (log transport)").pipe(
          Effect.annotateLogs({
            mail_to: message.to,
            mail_subject: message.subject,
            mail_text: message.text,
            mail_message_id: receipt.message_id
          }),
          Effect.as(receipt)
        )
      })
    )
})

/**
 * The Mailer that only logs (see {@link log}).
 *
 * @category layers
 * @since 0.1.0
 */
export const layerLog: Layer.Layer<Mailer> = Layer.succeed(Mailer, log)

// -----------------------------------------------------------------------------
// configuration
// -----------------------------------------------------------------------------

/**
 * The columns of `mail_config` the Mailer reads (a whole `MailConfig` row will do).
 *
 * @category models
 * @since 0.1.0
 */
export type Config = Pick<
  Mail.MailConfig,
  | "provider"
  | "from_email"
  | "from_name"
  | "reply_to"
  | "resend_api_key"
  | "smtp_host"
  | "smtp_port"
  | "smtp_username"
  | "smtp_password"
  | "smtp_use_tls"
>

/**
 * The SMTP port used when `smtp_port` is empty: submission with STARTTLS.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultSmtpPort = 587

const present = (value: string | null): value is string => value !== null && value.trim() !== ""

const sender = (config: Config): Sender => ({
  email: config.from_email,
  ...(config.from_name === null ? {} : { name: config.from_name })
})

/**
 * The Mailer a `mail_config` row describes, or {@link MailConfigInvalid} when a column its
 * provider needs is empty: `resend_api_key` for `resend`; `smtp_host` for `smtp`, and
 * `smtp_password` when `smtp_username` is set (an empty `smtp_port` means
 * {@link defaultSmtpPort}). The caller picks the row (the active one); `is_active` is not
 * read here. The SMTP pool closes with the scope.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromConfig = Effect.fnUntraced(function*(
  config: Config
): Effect.fn.Return<Mailer["Service"], MailConfigInvalid, Scope.Scope | HttpClient.HttpClient> {
  const replyTo = config.reply_to ?? undefined
  if (config.provider === "resend") {
    if (!present(config.resend_api_key)) {
      return yield* new MailConfigInvalid({ provider: "resend", missing: ["resend_api_key"] })
    }
    return yield* resend({ apiKey: Redacted.make(config.resend_api_key), from: sender(config), replyTo })
  }
  const { smtp_host: host, smtp_password: password, smtp_username: username } = config
  const withUser = present(username)
  if (!present(host) || (withUser && !present(password))) {
    const missing = [
      ...(present(host) ? [] : ["smtp_host"]),
      ...(withUser && !present(password) ? ["smtp_password"] : [])
    ]
    return yield* new MailConfigInvalid({ provider: "smtp", missing })
  }
  return yield* smtp({
    host,
    port: config.smtp_port ?? defaultSmtpPort,
    useTls: config.smtp_use_tls,
    ...(withUser && present(password) ? { username, password: Redacted.make(password) } : {}),
    from: sender(config),
    replyTo
  })
})

/**
 * The Mailer a `mail_config` row describes as a Layer (see {@link fromConfig}).
 *
 * @category layers
 * @since 0.1.0
 */
export const layerConfig = (config: Config): Layer.Layer<Mailer, MailConfigInvalid, HttpClient.HttpClient> =>
  Layer.effect(Mailer, fromConfig(config))

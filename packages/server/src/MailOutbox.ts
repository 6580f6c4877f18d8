/**
 * The transactional outbox of mail. A handler writes the message into `mail_outbox` in the
 * transaction of the change it reports ({@link enqueue}); the dispatcher
 * ({@link dispatchOnce}, a recurring job of the server's `JobRunner`) sends due messages afterwards through the transport the active `mail_config` row
 * chooses (SMTP or Resend), or through the fallback `Mailer` when none is active (the log
 * transport in development). So no mail goes out for a change that rolled back, and none
 * is lost for one that committed.
 *
 * The dispatcher leases a batch with one short statement (moving each row's
 * `next_attempt_at` past the send timeout), sends outside any transaction (the embedded
 * database has one connection, and a slow SMTP server must not hold it), then marks each
 * row SENT, or schedules a retry with exponential backoff, or marks it FAILED after
 * {@link maxAttempts} or on a permanent refusal. A dispatcher that dies mid-send leaves
 * its lease to expire and the message is retried; the outbox row id goes with each send
 * as its idempotency key, so a provider that honours it does not deliver twice.
 *
 * @since 0.1.0
 */
import { Mail } from "@niha/domain"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as SqlClient from "effect/sql/SqlClient"
import * as rows from "./internal/rows.ts"
import * as Mailer from "./Mailer.ts"
import * as Secrets from "./Secrets.ts"

/**
 * A message to send.
 *
 * @category models
 * @since 0.1.0
 */
export interface Outgoing {
  /** What it is about, such as `magic_link`. */
  readonly kind: string
  /** The recipient. */
  readonly to: string
  /** The subject line. */
  readonly subject: string
  /** The plain-text body. */
  readonly text: string
  /** The HTML body, if any. */
  readonly html?: string | undefined
}

/**
 * Sends after which a message is given up as FAILED.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxAttempts = 8

/**
 * How long a leased message is left to its dispatcher before another may retry it: longer
 * than a send may take.
 *
 * @category constants
 * @since 0.1.0
 */
export const lease: Duration.Duration = Duration.minutes(2)

const messages = {
  all: rows.all("mail_outbox", Mail.MailOutboxMessage),
  one: rows.one("mail_outbox", Mail.MailOutboxMessage)
}
const configs = rows.all("mail_config", Mail.MailConfig)

/**
 * Writes a message into the outbox; run it inside the transaction of the change it
 * reports. Returns the row.
 *
 * @category enqueue
 * @since 0.1.0
 */
export const enqueue = Effect.fn("MailOutbox.enqueue")(function*(message: Outgoing) {
  const sql = yield* SqlClient.SqlClient
  // Due from the Clock's now, the time the dispatcher compares with: the database's now()
  // has microseconds the Clock lacks, and a message would wait a round for them.
  const now = DateTime.toDate(yield* DateTime.now)
  return yield* messages.one(sql`
    INSERT INTO mail_outbox (kind, to_email, subject, text_body, html_body, next_attempt_at)
    VALUES (${message.kind}, ${message.to.toLowerCase()}, ${message.subject}, ${message.text}, ${message.html ?? null},
      ${now})
    RETURNING *`)
})

/** Backoff after the n-th failed attempt: 30 s, 1 min, 2 min, ... capped at one hour. */
const backoff = (attempts: number): Duration.Duration =>
  Duration.seconds(Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1)))

const activeMailer = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [config] = yield* configs(sql`SELECT * FROM mail_config WHERE is_active LIMIT 1`)
  if (config === undefined) return undefined
  const box = yield* Secrets.Secrets
  const open = (value: string | null) => value === null ? Effect.succeed(null) : box.open(value)
  const opened = {
    ...config,
    resend_api_key: yield* open(config.resend_api_key),
    smtp_password: yield* open(config.smtp_password)
  }
  return yield* Mailer.fromConfig(opened).pipe(Effect.provide(FetchHttpClient.layer))
})

/**
 * Sends the due messages once: at most `batch` of them. Returns how many were sent.
 *
 * @category dispatch
 * @since 0.1.0
 */
export const dispatchOnce = Effect.fn("MailOutbox.dispatchOnce")(function*(batch = 20) {
  const sql = yield* SqlClient.SqlClient
  const fallback = yield* Mailer.Mailer
  const now = yield* DateTime.now
  const leasedUntil = DateTime.toDate(DateTime.add(now, { milliseconds: Duration.toMillis(lease) }))
  const leased = yield* messages.all(sql`
    UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ${leasedUntil}
    WHERE id IN (
      SELECT id FROM mail_outbox WHERE status = 'PENDING' AND next_attempt_at <= ${DateTime.toDate(now)}
      ORDER BY next_attempt_at, created_at LIMIT ${batch} FOR UPDATE SKIP LOCKED)
    RETURNING *`)
  if (leased.length === 0) return 0
  const configured = yield* Effect.scoped(Effect.gen(function*() {
    const mailer = yield* activeMailer.pipe(
      Effect.catchTag(
        "MailConfigInvalid",
        (error) => Effect.as(Effect.logError("mail_config is invalid; using the fallback transport", error), undefined)
      ),
      Effect.catchTag(
        "SecretsUnavailable",
        (error) =>
          Effect.as(
            Effect.logError(
              `the secrets of mail_config cannot be read (${error.reason}); using the fallback transport`
            ),
            undefined
          )
      )
    )
    const transport = mailer ?? fallback
    let sent = 0
    for (const message of leased) {
      const outcome = yield* Effect.result(transport.send({
        to: message.to_email,
        subject: message.subject,
        text: message.text_body,
        ...(message.html_body === null ? {} : { html: message.html_body }),
        idempotency_key: message.id
      }))
      const at = DateTime.toDate(yield* DateTime.now)
      if (outcome._tag === "Success") {
        sent++
        yield* sql`
          UPDATE mail_outbox SET status = 'SENT', sent_at = ${at}, provider = ${outcome.success.provider},
            provider_message_id = ${outcome.success.message_id}, last_error = NULL
          WHERE id = ${message.id}`
        continue
      }
      const error = outcome.failure
      const givesUp = !error.retryable || message.attempts >= maxAttempts
      yield* Effect.logWarning(givesUp ? "mail failed; giving up" : "mail failed; will retry").pipe(
        Effect.annotateLogs({
          outbox_id: message.id,
          kind: message.kind,
          attempts: message.attempts,
          error: error.message
        })
      )
      const retryAt = DateTime.toDate(
        DateTime.add(yield* DateTime.now, { milliseconds: Duration.toMillis(backoff(message.attempts)) })
      )
      yield* sql`
        UPDATE mail_outbox SET status = ${givesUp ? "FAILED" : "PENDING"}, last_error = ${error.message},
          provider = ${transport.provider}, next_attempt_at = ${givesUp ? at : retryAt}
        WHERE id = ${message.id}`
    }
    return sent
  }))
  return configured
})

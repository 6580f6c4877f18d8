import { assert, describe, it } from "@effect/vitest"
import { Migrations } from "@niha/db"
import { Mailer, MailOutbox, Secrets } from "@niha/server"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as SqlClient from "effect/sql/SqlClient"
import * as MailServers from "./support/MailServers.ts"
import * as TestServer from "./support/TestServer.ts"

const backend = TestServer.quickBackend

/** A migrated fresh database for one test. */
const withDatabase = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient | Scope.Scope | Secrets.Secrets>) =>
  Effect.scoped(Effect.gen(function*() {
    const database = yield* TestServer.freshDatabase(backend)
    return yield* Effect.andThen(Migrations.run, effect).pipe(
      Effect.provide(Layer.orDie(database)),
      Effect.provideService(Secrets.Secrets, Secrets.make(undefined))
    )
  }))

const failing = (retryable: boolean, sent: Array<Mailer.Message>): Layer.Layer<Mailer.Mailer> =>
  Layer.succeed(Mailer.Mailer, {
    provider: "log",
    send: (message) =>
      Effect.suspend(() => {
        sent.push(message)
        return Effect.fail(new Mailer.MailError({ provider: "log", message: "mailbox unavailable", retryable }))
      })
  })

const notice = { kind: "magic_link", to: "Ana@Example.com", subject: "Your link", text: "Token: nihm_x" }

const statusOf = (id: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return yield* sql<{ status: string; attempts: number; provider: string | null; last_error: string | null }>`
      SELECT status, attempts, provider, last_error FROM mail_outbox WHERE id = ${id}`
  })

describe.skipIf(TestServer.skipReasonOf(backend) !== undefined)(`the mail outbox [${backend}]`, () => {
  it.live(
    "sends through the SMTP server the active mail_config names, once",
    () =>
      withDatabase(Effect.gen(function*() {
        const smtp = yield* MailServers.smtpServer()
        const sql = yield* SqlClient.SqlClient
        yield* sql`
        INSERT INTO mail_config (provider, from_email, from_name, smtp_host, smtp_port, smtp_use_tls, is_active)
        VALUES ('smtp', 'noreply@niha.test', 'NIHA Carbon', '127.0.0.1', ${smtp.port}, false, true)`
        const queued = yield* MailOutbox.enqueue(notice)
        const fallback: Array<Mailer.Message> = []
        const sent = yield* MailOutbox.dispatchOnce().pipe(Effect.provide(failing(true, fallback)))
        assert.strictEqual(sent, 1)
        assert.deepStrictEqual(fallback, [])
        assert.strictEqual(smtp.received.length, 1)
        assert.deepStrictEqual(smtp.received[0]?.to, ["ana@example.com"])
        assert.include(smtp.received[0]?.raw ?? "", "Token: nihm_x")
        const [row] = yield* statusOf(queued.id)
        assert.deepStrictEqual(row, { status: "SENT", attempts: 1, provider: "smtp", last_error: null })
        assert.strictEqual(yield* MailOutbox.dispatchOnce().pipe(Effect.provide(failing(true, fallback))), 0)
        assert.strictEqual(smtp.received.length, 1)
      })),
    { timeout: 60_000 }
  )

  it.live("uses the fallback transport while no mail_config is active", () =>
    withDatabase(Effect.gen(function*() {
      const queued = yield* MailOutbox.enqueue(notice)
      const sent = yield* MailOutbox.dispatchOnce().pipe(Effect.provide(Mailer.layerLog))
      assert.strictEqual(sent, 1)
      const [row] = yield* statusOf(queued.id)
      assert.strictEqual(row?.status, "SENT")
      assert.strictEqual(row?.provider, "log")
    })), { timeout: 60_000 })

  it.live(
    "schedules a retry after a temporary failure, and gives up on a permanent one",
    () =>
      withDatabase(Effect.gen(function*() {
        const tries: Array<Mailer.Message> = []
        const temporary = yield* MailOutbox.enqueue(notice)
        yield* MailOutbox.dispatchOnce().pipe(Effect.provide(failing(true, tries)))
        const [retrying] = yield* statusOf(temporary.id)
        assert.deepStrictEqual(retrying, {
          status: "PENDING",
          attempts: 1,
          provider: "log",
          last_error: "mailbox unavailable"
        })
        // Not due yet: the backoff keeps it out of the next round.
        yield* MailOutbox.dispatchOnce().pipe(Effect.provide(failing(true, tries)))
        assert.strictEqual(tries.length, 1)
        assert.strictEqual(tries[0]?.idempotency_key, temporary.id)

        const permanent = yield* MailOutbox.enqueue({ ...notice, to: "gone@example.com" })
        yield* MailOutbox.dispatchOnce().pipe(Effect.provide(failing(false, tries)))
        const [failed] = yield* statusOf(permanent.id)
        assert.strictEqual(failed?.status, "FAILED")
      })),
    { timeout: 60_000 }
  )
})

/**
 * Platform configuration through the SDK against a started server, on both backends: an
 * admin adds an SMTP config with a password, makes it active and sends a test mail through
 * a local SMTP server that checks the password; the password is stored sealed and appears
 * in no response, no ticket and no log line; invalid configs and sources are a 400 that
 * changes nothing; a client may not configure (403). Beside the server: `Secrets` seals
 * and opens with its key, refuses another, and its readiness check names the problem.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { Migrations } from "@niha/db"
import { PromiseClient } from "@niha/sdk"
import { Secrets } from "@niha/server"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeCrypto from "node:crypto"
import { adminOf, call, clientAtNda, failure } from "./support/Clients.ts"
import * as MailServers from "./support/MailServers.ts"
import * as TestServer from "./support/TestServer.ts"

const live = { excludeTestServices: true, timeout: "180 seconds" } as const

const key = NodeCrypto.randomBytes(32).toString("hex")
const otherKey = NodeCrypto.randomBytes(32).toString("base64")
const password = "smtp-pass-W1thS0meEntropy"

describe("Secrets", () => {
  it.effect("seals with a fresh IV, opens with its key only, and reads unsealed legacy values as they are", () =>
    Effect.gen(function*() {
      const box = Secrets.make(yield* Secrets.parseKey(key))
      const sealed = yield* box.seal(password)
      assert.notInclude(sealed, password)
      assert.match(sealed, /^v1\.[0-9a-f]{16}\./)
      assert.notStrictEqual(yield* box.seal(password), sealed)
      assert.strictEqual(yield* box.open(sealed), password)
      assert.strictEqual(yield* box.open("plain legacy"), "plain legacy")
      const other = Secrets.make(yield* Secrets.parseKey(otherKey))
      assert.include((yield* Effect.flip(other.open(sealed))).reason, "is not the key")
      assert.include((yield* Effect.flip(Secrets.make(undefined).open(sealed))).reason, "NIHA_SECRETS_KEY is not set")
      assert.include((yield* Effect.flip(Secrets.make(undefined).seal("x"))).reason, "NIHA_SECRETS_KEY is not set")
      const damaged = sealed.slice(0, -2) + (sealed.endsWith("A") ? "BB" : "AA")
      assert.include((yield* Effect.flip(box.open(damaged))).reason, "damaged")
      assert.strictEqual((yield* Effect.flip(Secrets.parseKey("short"))).message.includes("32 bytes"), true)
    }))

  it.live.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)(
    "the readiness check fails while sealed secrets are stored and the key is missing or another",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const database = yield* TestServer.freshDatabase(TestServer.quickBackend)
        yield* Effect.gen(function*() {
          yield* Migrations.run
          const sql = yield* SqlClient.SqlClient
          const box = Secrets.make(yield* Secrets.parseKey(key))
          const check = (with_: Secrets.Box) => Effect.provideService(Secrets.check, Secrets.Secrets, with_)
          yield* check(Secrets.make(undefined))
          yield* sql`
            INSERT INTO mail_config (provider, from_email, resend_api_key)
            VALUES ('resend', 'noreply@niha.test', ${yield* box.seal("re_key")})`
          yield* check(box)
          assert.include((yield* Effect.flip(check(Secrets.make(undefined)))).reason, "not set")
          const other = Secrets.make(yield* Secrets.parseKey(otherKey))
          assert.include((yield* Effect.flip(check(other))).reason, "is not the key")
        }).pipe(Effect.provide(Layer.orDie(database)))
      })),
    { timeout: 60_000 }
  )
})

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`configuration through the SDK [${backend}]`, () => {
    layer(TestServer.layer(backend, { secrets: Secrets.layerKey(key) }), live)((it) => {
      it.effect("mail configs: secrets write-only and sealed, one active, a test send through it", () =>
        Effect.scoped(Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const { client: admin } = yield* adminOf(server)
          const smtp = yield* MailServers.smtpServer({ credentials: { username: "niha", password } })

          const created = yield* call(() =>
            admin.configuration.createMailConfig({
              payload: {
                provider: "smtp",
                from_email: "noreply@niha.test",
                smtp_host: "127.0.0.1",
                smtp_port: smtp.port,
                smtp_username: "niha",
                smtp_password: password,
                smtp_use_tls: false
              }
            })
          )
          assert.isTrue(created.smtp_password_set)
          assert.isFalse(created.resend_api_key_set)
          assert.isFalse(created.is_active)
          assert.notProperty(created, "smtp_password")

          // Invalid: a Resend config without its key; an SMTP user without a password.
          const noKey = yield* failure(() =>
            admin.configuration.createMailConfig({ payload: { provider: "resend", from_email: "noreply@niha.test" } })
          )
          assert.strictEqual(noKey.status, 400)
          const cleared = yield* failure(() =>
            admin.configuration.changeMailConfig({ params: { id: created.id }, payload: { smtp_password: null } })
          )
          assert.strictEqual(cleared.status, 400)

          const active = yield* call(() =>
            admin.configuration.changeMailConfig({ params: { id: created.id }, payload: { is_active: true } })
          )
          assert.isTrue(active.is_active)
          assert.isTrue(active.smtp_password_set)
          const result = yield* call(() =>
            admin.configuration.testMailConfig({ params: { id: created.id }, payload: { to: "ops@niha.test" } })
          )
          assert.deepInclude(result, { delivered: true, provider: "smtp", error: null })
          assert.strictEqual(smtp.received.length, 1)
          assert.strictEqual(smtp.received[0]?.user, "niha")
          assert.deepStrictEqual(smtp.received[0]?.to, ["ops@niha.test"])

          // A second config made active deactivates the first.
          const second = yield* call(() =>
            admin.configuration.createMailConfig({
              payload: { provider: "resend", from_email: "noreply@niha.test", resend_api_key: "re_secret_key_123456" }
            })
          )
          yield* call(() =>
            admin.configuration.changeMailConfig({ params: { id: second.id }, payload: { is_active: true } })
          )
          const listed = yield* call(() => admin.configuration.listMailConfigs({ query: {} }))
          assert.deepStrictEqual(listed.data.map((row) => [row.id, row.is_active]), [[created.id, false], [
            second.id,
            true
          ]])

          // The secrets are nowhere: not in answers, not in the trail, not in the logs.
          const tickets = yield* call(() => admin.audit.listTickets({ query: { subject_table: "mail_config" } }))
          assert.deepStrictEqual(tickets.data.map((ticket) => ticket.action), [
            "mail_config.create",
            "mail_config.change",
            "mail_config.test",
            "mail_config.create",
            "mail_config.change"
          ])
          const seen = JSON.stringify([listed, tickets, server.logs])
          assert.notInclude(seen, password)
          assert.notInclude(seen, "re_secret_key_123456")
          if (server.backend === "postgres") {
            const stored = yield* Effect.gen(function*() {
              const sql = yield* SqlClient.SqlClient
              return yield* sql<{ smtp_password: string | null; resend_api_key: string | null }>`
                SELECT smtp_password, resend_api_key FROM mail_config ORDER BY created_at`
            }).pipe(Effect.provide(Layer.orDie(server.database)), Effect.orDie)
            assert.match(stored[0]?.smtp_password ?? "", /^v1\./)
            assert.match(stored[1]?.resend_api_key ?? "", /^v1\./)
            assert.notInclude(JSON.stringify(stored), password)
          }
          // Deactivated, the outbox goes back to the server's own transport.
          const off = yield* call(() =>
            admin.configuration.changeMailConfig({ params: { id: second.id }, payload: { is_active: false } })
          )
          assert.isFalse(off.is_active)
        })))

      it.effect("price and exchange-rate sources; a client may not configure", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const { client: admin } = yield* adminOf(server)
          const source = yield* call(() =>
            admin.configuration.createScrapingSource({
              payload: {
                name: "Exchange close",
                url: "https://prices.example/cea.json",
                certificate_type: "CEA",
                currency: "CNY",
                library: "HTTPX",
                selector: "data.close"
              }
            })
          )
          assert.deepInclude(source, {
            library: "HTTPX",
            selector: "data.close",
            interval_seconds: 3600,
            is_active: true
          })
          const badPath = yield* failure(() =>
            admin.configuration.changeScrapingSource({ params: { id: source.id }, payload: { selector: "data[0]" } })
          )
          assert.strictEqual(badPath.status, 400)
          const html = yield* call(() =>
            admin.configuration.changeScrapingSource({
              params: { id: source.id },
              payload: { library: "BEAUTIFULSOUP", selector: "td.close > span", is_active: false }
            })
          )
          assert.deepInclude(html, { library: "BEAUTIFULSOUP", selector: "td.close > span", is_active: false })
          const rate = yield* call(() =>
            admin.configuration.createExchangeRateSource({
              payload: {
                name: "Rates",
                url: "https://rates.example/eur",
                base_currency: "EUR",
                quote_currency: "CNY",
                selector: "rates.CNY",
                interval_seconds: 600
              }
            })
          )
          assert.deepInclude(rate, { selector: "rates.CNY", interval_seconds: 600 })
          const same = yield* failure(() =>
            admin.configuration.createExchangeRateSource({
              payload: {
                name: "Same",
                url: "https://x.example",
                base_currency: "EUR",
                quote_currency: "EUR",
                selector: "r"
              }
            })
          )
          assert.strictEqual(same.status, 400)
          assert.deepStrictEqual(
            (yield* call(() => admin.configuration.listExchangeRateSources({ query: {} }))).data.map((row) => row.id),
            [rate.id]
          )
          const alpha = yield* clientAtNda(server, "ines@alpha-config.example", "Alpha Config GmbH")
          assert.strictEqual(
            (yield* failure(() => alpha.client.configuration.listMailConfigs({ query: {} }))).status,
            403
          )
          const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
          assert.strictEqual(
            (yield* failure(() => anonymous.configuration.listScrapingSources({ query: {} }))).status,
            401
          )
        }))
    })
  })
}

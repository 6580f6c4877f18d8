import { assert, describe, it, layer } from "@effect/vitest"
import { PromiseClient } from "@niha/sdk"
import { Idempotency } from "@niha/server"
import * as Effect from "effect/Effect"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Schema from "effect/Schema"
import { DeadlockError, SqlError } from "effect/sql/SqlError"
import { mailTo } from "./support/Onboarding.ts"
import * as TestServer from "./support/TestServer.ts"

const backend = TestServer.quickBackend

const raw = (url: string, init: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const json = await response.json() as { readonly code?: string; readonly field?: string }
    return { status: response.status, headers: response.headers, json }
  })

const contact = (email: string) => ({
  entity_name: "Idem Power SA",
  contact_email: email,
  contact_first_name: "Ida",
  contact_last_name: "Meyer",
  jurisdiction: "EU"
})

describe("Idempotency.fingerprint", () => {
  it("is the same for the same input in any key order, and differs otherwise", () => {
    const a = Idempotency.fingerprint("admin.createStaff", { email: "a@b.co", role: "MM" })
    assert.strictEqual(a, Idempotency.fingerprint("admin.createStaff", { role: "MM", email: "a@b.co" }))
    assert.notStrictEqual(a, Idempotency.fingerprint("admin.createStaff", { role: "ADMIN", email: "a@b.co" }))
    assert.notStrictEqual(a, Idempotency.fingerprint("onboarding.submit", { email: "a@b.co", role: "MM" }))
    assert.match(a, /^[0-9a-f]{64}$/)
  })
})

describe.skipIf(TestServer.skipReasonOf(backend) !== undefined)(`idempotent requests [${backend}]`, () => {
  layer(TestServer.layer(backend), { excludeTestServices: true, timeout: "120 seconds" })((it) => {
    it.effect("runs a keyed request once, replays its answer, and refuses the key for another request", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const post = (key: string, body: object) =>
          raw(`${server.baseUrl}/contact-requests`, {
            method: "POST",
            headers: { "content-type": "application/json", "idempotency-key": key },
            body: JSON.stringify(body)
          })
        const first = yield* post("req-7f3a", contact("ida@idem.example"))
        const again = yield* post("req-7f3a", contact("ida@idem.example"))
        assert.strictEqual(first.status, 202)
        assert.strictEqual(again.status, 202)
        assert.deepStrictEqual(again.json, first.json)
        assert.isNull(first.headers.get("idempotent-replayed"))
        assert.strictEqual(again.headers.get("idempotent-replayed"), "true")
        const other = yield* post("req-7f3a", contact("someone.else@idem.example"))
        assert.strictEqual(other.status, 409)
        assert.strictEqual(other.json.code, "idempotency_key_reused")
        assert.strictEqual(other.json.field, "Idempotency-Key")
        const malformed = yield* post("has spaces", contact("ida@idem.example"))
        assert.strictEqual(malformed.status, 400)
        assert.strictEqual(malformed.json.field, "idempotency-key")

        // One contact request was made, whatever the repetitions.
        const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
        const session = yield* Effect.promise(() =>
          anonymous.auth.login({ payload: { email: server.admin.email, password: server.admin.password } })
        )
        const admin = PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: session.token })
        const listed = yield* Effect.promise(() => admin.admin.listContactRequests({ query: {} }))
        assert.deepStrictEqual(listed.data.map((request) => request.contact_email), ["ida@idem.example"])

        // Through the SDK: a repeated conversion returns the same entity and sends one invitation.
        const id = listed.data[0]?.id
        if (id === undefined) return assert.fail("no contact request")
        const headers = { "idempotency-key": "convert-ida" }
        const converted = yield* Effect.promise(() => admin.admin.convertContactRequest({ params: { id }, headers }))
        const repeated = yield* Effect.promise(() => admin.admin.convertContactRequest({ params: { id }, headers }))
        assert.strictEqual(repeated.entity.id, converted.entity.id)
        assert.strictEqual(repeated.user.id, converted.user.id)
        yield* mailTo(server, "ida@idem.example")
        assert.strictEqual(server.mails.filter((mail) => mail.to === "ida@idem.example").length, 1)
        // A key is its caller's: the same key from another caller is another request.
        const fresh = yield* Effect.promise(() =>
          admin.admin.createStaff({
            payload: { email: "staff@idem.example", first_name: "Sam", last_name: "Ode", role: "MM" },
            headers: { "idempotency-key": "req-7f3a" }
          })
        )
        assert.strictEqual(fresh.role, "MM")
      }))
  })
})

describe.skipIf(TestServer.skipReasonOf("postgres") !== undefined)("Idempotency.once and retryable failures", () => {
  layer(TestServer.layer("postgres"), { excludeTestServices: true, timeout: "120 seconds" })((it) => {
    // Found by the soak suite: a deadlock in an admin adjustment was answered 500, because
    // `ErrorHandling.answer` had made it a defect that the retrying transaction let through.
    it.effect("runs a keyed request again after a deadlock its handler turned into a defect", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const deadlock = new SqlError({
          reason: new DeadlockError({
            cause: Object.assign(new Error("deadlock detected"), { code: "40P01" }),
            message: "deadlock detected",
            operation: "query"
          })
        })
        let runs = 0
        const answer = yield* Idempotency.once(
          { key: "deadlocked-once", principal: "soak", endpoint: "test.retry", input: {}, success: Schema.String },
          Effect.suspend(() => ++runs === 1 ? Effect.die(deadlock) : Effect.succeed("applied"))
        ).pipe(
          Effect.provide(server.database),
          Effect.provideService(
            HttpServerRequest.HttpServerRequest,
            HttpServerRequest.fromWeb(new Request("http://x/"))
          )
        )
        assert.strictEqual(answer, "applied")
        assert.strictEqual(runs, 2)
        // Any other defect is still a defect, run once.
        let others = 0
        const exit = yield* Effect.exit(
          Idempotency.once(
            { key: "broken-once", principal: "soak", endpoint: "test.retry", input: {}, success: Schema.String },
            Effect.suspend(() => {
              others++
              return Effect.die(new Error("a bug"))
            })
          ).pipe(
            Effect.provide(server.database),
            Effect.provideService(
              HttpServerRequest.HttpServerRequest,
              HttpServerRequest.fromWeb(new Request("http://x/"))
            )
          )
        )
        assert.isTrue(exit._tag === "Failure")
        assert.strictEqual(others, 1)
      }))
  })
})

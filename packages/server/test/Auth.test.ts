import { assert, describe, layer } from "@effect/vitest"
import { Api, PromiseClient } from "@niha/sdk"
import { Auth } from "@niha/server"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { adminOf, call, clientAtNda, failure, staffWithPassword, strongPassword } from "./support/Clients.ts"
import { form, mailTo, pdf, tokenOf } from "./support/Onboarding.ts"
import * as TestServer from "./support/TestServer.ts"

const backend = TestServer.quickBackend
const live = { excludeTestServices: true, timeout: "120 seconds" } as const

const raw = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    return { status: response.status, headers: response.headers, json: text === "" ? undefined : JSON.parse(text) }
  })

/** A client company converted and signed in, at stage KYC with one document uploaded. */
const clientAtKyc = (server: TestServer.Running, email: string, company: string) =>
  Effect.gen(function*() {
    const { client, entity, token } = yield* clientAtNda(server, email, company)
    yield* call(() =>
      client.kyc.signNda({ payload: form({ bytes: pdf("nda"), name: "nda.pdf", type: "application/pdf" }) })
    )
    const document = yield* call(() =>
      client.kyc.uploadDocument({
        payload: form(
          { bytes: pdf(`${company} registration`), name: "reg.pdf", type: "application/pdf" },
          "REGISTRATION"
        )
      })
    )
    return { client, token, entity, document }
  })

describe.skipIf(TestServer.skipReasonOf(backend) !== undefined)(`auth and access [${backend}]`, () => {
  layer(TestServer.layer(backend), live)((it) => {
    it.effect("answers a wrong password and an unknown email alike, and records both", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
        const wrong = yield* failure(() =>
          anonymous.auth.login({ payload: { email: server.admin.email, password: "not the password at all" } })
        )
        const unknown = yield* failure(() =>
          anonymous.auth.login({ payload: { email: "nobody@niha.test", password: "not the password at all" } })
        )
        for (const error of [wrong, unknown]) {
          assert.instanceOf(error, PromiseClient.AuthenticationError)
          assert.strictEqual(error.status, 401)
          assert.strictEqual(error.code, "invalid_credentials")
        }
        assert.strictEqual(wrong.message, unknown.message)
      }))

    it.effect("sets the session as a __Host- cookie that authenticates a browser", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const login = yield* raw(`${server.baseUrl}/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: server.admin.email, password: server.admin.password })
        })
        assert.strictEqual(login.status, 200)
        const cookie = login.headers.get("set-cookie") ?? ""
        assert.match(cookie, /^__Host-niha_session=nihs_[A-Za-z0-9_-]{43};/)
        for (const attribute of ["Path=/", "HttpOnly", "Secure", "SameSite=Strict"]) assert.include(cookie, attribute)
        const pair = cookie.split(";")[0] ?? ""
        const me = yield* raw(`${server.baseUrl}/account`, { headers: { cookie: pair } })
        assert.strictEqual(me.status, 200)
        assert.strictEqual(me.json.authenticated_by, "session")
        const none = yield* raw(`${server.baseUrl}/account`)
        assert.strictEqual(none.status, 401)
        assert.strictEqual(none.json.code, "unauthenticated")
      }))

    it.effect("locks an email after five failures, even for the right password, and not others", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const staff = yield* staffWithPassword(server, "locked@niha.test")
        const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
        for (let attempt = 0; attempt < 5; attempt++) {
          const error = yield* failure(() =>
            anonymous.auth.login({ payload: { email: staff.email, password: `wrong password ${attempt}` } })
          )
          assert.strictEqual(error.code, "invalid_credentials")
        }
        const locked = yield* raw(`${server.baseUrl}/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: staff.email, password: strongPassword })
        })
        assert.strictEqual(locked.status, 429)
        assert.strictEqual(locked.json.code, "account_locked")
        const retryAfter = Number(locked.headers.get("retry-after"))
        assert.isTrue(retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}`)
        assert.strictEqual(locked.json.details.retry_after_seconds, retryAfter)
        // Another user is not affected.
        const admin = yield* call(() =>
          anonymous.auth.login({ payload: { email: server.admin.email, password: server.admin.password } })
        )
        assert.strictEqual(admin.user.role, "ADMIN")
      }))

    it.effect("sends a magic link only to known users, and a link works once", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
        const before = server.mails.length
        const unknown = yield* call(() => anonymous.auth.requestMagicLink({ payload: { email: "ghost@niha.test" } }))
        assert.strictEqual(unknown.status, "sent")
        const known = yield* call(() => anonymous.auth.requestMagicLink({ payload: { email: server.admin.email } }))
        assert.strictEqual(known.status, "sent")
        const mail = yield* mailTo(server, server.admin.email, (subject) => subject.includes("sign-in"), before)
        assert.isFalse(server.mails.slice(before).some((sent) => sent.to === "ghost@niha.test"))
        const token = tokenOf(mail.text)
        const session = yield* call(() => anonymous.auth.redeemMagicLink({ payload: { token } }))
        assert.strictEqual(session.user.email, server.admin.email)
        const reused = yield* failure(() => anonymous.auth.redeemMagicLink({ payload: { token } }))
        assert.strictEqual(reused.status, 401)
        assert.strictEqual(reused.code, "invalid_link")
        const forged = yield* failure(() =>
          anonymous.auth.redeemMagicLink({ payload: { token: `nihm_${"A".repeat(43)}` } })
        )
        assert.strictEqual(forged.code, "invalid_link")
      }))

    it.effect("ends a session at logout, and every session at logout everywhere", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const first = yield* adminOf(server)
        const second = yield* adminOf(server)
        const sessions = yield* call(() => second.client.account.listSessions({ query: {} }))
        const current = sessions.data.filter((session) => session.current)
        assert.deepStrictEqual(current.map((session) => session.id), [second.session.session_id])
        yield* call(() => first.client.account.logout())
        const ended = yield* failure(() => first.client.account.me())
        assert.strictEqual(ended.code, "unauthenticated")
        assert.strictEqual((yield* call(() => second.client.account.me())).user.role, "ADMIN")
        const third = yield* adminOf(server)
        const revoked = yield* call(() => second.client.account.logoutEverywhere())
        assert.isAtLeast(revoked.revoked_sessions, 2)
        for (const client of [second.client, third.client]) {
          assert.strictEqual((yield* failure(() => client.account.me())).status, 401)
        }
      }))

    it.effect("authenticates programs with API keys until they are revoked", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const admin = yield* adminOf(server)
        const created = yield* call(() =>
          admin.client.account.createApiKey({ payload: { name: "reporting job", expires_in_days: 30 } })
        )
        assert.match(created.secret, /^nihk_/)
        assert.isTrue(created.secret.startsWith(created.api_key.display))
        const program = PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: created.secret })
        const me = yield* call(() => program.account.me())
        assert.strictEqual(me.authenticated_by, "api_key")
        const listed = yield* call(() => admin.client.account.listApiKeys({ query: {} }))
        assert.include(listed.data.map((key) => key.id), created.api_key.id)
        assert.notInclude(JSON.stringify(listed), created.secret)
        yield* call(() => admin.client.account.revokeApiKey({ params: { id: created.api_key.id } }))
        assert.strictEqual((yield* failure(() => program.account.me())).code, "unauthenticated")
        const again = yield* failure(() => admin.client.account.revokeApiKey({ params: { id: created.api_key.id } }))
        assert.strictEqual(again.status, 404)
      }))

    it.effect("refuses a weak new password naming the field, and a wrong current one", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const admin = yield* adminOf(server)
        const weak = yield* failure(() =>
          admin.client.account.changePassword({
            payload: { current_password: server.admin.password, new_password: "password1234" }
          })
        )
        assert.strictEqual(weak.status, 400)
        assert.strictEqual(weak.code, "weak_password")
        assert.strictEqual(weak.field, "new_password")
        const short = yield* failure(() =>
          admin.client.account.changePassword({
            payload: { current_password: server.admin.password, new_password: "short" }
          })
        )
        assert.strictEqual(short.code, "weak_password")
        const wrong = yield* failure(() =>
          admin.client.account.changePassword({
            payload: { current_password: "certainly not it", new_password: strongPassword }
          })
        )
        assert.strictEqual(wrong.code, "invalid_credentials")
        assert.strictEqual(wrong.field, "current_password")
        // Nothing changed: the printed password still signs in.
        yield* adminOf(server)
      }))

    it.effect("ends every other session when the password changes", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const staff = yield* staffWithPassword(server, "rotate@niha.test")
        const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
        const other = yield* call(() =>
          anonymous.auth.login({ payload: { email: staff.email, password: strongPassword } })
        )
        const elsewhere = PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: other.token })
        assert.strictEqual((yield* call(() => elsewhere.account.me())).user.email, staff.email)
        const changed = yield* call(() =>
          staff.client.account.changePassword({
            payload: { current_password: strongPassword, new_password: "another long and unusual passphrase 17" }
          })
        )
        assert.isAtLeast(changed.revoked_sessions, 1)
        assert.strictEqual((yield* failure(() => elsewhere.account.me())).code, "unauthenticated")
        assert.strictEqual((yield* call(() => staff.client.account.me())).user.email, staff.email)
        const old = yield* failure(() =>
          anonymous.auth.login({ payload: { email: staff.email, password: strongPassword } })
        )
        assert.strictEqual(old.code, "invalid_credentials")
      }))

    it.effect("keeps each entity's documents to itself, and admin endpoints to admins", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const a = yield* clientAtKyc(server, "lea@alpha.example", "Alpha Carbon SA")
        const b = yield* clientAtKyc(server, "lea@beta.example", "Beta Carbon SA")
        const own = yield* call(() => a.client.kyc.getDocument({ params: { id: a.document.id } }))
        assert.strictEqual(own.entity_id, a.entity.id)
        for (
          const attempt of [
            () => b.client.kyc.getDocument({ params: { id: a.document.id } }),
            () => b.client.kyc.downloadDocument({ params: { id: a.document.id } })
          ]
        ) {
          const error = yield* failure(attempt)
          assert.instanceOf(error, PromiseClient.NotFoundError)
          assert.strictEqual(error.code, "not_found")
        }
        const listed = yield* call(() => b.client.kyc.listDocuments({ query: {} }))
        assert.deepStrictEqual(listed.data.map((document) => document.id), [b.document.id])
        const content = yield* call(() => a.client.kyc.downloadDocument({ params: { id: a.document.id } }))
        assert.include(new TextDecoder().decode(content), "Alpha Carbon SA registration")
        const forbidden = yield* failure(() => a.client.admin.approveDocument({ params: { id: a.document.id } }))
        assert.instanceOf(forbidden, PromiseClient.PermissionError)
        assert.strictEqual(forbidden.code, "not_permitted")
        const listing = yield* failure(() => b.client.admin.listContactRequests({ query: {} }))
        assert.strictEqual(listing.status, 403)
        // Nothing changed: the document still awaits review.
        const admin = yield* adminOf(server)
        const file = yield* call(() => admin.client.admin.getKycFile({ params: { id: a.entity.id } }))
        assert.deepStrictEqual(file.documents.map((document) => document.status), ["PENDING"])
      }))

    it.effect("refuses a KYC upload from a user still at the NDA stage", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const admin = yield* adminOf(server)
        const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
        const { id } = yield* call(() =>
          anonymous.onboarding.submitContactRequest({
            payload: {
              entity_name: "Gamma GmbH",
              contact_email: "ops@gamma.example",
              contact_first_name: "Ole",
              contact_last_name: "Berg",
              jurisdiction: "OTHER"
            }
          })
        )
        yield* call(() => admin.client.admin.convertContactRequest({ params: { id } }))
        const again = yield* failure(() => admin.client.admin.convertContactRequest({ params: { id } }))
        assert.strictEqual(again.code, "invalid_transition")
        const invitation = yield* mailTo(server, "ops@gamma.example")
        const session = yield* call(() =>
          anonymous.auth.redeemMagicLink({ payload: { token: tokenOf(invitation.text) } })
        )
        const client = PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: session.token })
        const refused = yield* failure(() =>
          client.kyc.uploadDocument({
            payload: form({ bytes: pdf("id"), name: "id.pdf", type: "application/pdf" }, "ID")
          })
        )
        assert.strictEqual(refused.status, 403)
        assert.strictEqual(refused.code, "not_permitted")
      }))
  })
})

describe.skipIf(TestServer.skipReasonOf(backend) !== undefined)(
  `short-lived links and tight throttles [${backend}]`,
  () => {
    layer(
      TestServer.layer(backend, {
        authPolicy: { ...Auth.defaultPolicy, magicLinkLifetime: Duration.zero },
        limits: {
          loginsPerAddress: { limit: 3, window: "1 minute" },
          linksPerAddress: { limit: 30, window: "1 minute" },
          linksPerEmail: { limit: 1, window: "1 minute" },
          contactRequestsPerAddress: { limit: 1, window: "1 minute" }
        }
      }),
      live
    )((it) => {
      it.effect("refuses an expired link", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
          const before = server.mails.length
          yield* call(() => anonymous.auth.requestMagicLink({ payload: { email: server.admin.email } }))
          const mail = yield* mailTo(server, server.admin.email, () => true, before)
          const expired = yield* failure(() =>
            anonymous.auth.redeemMagicLink({ payload: { token: tokenOf(mail.text) } })
          )
          assert.strictEqual(expired.code, "invalid_link")
        }))

      it.effect("throttles logins per address, link requests per email and contact requests", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
          for (let attempt = 0; attempt < 3; attempt++) {
            yield* call(() =>
              anonymous.auth.login({ payload: { email: server.admin.email, password: server.admin.password } })
            )
          }
          const throttled = yield* failure(() =>
            anonymous.auth.login({ payload: { email: server.admin.email, password: server.admin.password } })
          )
          assert.instanceOf(throttled, PromiseClient.RateLimitError)
          assert.strictEqual(throttled.code, "rate_limited")
          assert.isAbove((throttled as PromiseClient.RateLimitError).retryAfterSeconds ?? 0, 0)
          yield* call(() => anonymous.auth.requestMagicLink({ payload: { email: "someone@niha.test" } }))
          const links = yield* failure(() =>
            anonymous.auth.requestMagicLink({ payload: { email: "someone@niha.test" } })
          )
          assert.strictEqual(links.code, "rate_limited")
          const contact = {
            entity_name: "Delta AB",
            contact_email: "info@delta.example",
            contact_first_name: "Eva",
            contact_last_name: "Lind",
            jurisdiction: "EU" as const
          }
          yield* call(() => anonymous.onboarding.submitContactRequest({ payload: contact }))
          const second = yield* failure(() => anonymous.onboarding.submitContactRequest({ payload: contact }))
          assert.strictEqual(second.status, 429)
        }))
    })
  }
)

describe.skipIf(TestServer.skipReasonOf(backend) !== undefined)(`idle sessions [${backend}]`, () => {
  layer(TestServer.layer(backend, { authPolicy: { ...Auth.defaultPolicy, idleTimeout: Duration.zero } }), live)(
    (it) => {
      it.effect("ends a session after its idle timeout", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
          const session = yield* call(() =>
            anonymous.auth.login({ payload: { email: server.admin.email, password: server.admin.password } })
          )
          assert.strictEqual(session.idle_timeout_minutes, 0)
          const idle = PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: session.token })
          assert.strictEqual((yield* failure(() => idle.account.me())).code, "unauthenticated")
        }))
    }
  )
})

describe.skipIf(TestServer.skipReasonOf(backend) !== undefined)(`input validation [${backend}]`, () => {
  layer(TestServer.layer(backend), live)((it) => {
    it.effect("answers every endpoint's malformed input with a 400 naming the field", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const admin = yield* adminOf(server)
        const headers = { authorization: `Bearer ${admin.session.token}` }
        let checked = 0
        for (const group of Object.values(Api.Api.groups)) {
          for (const endpoint of Object.values(group.endpoints)) {
            const name = `${group.identifier}.${endpoint.identifier}`
            const path = endpoint.path.replaceAll(":id", "00000000-0000-4000-8000-000000000000")
            const probes: Array<{ readonly url: string; readonly init: RequestInit; readonly what: string }> = []
            if (endpoint.params !== undefined) {
              probes.push({
                what: "a malformed path id",
                url: `${server.baseUrl}${endpoint.path.replaceAll(":id", "not-a-uuid")}`,
                init: { method: endpoint.method, headers }
              })
            }
            if (endpoint.query !== undefined) {
              probes.push({
                what: "a page size of 0",
                url: `${server.baseUrl}${path}?limit=0`,
                init: { method: endpoint.method, headers }
              })
            }
            if (endpoint.payload.size > 0 && endpoint.method !== "GET") {
              const multipart = [...endpoint.payload.keys()].some((type) => type.includes("multipart"))
              probes.push({
                what: "a body without its required fields",
                url: `${server.baseUrl}${path}`,
                init: multipart ?
                  { method: endpoint.method, headers, body: new FormData() } :
                  { method: endpoint.method, headers: { ...headers, "content-type": "application/json" }, body: "{}" }
              })
            }
            for (const probe of probes) {
              const answer = yield* raw(probe.url, probe.init)
              assert.strictEqual(answer.status, 400, `${name} with ${probe.what}: ${JSON.stringify(answer.json)}`)
              assert.strictEqual(answer.json.code, "validation_failed", name)
              assert.isString(answer.json.field, `${name} names the field`)
              assert.notStrictEqual(answer.json.field, "", `${name} names the field`)
              checked++
            }
          }
        }
        assert.isAtLeast(checked, 30)
      }))
  })
})

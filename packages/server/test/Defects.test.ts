/**
 * The defects a new user and an attacker found (issue #12), each pinned by a test that
 * failed before its fix: 500s from client input, cookie and lock-out mistakes, API keys
 * that outlived their parent, an upload limit the body limit contradicted, and an API
 * description looser than the server.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Onboarding } from "@niha/domain"
import { PromiseClient } from "@niha/sdk"
import { Access, Auth } from "@niha/server"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { adminOf, call, clientAtNda, failure, staffWithPassword, strongPassword } from "./support/Clients.ts"
import { form, mailTo, pdf, tokenOf } from "./support/Onboarding.ts"
import * as TestServer from "./support/TestServer.ts"

const backend = TestServer.quickBackend
const live = { excludeTestServices: true, timeout: "120 seconds" } as const
interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a probe reads any JSON body
  readonly json: any
}

const raw = (url: string, init?: RequestInit) =>
  Effect.promise(async (): Promise<Answer> => {
    const response = await fetch(url, init)
    const text = await response.text()
    const json = (response.headers.get("content-type") ?? "").includes("json") && text !== "" ?
      JSON.parse(text) :
      undefined
    return { status: response.status, headers: response.headers, text, json }
  })

const postJson = (url: string, body: string, headers: Record<string, string> = {}) =>
  raw(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body })

/** A PDF of `size` bytes. */
const pdfOfSize = (size: number): Uint8Array => {
  const bytes = new Uint8Array(size).fill(0x20)
  bytes.set(pdf("large scan"))
  return bytes
}

describe.skipIf(TestServer.skipReasonOf(backend) !== undefined)(`defects found by a new user [${backend}]`, () => {
  layer(TestServer.layer(backend), live)((it) => {
    it.effect("answers text PostgreSQL cannot store (a NUL) with a 400 naming the field", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const admin = yield* adminOf(server)
        const probes = [
          { path: "/auth/login", body: { email: "a\u0000b@example.com", password: "xxxxxxxxxxxx" }, field: "email" },
          { path: "/auth/magic-links", body: { email: "a\u0000b@example.com" }, field: "email" },
          {
            path: "/contact-requests",
            body: {
              entity_name: "Nul\u0000 Energy",
              contact_email: "nul@example.com",
              contact_first_name: "N",
              contact_last_name: "U",
              jurisdiction: "EU"
            },
            field: "entity_name"
          },
          { path: "/account/api-keys", body: { name: "key\u0000" }, field: "name" }
        ]
        for (const probe of probes) {
          const answer = yield* postJson(`${server.baseUrl}${probe.path}`, JSON.stringify(probe.body), {
            authorization: `Bearer ${admin.session.token}`
          })
          assert.strictEqual(answer.status, 400, `${probe.path}: ${answer.text}`)
          assert.strictEqual(answer.json.code, "validation_failed", probe.path)
          assert.strictEqual(answer.json.field, probe.field, probe.path)
        }
      }))

    it.effect("answers a malformed multipart body with a 400, for clients and admins", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const client = yield* clientAtNda(server, "ines@multipart.example", "Multipart Energy BV")
        const bodies: ReadonlyArray<{ readonly contentType: string; readonly body: string; readonly what: string }> = [
          {
            what: "a boundary the body does not use",
            contentType: "multipart/form-data; boundary=AAA",
            body: "--BBB\r\n\r\n--BBB--\r\n"
          },
          { what: "no boundary", contentType: "multipart/form-data", body: "--BBB\r\n\r\n--BBB--\r\n" },
          {
            what: "a quote inside a filename",
            contentType: "multipart/form-data; boundary=XYZ",
            body: "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"b.pdf\"\r\n" +
              "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n%%EOF\n\r\n--XYZ--\r\n"
          },
          {
            what: "a NUL inside a filename",
            contentType: "multipart/form-data; boundary=XYZ",
            body: "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\u0000b.pdf\"\r\n" +
              "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n%%EOF\n\r\n--XYZ--\r\n"
          },
          { what: "a truncated part", contentType: "multipart/form-data; boundary=XYZ", body: "--XYZ\r\nContent-Di" }
        ]
        for (const token of [client.token, client.admin.session.token]) {
          for (const path of ["/kyc/nda", "/kyc/documents"]) {
            for (const probe of bodies) {
              const answer = yield* raw(`${server.baseUrl}${path}`, {
                method: "POST",
                headers: { authorization: `Bearer ${token}`, "content-type": probe.contentType },
                body: probe.body
              })
              assert.isTrue(
                answer.status >= 400 && answer.status < 500,
                `${path} with ${probe.what}: ${answer.status} ${answer.text}`
              )
              assert.isString(answer.json?.code, `${path} with ${probe.what} has an error body`)
            }
          }
        }
        // Nothing was stored: the client is still at NDA.
        assert.strictEqual((yield* call(() => client.client.account.me())).user.role, "NDA")
      }))

    it.effect("accepts an upload up to the documented limit, past the general body limit", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const client = yield* clientAtNda(server, "ines@large.example", "Large Scan Energy BV")
        const large = pdfOfSize(2 * 1000 * 1000)
        const signed = yield* call(() =>
          client.client.kyc.signNda({ payload: form({ bytes: large, name: "nda.pdf", type: "application/pdf" }) })
        )
        assert.strictEqual(signed.role, "KYC")
        const tooLarge = yield* failure(() =>
          client.client.kyc.uploadDocument({
            payload: form(
              { bytes: pdfOfSize(Onboarding.maxDocumentBytes + 1024), name: "id.pdf", type: "application/pdf" },
              "ID"
            )
          })
        )
        assert.strictEqual(tooLarge.status, 413)
        // Other endpoints keep the general limit.
        const body = JSON.stringify({ email: "x@example.com", password: "y".repeat(2 * 1024 * 1024) })
        const answer = yield* postJson(`${server.baseUrl}/auth/login`, body)
        assert.strictEqual(answer.status, 413)
      }))

    it.effect("sends the session cookie for the session's lifetime, in seconds", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const login = yield* postJson(
          `${server.baseUrl}/auth/login`,
          JSON.stringify({ email: server.admin.email, password: server.admin.password })
        )
        assert.strictEqual(login.status, 200)
        const cookie = login.headers.get("set-cookie") ?? ""
        assert.include(cookie, `Max-Age=${Duration.toSeconds(Auth.defaultPolicy.sessionLifetime)}`)
      }))

    it.effect("does not let an API key manage keys, sessions or the password", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const staff = yield* staffWithPassword(server, "keys@niha.test")
        const parent = yield* call(() => staff.client.account.createApiKey({ payload: { name: "parent" } }))
        const program = PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: parent.secret })
        const attempts: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
          ["createApiKey", () => program.account.createApiKey({ payload: { name: "child" } })],
          ["revokeApiKey", () => program.account.revokeApiKey({ params: { id: parent.api_key.id } })],
          ["logoutEverywhere", () => program.account.logoutEverywhere()],
          ["changePassword", () =>
            program.account.changePassword({
              payload: { current_password: strongPassword, new_password: "yet another unusual passphrase 55" }
            })]
        ]
        for (const [name, attempt] of attempts) {
          const refused = yield* failure(attempt)
          assert.strictEqual(refused.status, 403, name)
          assert.strictEqual(refused.code, "session_required", name)
        }
        // The key still works for what it may do, and the person's session is untouched.
        assert.strictEqual((yield* call(() => program.account.me())).authenticated_by, "api_key")
        assert.strictEqual((yield* call(() => staff.client.account.me())).authenticated_by, "session")
        const keys = yield* call(() => staff.client.account.listApiKeys({ query: {} }))
        assert.deepStrictEqual(keys.data.map((key) => key.name), ["parent"])
      }))

    it.effect("does not count wrong current passwords toward the login lock, and throttles them", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const staff = yield* staffWithPassword(server, "rotate-wrong@niha.test")
        const codes: Array<string> = []
        for (let attempt = 0; attempt < 8; attempt++) {
          const error = yield* failure(() =>
            staff.client.account.changePassword({
              payload: { current_password: `not it ${attempt}`, new_password: "yet another unusual passphrase 55" }
            })
          )
          codes.push(error.code)
        }
        // Setting the first password spent one of the session's five changes.
        assert.deepStrictEqual(codes.slice(0, 4), Array(4).fill("invalid_credentials"))
        assert.deepStrictEqual(codes.slice(4), Array(4).fill("rate_limited"))
        // The login is not locked by them.
        const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
        const session = yield* call(() =>
          anonymous.auth.login({ payload: { email: staff.email, password: strongPassword } })
        )
        assert.strictEqual(session.user.email, staff.email)
      }))

    it.effect("serves the sign-in page that mails link to", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const before = server.mails.length
        const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
        yield* call(() => anonymous.auth.requestMagicLink({ payload: { email: server.admin.email } }))
        const mail = yield* mailTo(server, server.admin.email, () => true, before)
        const link = /https?:\/\/\S+\/sign-in\?token=\S+/.exec(mail.text)?.[0]
        assert.isString(link, mail.text)
        const page = yield* raw(link ?? "")
        assert.strictEqual(page.status, 200)
        assert.include(page.headers.get("content-type") ?? "", "text/html")
        assert.include(page.text, "/auth/magic-links/redeem")
        assert.include(page.headers.get("content-security-policy") ?? "", "default-src 'none'")
        assert.strictEqual(page.headers.get("referrer-policy"), "no-referrer")
        // The page itself does not spend the token: the API redeems it once.
        const session = yield* call(() => anonymous.auth.redeemMagicLink({ payload: { token: tokenOf(mail.text) } }))
        assert.strictEqual(session.user.email, server.admin.email)
      }))

    it.effect("marks authenticated answers no-store and every answer nosniff", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const admin = yield* adminOf(server)
        const me = yield* raw(`${server.baseUrl}/account`, {
          headers: { authorization: `Bearer ${admin.session.token}` }
        })
        assert.strictEqual(me.status, 200)
        assert.strictEqual(me.headers.get("cache-control"), "no-store")
        assert.strictEqual(me.headers.get("x-content-type-options"), "nosniff")
        const health = yield* raw(`${server.baseUrl}/health`)
        assert.strictEqual(health.headers.get("x-content-type-options"), "nosniff")
      }))

    it.effect("hides the storage key of documents", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const client = yield* clientAtNda(server, "ines@storage.example", "Storage Energy BV")
        yield* call(() =>
          client.client.kyc.signNda({ payload: form({ bytes: pdf("nda"), name: "nda.pdf", type: "application/pdf" }) })
        )
        const document = yield* raw(`${server.baseUrl}/kyc/documents`, {
          method: "POST",
          headers: { authorization: `Bearer ${client.token}` },
          body: form({ bytes: pdf("id"), name: "id.pdf", type: "application/pdf" }, "ID")
        })
        assert.strictEqual(document.status, 201, document.text)
        assert.notProperty(document.json, "storage_key")
        const file = yield* raw(`${server.baseUrl}/admin/entities/${client.entity.id}/kyc`, {
          headers: { authorization: `Bearer ${client.admin.session.token}` }
        })
        assert.notInclude(file.text, "storage_key")
      }))

    it.effect("approves an entity only once its complete file is submitted", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const client = yield* clientAtNda(server, "ines@submit.example", "Submit Energy BV")
        yield* call(() =>
          client.client.kyc.signNda({ payload: form({ bytes: pdf("nda"), name: "nda.pdf", type: "application/pdf" }) })
        )
        for (const type of Onboarding.requiredDocuments) {
          const document = yield* call(() =>
            client.client.kyc.uploadDocument({
              payload: form({ bytes: pdf(type), name: `${type}.pdf`, type: "application/pdf" }, type)
            })
          )
          yield* call(() => client.admin.client.admin.approveDocument({ params: { id: document.id } }))
        }
        const early = yield* failure(() =>
          client.admin.client.admin.approveEntity({ params: { id: client.entity.id } })
        )
        assert.strictEqual(early.status, 409)
        assert.strictEqual(early.code, "kyc_not_submitted")
        assert.strictEqual((yield* call(() => client.client.account.me())).user.role, "KYC")
        yield* call(() => client.client.kyc.submit())
        yield* call(() => client.admin.client.admin.approveEntity({ params: { id: client.entity.id } }))
        const me = yield* call(() => client.client.account.me())
        assert.strictEqual(me.user.role, "APPROVED")
        // No capability is promised that the server has no endpoint for yet.
        for (const action of me.capabilities) assert.isTrue(Access.servedActions.has(action), action)
        // An APPROVED company funds its account before it may trade.
        assert.notInclude(me.capabilities, "place_cea_order")
        const approval = server.mails.filter((mail) => mail.to === "ines@submit.example").at(-1)
        assert.notMatch(approval?.text ?? "", /deposit/i)
      }))

    it.effect("answers a known path with an unknown method 405 naming the allowed ones", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const trace = yield* raw(`${server.baseUrl}/health`, { method: "PUT" })
        assert.strictEqual(trace.status, 405)
        assert.strictEqual(trace.json.code, "method_not_allowed")
        assert.strictEqual(trace.headers.get("allow"), "GET, HEAD")
        // HEAD, which Allow names beside GET, is answered.
        assert.strictEqual((yield* raw(`${server.baseUrl}/health`, { method: "HEAD" })).status, 200)
        const kyc = yield* raw(`${server.baseUrl}/kyc/documents/00000000-0000-4000-8000-000000000000`, {
          method: "DELETE"
        })
        assert.strictEqual(kyc.status, 405)
        assert.strictEqual(kyc.headers.get("allow"), "GET, HEAD")
        const unknown = yield* raw(`${server.baseUrl}/nowhere`, { method: "DELETE" })
        assert.strictEqual(unknown.status, 404)
      }))
  })
})

describe.skipIf(TestServer.skipReasonOf(backend) !== undefined)(`a lock that ends on time [${backend}]`, () => {
  const lockoutDuration = Duration.seconds(3)
  layer(
    TestServer.layer(backend, { authPolicy: { ...Auth.defaultPolicy, lockoutThreshold: 3, lockoutDuration } }),
    live
  )((it) => {
    it.effect("ends the lock at a fixed time however many attempts arrive, and says how to get in", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const staff = yield* staffWithPassword(server, "victim@niha.test")
        const attempt = (password: string) =>
          postJson(`${server.baseUrl}/auth/login`, JSON.stringify({ email: staff.email, password }))
        for (let i = 0; i < 3; i++) assert.strictEqual((yield* attempt(`wrong ${i}`)).status, 401)
        const lockedAt = Date.now()
        const first = yield* attempt("wrong again")
        assert.strictEqual(first.status, 429)
        assert.include(first.json.message, "magic link")
        // An attacker keeps trying through the lock...
        while (Date.now() - lockedAt < Duration.toMillis(lockoutDuration) - 500) {
          const locked = yield* attempt("still wrong")
          assert.strictEqual(locked.status, 429)
          yield* Effect.sleep("200 millis")
        }
        // ...and the owner gets in once the lock ends, at the time first announced.
        yield* Effect.sleep(Duration.millis(lockedAt + Duration.toMillis(lockoutDuration) + 300 - Date.now()))
        const owner = yield* attempt(strongPassword)
        assert.strictEqual(owner.status, 200, owner.text)
      }))
  })
})

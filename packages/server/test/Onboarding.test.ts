import { assert, describe, layer } from "@effect/vitest"
import { Onboarding } from "@niha/domain"
import { NihaClient, PromiseClient } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import { form, mailTo, pdf, png, tokenOf } from "./support/Onboarding.ts"
import * as TestServer from "./support/TestServer.ts"

const newPassword = "correct horse battery staple 7"

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`onboarding through the Promise facade [${backend}]`, () => {
    layer(TestServer.layer(backend), { excludeTestServices: true, timeout: "120 seconds" })((it) => {
      it.effect("takes a company from the contact form to APPROVED", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const call = <A>(promise: () => Promise<A>) => Effect.promise(promise)
          const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })

          // 1. The public form.
          const received = yield* call(() =>
            anonymous.onboarding.submitContactRequest({
              payload: {
                entity_name: "Nordwind Energie GmbH",
                contact_email: "Ana.Keller@Nordwind.example",
                contact_first_name: "Ana",
                contact_last_name: "Keller",
                position: "Head of Trading",
                jurisdiction: "EU"
              }
            })
          )
          assert.strictEqual(received.status, "NDA")

          // 2. The admin signs in with the credentials printed on first start and reviews it.
          const adminSession = yield* call(() =>
            anonymous.auth.login({ payload: { email: server.admin.email, password: server.admin.password } })
          )
          assert.strictEqual(adminSession.user.role, "ADMIN")
          const admin = PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: adminSession.token })
          const open = yield* call(() => admin.admin.listContactRequests({ query: { status: "NDA" } }))
          assert.deepStrictEqual(open.data.map((request) => request.id), [received.id])
          assert.strictEqual(open.data[0]?.contact_email, "ana.keller@nordwind.example")
          const assigned = yield* call(() =>
            admin.admin.assignContactRequest({
              params: { id: received.id },
              payload: { agent_id: adminSession.user.id, notes: "Met at the Frankfurt conference" }
            })
          )
          assert.strictEqual(assigned.agent_id, adminSession.user.id)
          const converted = yield* call(() => admin.admin.convertContactRequest({ params: { id: received.id } }))
          assert.strictEqual(converted.contact_request.status, "KYC")
          assert.strictEqual(converted.user.role, "NDA")
          assert.strictEqual(converted.user.entity_id, converted.entity.id)
          assert.strictEqual(converted.entity.kyc_status, "PENDING")

          // 3. The invitation mail signs the new user in, once.
          const invitation = yield* mailTo(server, "ana.keller@nordwind.example", (s) => s.includes("Welcome"))
          const clientSession = yield* call(() =>
            anonymous.auth.redeemMagicLink({ payload: { token: tokenOf(invitation.text) } })
          )
          const client = PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: clientSession.token })
          yield* call(() => client.account.changePassword({ payload: { new_password: newPassword } }))

          // 4. NDA, then the KYC documents; a wrong file is refused and changes nothing.
          const signed = yield* call(() =>
            client.kyc.signNda({
              payload: form({ bytes: pdf("signed NDA"), name: "nda.pdf", type: "application/pdf" })
            })
          )
          assert.strictEqual(signed.role, "KYC")
          const refused = yield* Effect.flip(
            Effect.tryPromise({
              catch: (error) => error as PromiseClient.NihaError,
              try: () =>
                client.kyc.uploadDocument({
                  payload: form({ bytes: png("not a pdf"), name: "id.pdf", type: "application/pdf" }, "ID")
                })
            })
          )
          assert.instanceOf(refused, PromiseClient.InvalidRequestError)
          assert.strictEqual(refused.code, "upload_rejected")
          assert.strictEqual(refused.field, "file")
          const uploaded = []
          for (const type of Onboarding.requiredDocuments) {
            uploaded.push(
              yield* call(() =>
                client.kyc.uploadDocument({
                  payload: form({ bytes: pdf(type), name: `${type.toLowerCase()}.pdf`, type: "application/pdf" }, type)
                })
              )
            )
          }
          const submitted = yield* call(() => client.kyc.submit())
          assert.deepStrictEqual(submitted.missing, [])
          assert.deepStrictEqual([...submitted.pending], [...Onboarding.requiredDocuments])
          assert.isNotNull(submitted.entity.kyc_submitted_at)

          // 5. The review: one document is rejected and replaced, then all approved.
          const [first, ...rest] = uploaded
          if (first === undefined) return assert.fail("no document uploaded")
          yield* call(() =>
            admin.admin.rejectDocument({ params: { id: first.id }, payload: { reason: "The scan is unreadable" } })
          )
          const notice = yield* mailTo(server, "ana.keller@nordwind.example", (s) => s.includes("new upload"))
          assert.include(notice.text, "The scan is unreadable")
          const early = yield* Effect.flip(
            Effect.tryPromise({
              catch: (error) => error as PromiseClient.NihaError,
              try: () => admin.admin.approveEntity({ params: { id: converted.entity.id } })
            })
          )
          assert.strictEqual(early.code, "conflict")
          const replacement = yield* call(() =>
            client.kyc.uploadDocument({
              payload: form(
                { bytes: png("sharper scan"), name: "registration.png", type: "image/png" },
                first.document_type
              )
            })
          )
          for (const document of [...rest, replacement]) {
            const approved = yield* call(() => admin.admin.approveDocument({ params: { id: document.id } }))
            assert.strictEqual(approved.status, "APPROVED")
            assert.strictEqual(approved.reviewed_by, adminSession.user.id)
          }
          const decided = yield* call(() => admin.admin.approveEntity({ params: { id: converted.entity.id } }))
          assert.strictEqual(decided.entity.kyc_status, "APPROVED")
          assert.isTrue(decided.complete)

          // 6. The client is APPROVED and may now announce a deposit.
          const me = yield* call(() => client.account.me())
          assert.strictEqual(me.user.role, "APPROVED")
          assert.strictEqual(me.entity?.kyc_status, "APPROVED")
          assert.include(me.capabilities, "announce_deposit")
          const approvedMail = yield* mailTo(server, "ana.keller@nordwind.example", (s) => s.includes("approved"))
          assert.include(approvedMail.text, "Nordwind Energie GmbH")
          const relogin = yield* call(() =>
            anonymous.auth.login({ payload: { email: "ANA.KELLER@nordwind.example", password: newPassword } })
          )
          assert.strictEqual(relogin.user.role, "APPROVED")

          // 7. Every stage change is in the trail (readable beside the server on PostgreSQL only).
          if (server.backend === "postgres") {
            const actions = yield* Effect.gen(function*() {
              const sql = yield* SqlClient.SqlClient
              return yield* sql<{ action: string }>`SELECT action FROM ticket_logs ORDER BY created_at`
            }).pipe(Effect.provide(Layer.orDie(server.database)), Effect.orDie)
            const recorded = new Set(actions.map((row) => row.action))
            for (
              const action of [
                "contact_requests.submit",
                "contact_requests.assign",
                "contact_requests.convert",
                "users.sign_nda",
                "kyc_documents.upload",
                "kyc_documents.reject",
                "kyc_documents.approve",
                "entities.submit_kyc",
                "entities.approve_kyc",
                "users.approve"
              ]
            ) assert.isTrue(recorded.has(action), `ticket_logs has ${action}`)
          }
        }), { timeout: 30_000 })
    })
  })
}

describe.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)(
  `onboarding through the Effect client [${TestServer.quickBackend}]`,
  () => {
    layer(TestServer.layer(TestServer.quickBackend), { excludeTestServices: true, timeout: "120 seconds" })((it) => {
      it.effect("takes a company from the contact form to APPROVED", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const clientFor = (apiKey?: string) =>
            Effect.provide(NihaClient.make({ baseUrl: server.baseUrl, apiKey }), FetchHttpClient.layer)
          const anonymous = yield* clientFor()
          const { id } = yield* anonymous.onboarding.submitContactRequest({
            headers: {},
            payload: {
              entity_name: "Lumen Shipping BV",
              contact_email: "jan@lumen.example",
              contact_first_name: "Jan",
              contact_last_name: "de Vries",
              jurisdiction: "EU"
            }
          })
          const adminSession = yield* anonymous.auth.login({
            payload: { email: server.admin.email, password: server.admin.password }
          })
          const admin = yield* clientFor(adminSession.token)
          const converted = yield* admin.admin.convertContactRequest({ params: { id }, headers: {} })
          const invitation = yield* mailTo(server, "jan@lumen.example")
          const session = yield* anonymous.auth.redeemMagicLink({ payload: { token: tokenOf(invitation.text) } })
          const client = yield* clientFor(session.token)
          yield* client.kyc.signNda({
            payload: form({ bytes: pdf("nda"), name: "nda.pdf", type: "application/pdf" })
          })
          for (const type of Onboarding.requiredDocuments) {
            const document = yield* client.kyc.uploadDocument({
              payload: form({ bytes: pdf(type), name: `${type}.pdf`, type: "application/pdf" }, type)
            })
            yield* admin.admin.approveDocument({ params: { id: document.id } })
          }
          yield* client.kyc.submit()
          const file = yield* admin.admin.approveEntity({ params: { id: converted.entity.id } })
          assert.strictEqual(file.entity.kyc_status, "APPROVED")
          const me = yield* client.account.me()
          assert.strictEqual(me.user.role, "APPROVED")
          const listed = yield* admin.admin.listEntities({ query: { kyc_status: "APPROVED" } })
          assert.deepStrictEqual(listed.data.map((entity) => entity.id), [converted.entity.id])
        }).pipe(Effect.orDie), { timeout: 120_000 })
    })
  }
)

describe.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)(
  `onboarding rejections [${TestServer.quickBackend}]`,
  () => {
    layer(TestServer.layer(TestServer.quickBackend), { excludeTestServices: true, timeout: "120 seconds" })((it) => {
      it.effect("rejects a contact request for good, and an entity with its users", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const call = <A>(promise: () => Promise<A>) => Effect.promise(promise)
          const refused = (promise: () => Promise<unknown>) =>
            Effect.flip(Effect.tryPromise({ try: promise, catch: (error) => error as PromiseClient.NihaError }))
          const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
          const adminSession = yield* call(() =>
            anonymous.auth.login({ payload: { email: server.admin.email, password: server.admin.password } })
          )
          const admin = PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: adminSession.token })
          const submit = (email: string, company: string) =>
            call(() =>
              anonymous.onboarding.submitContactRequest({
                payload: {
                  entity_name: company,
                  contact_email: email,
                  contact_first_name: "Noor",
                  contact_last_name: "Haddad",
                  jurisdiction: "HK"
                }
              })
            )

          // A rejected request stays rejected, and its contact is told.
          const spam = yield* submit("noor@spam.example", "Spam Ltd")
          const rejected = yield* call(() =>
            admin.admin.rejectContactRequest({ params: { id: spam.id }, payload: { reason: "Not a real company" } })
          )
          assert.strictEqual(rejected.status, "REJECTED")
          assert.include(rejected.notes ?? "", "Not a real company")
          const mail = yield* mailTo(server, "noor@spam.example")
          assert.include(mail.subject, "request to join")
          const late = yield* refused(() => admin.admin.convertContactRequest({ params: { id: spam.id } }))
          assert.strictEqual(late.code, "invalid_transition")
          assert.deepStrictEqual(late.details, { machine: "contactstatus", from: "REJECTED", to: "KYC" })
          const listed = yield* call(() => admin.admin.listContactRequests({ query: { status: "REJECTED" } }))
          assert.deepStrictEqual(listed.data.map((request) => request.id), [spam.id])

          // A rejected entity moves its users to REJECTED; they can do nothing more.
          const request = yield* submit("noor@risky.example", "Risky Holdings")
          const converted = yield* call(() => admin.admin.convertContactRequest({ params: { id: request.id } }))
          const invitation = yield* mailTo(server, "noor@risky.example")
          const session = yield* call(() =>
            anonymous.auth.redeemMagicLink({ payload: { token: tokenOf(invitation.text) } })
          )
          const client = PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: session.token })
          yield* call(() =>
            client.kyc.signNda({ payload: form({ bytes: pdf("nda"), name: "nda.pdf", type: "application/pdf" }) })
          )
          const decided = yield* call(() =>
            admin.admin.rejectEntity({
              params: { id: converted.entity.id },
              payload: { reason: "Sanctions screening hit" }
            })
          )
          assert.strictEqual(decided.entity.kyc_status, "REJECTED")
          assert.strictEqual(decided.entity.kyc_rejection_reason, "Sanctions screening hit")
          const me = yield* call(() => client.account.me())
          assert.strictEqual(me.user.role, "REJECTED")
          assert.deepStrictEqual(me.capabilities, [])
          const upload = yield* refused(() =>
            client.kyc.uploadDocument({
              payload: form({ bytes: pdf("id"), name: "id.pdf", type: "application/pdf" }, "ID")
            })
          )
          assert.strictEqual(upload.status, 403)
          const again = yield* refused(() => admin.admin.approveEntity({ params: { id: converted.entity.id } }))
          assert.strictEqual(again.code, "invalid_transition")
        }))
    })
  }
)

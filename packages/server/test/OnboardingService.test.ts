/**
 * The `Onboarding` service called directly, as a job or the CLI would, without HTTP: it
 * speaks domain errors, leaves no file behind when its transaction fails, and answers a
 * concurrent duplicate invitation with a `Conflict`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Migrations, Repository } from "@niha/db"
import { Errors, type Parties, StateMachine } from "@niha/domain"
import { Admin, DocumentStorage, Onboarding, Password } from "@niha/server"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { pdf } from "./support/Onboarding.ts"
import * as TestServer from "./support/TestServer.ts"

/** A storage that keeps what it holds in a map the test can read. */
const spyStorage = () => {
  const held = new Map<string, Uint8Array>()
  const layer = Layer.effect(
    DocumentStorage.DocumentStorage,
    Effect.gen(function*() {
      const inner = yield* DocumentStorage.DocumentStorage
      return DocumentStorage.DocumentStorage.of({
        put: (bytes, meta) =>
          Effect.tap(inner.put(bytes, meta), (stored) => Effect.sync(() => held.set(stored.storage_key, bytes))),
        get: inner.get,
        remove: (key) => Effect.tap(inner.remove(key), () => Effect.sync(() => held.delete(key)))
      })
    })
  ).pipe(Layer.provide(DocumentStorage.layerMemory))
  return { held, layer }
}

const services = (backend: TestServer.Backend, storage: Layer.Layer<DocumentStorage.DocumentStorage>) =>
  Effect.map(TestServer.freshDatabase(backend), (database) =>
    Onboarding.layer.pipe(
      Layer.provideMerge(Layer.merge(Repository.Repositories.layer, storage)),
      Layer.provideMerge(Layer.provideMerge(Migrations.layer, database))
    ))

const firstAdmin = Effect.gen(function*() {
  const created = yield* Admin.ensureFirst("admin@service.test").pipe(
    Effect.provideService(Password.CurrentParams, TestServer.testPasswordParams)
  )
  if (created === undefined) return yield* Effect.die("no admin was made")
  return created.user
})

const clientAtNda = (admin: Parties.User, email: string) =>
  Effect.gen(function*() {
    const onboarding = yield* Onboarding.Onboarding
    const { id } = yield* onboarding.submitContactRequest({
      entity_name: "Service Energy BV",
      contact_email: email,
      contact_first_name: "Sam",
      contact_last_name: "Vos",
      jurisdiction: "EU"
    })
    const converted = yield* onboarding.convertContactRequest(admin, id)
    return converted.user
  })

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`the Onboarding service [${backend}]`, () => {
    it.live(
      "speaks domain errors and leaves no file behind a failed transaction",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const spy = spyStorage()
          const context = yield* Layer.build(yield* services(backend, spy.layer))
          yield* Effect.gen(function*() {
            const onboarding = yield* Onboarding.Onboarding
            const admin = yield* firstAdmin
            const client = yield* clientAtNda(admin, "sam@service.example")
            const upload = { bytes: pdf("nda"), file_name: "nda.pdf", mime_type: "application/pdf" }
            const signed = yield* onboarding.signNda(client, upload)
            assert.strictEqual(signed.role, "KYC")
            assert.strictEqual(spy.held.size, 1)
            // Signing again is a transition the machine refuses: the second file is removed again.
            const again = yield* Effect.flip(onboarding.signNda(signed, upload))
            assert.instanceOf(again, StateMachine.InvalidTransition)
            assert.strictEqual(spy.held.size, 1)
            // A client may not convert requests; the refusal is the domain's.
            const refused = yield* Effect.flip(onboarding.listContactRequests(signed, { limit: 10 }))
            assert.instanceOf(refused, Errors.NotPermitted)
            // A bad upload is refused before anything is stored.
            const bad = yield* Effect.flip(
              onboarding.uploadDocument(signed, "ID", { ...upload, bytes: new Uint8Array() })
            )
            assert.strictEqual(bad._tag, "UploadRejected")
            assert.strictEqual(spy.held.size, 1)
          }).pipe(Effect.provideContext(context))
        })),
      { timeout: 120_000 }
    )

    it.live(
      "answers two concurrent invitations of one email with one user and a Conflict",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const context = yield* Layer.build(yield* services(backend, DocumentStorage.layerMemory))
          yield* Effect.gen(function*() {
            const onboarding = yield* Onboarding.Onboarding
            const admin = yield* firstAdmin
            const invite = onboarding.createStaff(admin, {
              email: "twice@service.test",
              first_name: "Tia",
              last_name: "Berg",
              role: "MM"
            })
            const results = yield* Effect.all([Effect.result(invite), Effect.result(invite)], { concurrency: 2 })
            const successes = results.filter((result) => result._tag === "Success")
            const failures = results.flatMap((result) => result._tag === "Failure" ? [result.failure] : [])
            assert.strictEqual(successes.length, 1)
            assert.strictEqual(failures.length, 1)
            assert.instanceOf(failures[0], Errors.Conflict)
          }).pipe(Effect.provideContext(context))
        })),
      { timeout: 120_000 }
    )
  })
}

import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import { TestClock } from "effect/testing"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll } from "vitest"
import * as DocumentStorage from "../src/DocumentStorage.ts"

const tempRoot = Fs.mkdtempSync(Path.join(Os.tmpdir(), "niha-documents-"))
afterAll(() => Fs.rmSync(tempRoot, { recursive: true, force: true }))

let directories = 0
const freshDirectory = () => Path.join(tempRoot, `store-${++directories}`)

const pdf = new TextEncoder().encode("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n")
const meta = { file_name: "passport.pdf", mime_type: "application/pdf" }
const sha256 = (bytes: Uint8Array) => Crypto.createHash("sha256").update(bytes).digest("hex")

const backends: ReadonlyArray<readonly [string, () => Layer.Layer<DocumentStorage.DocumentStorage>]> = [
  ["memory", () => DocumentStorage.layerMemory],
  ["directory", () => DocumentStorage.layerDirectory(freshDirectory())]
]

for (const [name, makeLayer] of backends) {
  describe(`DocumentStorage (${name})`, () => {
    it.effect("stores and reads back the bytes, with node's SHA-256 and the size", () =>
      Effect.gen(function*() {
        const storage = yield* DocumentStorage.DocumentStorage
        const stored = yield* storage.put(pdf, meta)
        assert.strictEqual(stored.sha256, sha256(pdf))
        assert.strictEqual(stored.size_bytes, pdf.byteLength)
        assert.isTrue(DocumentStorage.isStorageKey(stored.storage_key))
        const read = yield* storage.get(stored.storage_key)
        assert.deepStrictEqual(Array.from(read), Array.from(pdf))
      }).pipe(Effect.provide(makeLayer())))

    it.effect("makes its own keys from the clock and a UUID, never from the file name", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(Date.UTC(2026, 10, 5, 12))
        const storage = yield* DocumentStorage.DocumentStorage
        const first = yield* storage.put(pdf, { file_name: "../../etc/passwd", mime_type: "application/pdf" })
        const second = yield* storage.put(pdf, meta)
        assert.match(first.storage_key, /^kyc\/2026\/11\/[0-9a-f-]{36}$/)
        assert.notInclude(first.storage_key, "passwd")
        assert.notStrictEqual(first.storage_key, second.storage_key)
      }).pipe(Effect.provide(makeLayer())))

    it.effect("refuses keys that do not have the storage's shape, traversal included", () =>
      Effect.gen(function*() {
        const storage = yield* DocumentStorage.DocumentStorage
        const stored = yield* storage.put(pdf, meta)
        const bad = [
          "",
          "../etc/passwd",
          "/etc/passwd",
          `${stored.storage_key}/../../../../etc/passwd`,
          `kyc/2026/11/../../../${stored.storage_key}`,
          stored.storage_key.replace("kyc/", "kyc\\"),
          `${stored.storage_key}\u0000`,
          stored.storage_key.toUpperCase(),
          "kyc/2026/13/0b0e3f4a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
        ]
        for (const key of bad) {
          const got = yield* Effect.flip(storage.get(key))
          assert.strictEqual(got._tag, "StorageError", JSON.stringify(key))
          if (got._tag === "StorageError") assert.strictEqual(got.reason, "invalid_key")
          const removed = yield* Effect.flip(storage.remove(key))
          assert.strictEqual(removed.reason, "invalid_key")
        }
      }).pipe(Effect.provide(makeLayer())))

    it.effect("answers StoredFileNotFound for a key with nothing stored, and after remove", () =>
      Effect.gen(function*() {
        const storage = yield* DocumentStorage.DocumentStorage
        const missing = "kyc/2026/11/0b0e3f4a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
        const error = yield* Effect.flip(storage.get(missing))
        assert.strictEqual(error._tag, "StoredFileNotFound")
        const stored = yield* storage.put(pdf, meta)
        yield* storage.remove(stored.storage_key)
        assert.strictEqual((yield* Effect.flip(storage.get(stored.storage_key)))._tag, "StoredFileNotFound")
        // Removing again is fine: erasure is idempotent.
        yield* storage.remove(stored.storage_key)
      }).pipe(Effect.provide(makeLayer())))

    it.effect("keeps its own copy: changing the caller's buffer changes nothing stored", () =>
      Effect.gen(function*() {
        const storage = yield* DocumentStorage.DocumentStorage
        const bytes = pdf.slice()
        const stored = yield* storage.put(bytes, meta)
        bytes.fill(0)
        const read = yield* storage.get(stored.storage_key)
        assert.strictEqual(sha256(read), sha256(pdf))
        read.fill(0)
        assert.strictEqual(sha256(yield* storage.get(stored.storage_key)), sha256(pdf))
      }).pipe(Effect.provide(makeLayer())))
  })
}

describe("DocumentStorage.layerDirectory", () => {
  it.effect.skipIf(process.platform === "win32")(
    "writes files 0600 in directories 0700, leaving no temporary file",
    () => {
      const dir = freshDirectory()
      return Effect.gen(function*() {
        const storage = yield* DocumentStorage.DocumentStorage
        const stored = yield* storage.put(pdf, meta)
        const file = Path.join(dir, stored.storage_key)
        assert.strictEqual(Fs.statSync(file).mode & 0o777, 0o600)
        assert.strictEqual(Fs.statSync(dir).mode & 0o777, 0o700)
        assert.strictEqual(Fs.statSync(Path.dirname(file)).mode & 0o777, 0o700)
        assert.deepStrictEqual(Fs.readdirSync(Path.dirname(file)), [Path.basename(file)])
        assert.strictEqual(sha256(Fs.readFileSync(file)), stored.sha256)
      }).pipe(Effect.provide(DocumentStorage.layerDirectory(dir)))
    }
  )

  it.effect("fails with an io StorageError when the directory cannot be written", () => {
    // A file where the directory should be: mkdir fails whatever the user's rights.
    const blocker = Path.join(tempRoot, `blocker-${++directories}`)
    Fs.writeFileSync(blocker, "not a directory")
    return Effect.gen(function*() {
      const storage = yield* DocumentStorage.DocumentStorage
      const error = yield* Effect.flip(storage.put(pdf, meta))
      assert.strictEqual(error._tag, "StorageError")
      assert.strictEqual(error.reason, "io")
      assert.strictEqual(error.operation, "put")
      assert.isDefined(error.cause)
    }).pipe(Effect.provide(DocumentStorage.layerDirectory(blocker)))
  })
})

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])
const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16])

const rejection = (upload: DocumentStorage.Upload) => {
  const result = DocumentStorage.checkUpload(upload)
  return Result.isFailure(result) ? result.failure : undefined
}
const reasonOf = (upload: DocumentStorage.Upload) => rejection(upload)?.reason

describe("DocumentStorage.checkUpload", () => {
  it("accepts a PDF, a PNG and a JPEG whose bytes match their type", () => {
    assert.isUndefined(reasonOf({ file_name: "passport.pdf", mime_type: "application/pdf", bytes: pdf }))
    assert.isUndefined(reasonOf({ file_name: "id card.png", mime_type: "image/png", bytes: png }))
    assert.isUndefined(reasonOf({ file_name: "Führerschein.jpg", mime_type: "image/jpeg", bytes: jpeg }))
    assert.isUndefined(reasonOf({ file_name: "a.pdf", mime_type: "Application/PDF; charset=binary", bytes: pdf }))
  })

  it("refuses an empty file", () => {
    assert.strictEqual(reasonOf({ ...meta, bytes: new Uint8Array(0) }), "empty")
  })

  it("accepts exactly 10 MiB and refuses one byte more", () => {
    assert.strictEqual(DocumentStorage.maxUploadBytes, 10 * 1024 * 1024)
    const limit = new Uint8Array(DocumentStorage.maxUploadBytes)
    limit.set(pdf)
    assert.isUndefined(reasonOf({ ...meta, bytes: limit }))
    const over = new Uint8Array(DocumentStorage.maxUploadBytes + 1)
    over.set(pdf)
    assert.strictEqual(reasonOf({ ...meta, bytes: over }), "too_large")
  })

  it("refuses types other than PDF, PNG and JPEG", () => {
    for (const mime_type of ["text/html", "image/svg+xml", "application/octet-stream", "", "image/gif"]) {
      assert.strictEqual(reasonOf({ file_name: "x.pdf", mime_type, bytes: pdf }), "type_not_allowed", mime_type)
    }
  })

  it("refuses bytes that do not match the declared type", () => {
    const executable = new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03])
    assert.strictEqual(reasonOf({ ...meta, bytes: executable }), "type_mismatch")
    assert.strictEqual(reasonOf({ ...meta, bytes: png }), "type_mismatch")
    assert.strictEqual(reasonOf({ file_name: "a.png", mime_type: "image/png", bytes: jpeg }), "type_mismatch")
    assert.strictEqual(reasonOf({ file_name: "a.jpg", mime_type: "image/jpeg", bytes: pdf }), "type_mismatch")
    // Shorter than the signature.
    assert.strictEqual(
      reasonOf({ file_name: "a.jpg", mime_type: "image/jpeg", bytes: jpeg.slice(0, 2) }),
      "type_mismatch"
    )
  })

  it("refuses file names that are empty, too long, with control characters or path separators", () => {
    const name = (file_name: string) => reasonOf({ ...meta, bytes: pdf, file_name })
    assert.strictEqual(name(""), "bad_file_name")
    assert.strictEqual(name("   "), "bad_file_name")
    assert.isUndefined(name("a".repeat(251) + ".pdf"))
    assert.strictEqual(name("a".repeat(252) + ".pdf"), "bad_file_name")
    assert.strictEqual(name("scan\u0000.pdf"), "bad_file_name")
    assert.strictEqual(name("scan\n.pdf"), "bad_file_name")
    assert.strictEqual(name("invoice\u202efdp.exe"), "bad_file_name")
    assert.strictEqual(name("../passport.pdf"), "bad_file_name")
    assert.strictEqual(name("C:\\passport.pdf"), "bad_file_name")
    assert.strictEqual(name(".."), "bad_file_name")
  })

  it("names the field and explains the refusal", () => {
    const error = rejection({ file_name: "x.html", mime_type: "text/html", bytes: pdf })
    assert.strictEqual(error?._tag, "UploadRejected")
    assert.strictEqual(error?.field, "file")
    assert.include(error?.message, "PDF, PNG or JPEG")
    assert.include(rejection({ ...meta, bytes: new Uint8Array(DocumentStorage.maxUploadBytes + 1) })?.message, "10 MiB")
  })
})

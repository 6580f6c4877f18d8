/**
 * Where KYC documents (identity papers, company registers, proofs of address) are kept,
 * behind an interface so a deployment can put them in a directory, in memory for tests,
 * or in an object store later. The database keeps only what the storage answers: the
 * key, the size and the SHA-256 (with the declared type beside them), never the bytes.
 *
 * Keys are made by the storage (`kyc/<year>/<month>/<uuid>`), never from the client's
 * file name, and {@link DocumentStorage} refuses any key that does not have that shape,
 * so no request can name a path outside the storage (no `../` traversal). The client's
 * file name is only checked by {@link checkUpload} and kept in the database for display.
 *
 * {@link checkUpload} is the upload policy, a pure function handlers call before
 * storing: a non-empty PDF, PNG or JPEG of at most {@link maxUploadBytes}, whose first
 * bytes match the declared type, with a file name that is not a path.
 *
 * @since 0.1.0
 */
import { Onboarding } from "@niha/domain"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"

/**
 * What the storage answers for a stored file: the three facts the database keeps.
 *
 * @category models
 * @since 0.1.0
 */
export interface Stored {
  /** The key to read the file back with, such as `kyc/2026/11/0b0e…`. */
  readonly storage_key: string
  /** The hex SHA-256 of the bytes, to detect tampering or corruption. */
  readonly sha256: string
  /** The size in bytes. */
  readonly size_bytes: number
}

/**
 * What the client said about a file. Kept by backends that store metadata; never used
 * to build the key.
 *
 * @category models
 * @since 0.1.0
 */
export interface FileMeta {
  /** The file's name as the client sent it. */
  readonly file_name: string
  /** The file's media type. */
  readonly mime_type: string
}

/**
 * The storage failed: a key of the wrong shape (`invalid_key`) or an input/output error
 * of the backend (`io`, with its cause).
 *
 * @category errors
 * @since 0.1.0
 */
export class StorageError extends Schema.TaggedError<StorageError>()("StorageError", {
  /** What was being done. */
  operation: Schema.Literals(["put", "get", "remove"]),
  /** Which kind of failure. */
  reason: Schema.Literals(["invalid_key", "io"]),
  /** The key concerned. */
  storage_key: Schema.String,
  /** The backend's error, for the logs. */
  cause: Schema.optional(Schema.Defect())
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return this.reason === "invalid_key" ?
      `document storage ${this.operation}: ${JSON.stringify(this.storage_key.slice(0, 100))} is not a storage key` :
      `document storage ${this.operation} of ${this.storage_key} failed`
  }
}

/**
 * No file is stored under the key.
 *
 * @category errors
 * @since 0.1.0
 */
export class StoredFileNotFound extends Schema.TaggedError<StoredFileNotFound>()("StoredFileNotFound", {
  /** The key looked up. */
  storage_key: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `no stored file has the key ${this.storage_key}`
  }
}

/**
 * The document storage.
 *
 * @category services
 * @since 0.1.0
 */
export class DocumentStorage extends Context.Service<DocumentStorage, {
  /** Stores bytes under a new key and answers the key, the SHA-256 and the size. */
  readonly put: (bytes: Uint8Array, meta: FileMeta) => Effect.Effect<Stored, StorageError>
  /** The bytes stored under a key. */
  readonly get: (storage_key: string) => Effect.Effect<Uint8Array, StorageError | StoredFileNotFound>
  /** Deletes the file under a key; deleting a missing file succeeds (erasure is idempotent). */
  readonly remove: (storage_key: string) => Effect.Effect<void, StorageError>
}>()("@niha/server/DocumentStorage") {}

const keyShape = /^kyc\/\d{4}\/(0[1-9]|1[0-2])\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/**
 * Whether a string has the shape of a key this storage makes:
 * `kyc/<yyyy>/<mm>/<uuid v4>`.
 *
 * @category keys
 * @since 0.1.0
 */
export const isStorageKey = (key: string): boolean => keyShape.test(key)

const newKey: Effect.Effect<string> = Effect.flatMap(Clock.currentTimeMillis, (now) =>
  Effect.sync(() => {
    const date = new Date(now)
    const month = String(date.getUTCMonth() + 1).padStart(2, "0")
    return `kyc/${date.getUTCFullYear()}/${month}/${Crypto.randomUUID()}`
  }))

/** What a backend does with keys the service has already checked. */
interface Backend {
  readonly write: (key: string, bytes: Uint8Array) => Promise<void>
  /** The bytes, or `undefined` when nothing is stored under the key. */
  readonly read: (key: string) => Promise<Uint8Array | undefined>
  readonly delete: (key: string) => Promise<void>
}

const make = (backend: Backend): typeof DocumentStorage.Service => {
  const io = (operation: StorageError["operation"], storage_key: string) => (cause: unknown) =>
    new StorageError({ operation, reason: "io", storage_key, cause })
  const checked = <A, E>(
    operation: StorageError["operation"],
    storage_key: string,
    use: Effect.Effect<A, E>
  ): Effect.Effect<A, E | StorageError> =>
    isStorageKey(storage_key) ? use : Effect.fail(new StorageError({ operation, reason: "invalid_key", storage_key }))

  return {
    put: (bytes) =>
      Effect.flatMap(newKey, (storage_key) =>
        Effect.as(
          Effect.tryPromise({ try: () => backend.write(storage_key, bytes), catch: io("put", storage_key) }),
          {
            storage_key,
            sha256: Crypto.createHash("sha256").update(bytes).digest("hex"),
            size_bytes: bytes.byteLength
          }
        )),
    get: (storage_key) =>
      checked(
        "get",
        storage_key,
        Effect.flatMap(
          Effect.tryPromise({ try: () => backend.read(storage_key), catch: io("get", storage_key) }),
          (bytes) => bytes === undefined ? Effect.fail(new StoredFileNotFound({ storage_key })) : Effect.succeed(bytes)
        )
      ),
    remove: (storage_key) =>
      checked(
        "remove",
        storage_key,
        Effect.tryPromise({ try: () => backend.delete(storage_key), catch: io("remove", storage_key) })
      )
  }
}

const isNotFound = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT"

const writeAtomically = async (target: string, bytes: Uint8Array): Promise<void> => {
  const folder = Path.dirname(target)
  await Fs.mkdir(folder, { recursive: true, mode: 0o700 })
  // Written beside the target then renamed: a reader (or a crash) sees the whole file or
  // none, never half of one. Same directory, so the rename never crosses file systems.
  const temp = Path.join(folder, `.${Path.basename(target)}.${Crypto.randomUUID()}.tmp`)
  try {
    const handle = await Fs.open(temp, "wx", 0o600)
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await Fs.rename(temp, target)
  } catch (error) {
    await Fs.rm(temp, { force: true })
    throw error
  }
  // The rename is durable only once the directory entry is flushed too. Windows cannot
  // open a directory for syncing, and its rename is already journalled by NTFS.
  if (process.platform !== "win32") {
    const directory = await Fs.open(folder, "r")
    try {
      await directory.sync()
    } finally {
      await directory.close()
    }
  }
}

/**
 * Documents as files under a local directory, at `<dir>/<key>`. Directories are created
 * as needed, readable by the server's user only (0700), and files likewise (0600); each
 * write is atomic (temporary file, fsync, rename).
 *
 * @category layers
 * @since 0.1.0
 */
export const layerDirectory = (dir: string): Layer.Layer<DocumentStorage> =>
  Layer.succeed(
    DocumentStorage,
    make({
      write: (key, bytes) => writeAtomically(Path.join(dir, key), bytes),
      read: async (key) => {
        try {
          const buffer = await Fs.readFile(Path.join(dir, key))
          return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
        } catch (error) {
          if (isNotFound(error)) return undefined
          throw error
        }
      },
      delete: (key) => Fs.rm(Path.join(dir, key), { force: true })
    })
  )

/**
 * Documents in memory, lost when the process ends: for tests and for embedding the
 * server where nothing may touch the disk. Each use of the Layer starts empty.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerMemory: Layer.Layer<DocumentStorage> = Layer.sync(DocumentStorage, () => {
  const files = new Map<string, Uint8Array>()
  // Copies in and out, so a caller that reuses its buffer cannot change what is stored.
  return make({
    write: async (key, bytes) => {
      files.set(key, bytes.slice())
    },
    read: async (key) => files.get(key)?.slice(),
    delete: async (key) => {
      files.delete(key)
    }
  })
})

/**
 * The largest document accepted: `Onboarding.maxDocumentBytes` of `@niha/domain` (10 MiB).
 *
 * @category constants
 * @since 0.1.0
 */
export const maxUploadBytes: number = Onboarding.maxDocumentBytes

/**
 * The longest file name accepted, in characters: what common file systems allow.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxFileNameLength = 255

/** How each accepted media type of the domain begins, to check a file is what it claims. */
const signatures: {
  readonly [Type in Onboarding.DocumentMediaType]: { readonly label: string; readonly bytes: ReadonlyArray<number> }
} = {
  "application/pdf": { label: "PDF", bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  "image/png": { label: "PNG image", bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  "image/jpeg": { label: "JPEG image", bytes: [0xff, 0xd8, 0xff] }
}

/**
 * The document types accepted: `Onboarding.documentMediaTypes` of `@niha/domain` (PDF, PNG
 * and JPEG).
 *
 * @category constants
 * @since 0.1.0
 */
export const allowedMimeTypes: ReadonlyArray<string> = Onboarding.documentMediaTypes

/**
 * Why an upload was refused.
 *
 * @category models
 * @since 0.1.0
 */
export const UploadRejectedReason = Schema.Literals([
  "empty",
  "too_large",
  "type_not_allowed",
  "type_mismatch",
  "bad_file_name"
])

/**
 * @category models
 * @since 0.1.0
 */
export type UploadRejectedReason = typeof UploadRejectedReason.Type

/**
 * An upload the policy refuses; `field` is the form field (`file`), `message` says what
 * to change.
 *
 * @category errors
 * @since 0.1.0
 */
export class UploadRejected extends Schema.TaggedError<UploadRejected>()("UploadRejected", {
  /** The rule the upload breaks. */
  reason: UploadRejectedReason,
  /** The form field at fault. */
  field: Schema.Literal("file"),
  /** What is wrong, in a sentence. */
  message: Schema.String
}) {}

/**
 * An upload as received: the client's file name and declared type, and the bytes.
 *
 * @category models
 * @since 0.1.0
 */
export interface Upload {
  /** The file's name as the client sent it. */
  readonly file_name: string
  /** The media type the client declared. */
  readonly mime_type: string
  /** The file's content. */
  readonly bytes: Uint8Array
}

// C0 and C1 controls, and the bidirectional overrides that make "invoice‮fdp.exe" read as
// "invoiceexe.pdf".
const controlCharacters = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u

const fileNameProblem = (name: string): string | undefined => {
  if (name.trim() === "") return "the file name is empty"
  if ([...name].length > maxFileNameLength) return `the file name is longer than ${maxFileNameLength} characters`
  if (controlCharacters.test(name)) return "the file name contains control characters"
  if (name.includes("/") || name.includes("\\")) return "the file name must not contain / or \\"
  if (name === "." || name === "..") return "the file name must not be . or .."
  return undefined
}

const startsWith = (bytes: Uint8Array, prefix: ReadonlyArray<number>): boolean =>
  bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte)

const isAllowed = (mimeType: string): mimeType is keyof typeof signatures => Object.hasOwn(signatures, mimeType)

/**
 * Checks an upload against the document policy: a file name that is not empty, at most
 * 255 characters, without control characters or path separators; a declared type among
 * {@link allowedMimeTypes}; between 1 byte and {@link maxUploadBytes}; and first bytes
 * that match the declared type (`%PDF-`, the PNG signature, JPEG's `FF D8 FF`), so a
 * renamed executable is not stored as a "PDF".
 *
 * @category policy
 * @since 0.1.0
 */
export const checkUpload = (upload: Upload): Result.Result<void, UploadRejected> => {
  const reject = (reason: UploadRejectedReason, message: string) =>
    Result.fail(new UploadRejected({ reason, field: "file", message }))
  const nameProblem = fileNameProblem(upload.file_name)
  if (nameProblem !== undefined) return reject("bad_file_name", nameProblem)
  // Parameters such as "; charset=binary" do not change what the file is.
  const mimeType = (upload.mime_type.split(";")[0] ?? "").trim().toLowerCase()
  if (!isAllowed(mimeType)) {
    return reject(
      "type_not_allowed",
      `files of type ${JSON.stringify(upload.mime_type.slice(0, 100))} are not accepted; upload a PDF, PNG or JPEG`
    )
  }
  if (upload.bytes.byteLength === 0) return reject("empty", "the file is empty")
  if (upload.bytes.byteLength > maxUploadBytes) {
    return reject(
      "too_large",
      `the file is ${upload.bytes.byteLength} bytes; the limit is ${maxUploadBytes} bytes (10 MiB)`
    )
  }
  const signature = signatures[mimeType]
  if (!startsWith(upload.bytes, signature.bytes)) {
    return reject("type_mismatch", `the file was sent as ${mimeType} but its content is not a ${signature.label}`)
  }
  return Result.succeed(undefined)
}

/**
 * The handlers of the `onboarding`, `kyc` and `admin` groups: from the public contact
 * form to an approved entity. Every stage change goes through `@niha/domain`'s machines
 * (`contactStatus`, `userRole`, `documentStatus`, `kycStatus`) and the KYC file's
 * completeness through `Onboarding.kycReadiness`; every change is one transaction with its
 * `activity_logs` / `ticket_logs` lines and the mail it sends (through the outbox).
 *
 * Scoping: a client reaches only its own entity's objects (another entity's id answers
 * 404, like an unknown id); the `admin` group needs the capability of each action.
 *
 * @since 0.1.0
 */
import { type Repository } from "@niha/db"
import { type Enums, type Ids, Onboarding, Parties, StateMachine } from "@niha/domain"
import { Api, ApiError, AuthApi, Authentication, OnboardingApi, Pagination } from "@niha/sdk"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import type * as Multipart from "effect/http/Multipart"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import type { Fragment } from "effect/sql/Statement"
import * as NodeFs from "node:fs/promises"
import * as Access from "./Access.ts"
import * as Audit from "./Audit.ts"
import * as Auth from "./Auth.ts"
import * as AuthHandlers from "./AuthHandlers.ts"
import * as DocumentStorage from "./DocumentStorage.ts"
import * as ErrorHandling from "./ErrorHandling.ts"
import * as Idempotency from "./Idempotency.ts"
import * as MailOutbox from "./MailOutbox.ts"
import * as Notices from "./Notices.ts"
import * as Throttle from "./Throttle.ts"

/**
 * What the handlers of the signed-in groups need.
 *
 * @category models
 * @since 0.1.0
 */
export type Services = SqlClient.SqlClient | Repository.Repositories | DocumentStorage.DocumentStorage

const decodeContactRequest = Schema.decodeUnknownEffect(Parties.ContactRequest)
const decodeEntity = Schema.decodeUnknownEffect(Parties.Entity)
const decodeUser = Schema.decodeUnknownEffect(Parties.User)
const decodeDocument = Schema.decodeUnknownEffect(Parties.KycDocument)

// Rows as their JSON (what the API shows), for the before/after states of the trail.
const contactJson = (row: Parties.ContactRequest): Schema.Json => Schema.encodeSync(Parties.ContactRequest.json)(row)
const entityJson = (row: Parties.Entity): Schema.Json => Schema.encodeSync(Parties.Entity.json)(row)
const documentJson = (row: Parties.KycDocument): Schema.Json => Schema.encodeSync(Parties.KycDocument.json)(row)
const userJson = (row: Parties.User): Schema.Json => Schema.encodeSync(Parties.User.json)(row)

const conflict = (message: string, details?: Record<string, Schema.Json>) =>
  ErrorHandling.fail(ApiError.Conflict, { code: "conflict", message, details })

/**
 * How the signed-in handlers run a request: `run` with the group's services and database
 * failures as defects (500), `transaction` the same inside one transaction.
 */
const runners = Effect.gen(function*() {
  const services = yield* Effect.context<Services>()
  const sql = yield* SqlClient.SqlClient
  const run = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(ErrorHandling.dieOnSqlError, Effect.provideContext(services))
  const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>) => run(sql.withTransaction(effect))
  return { run, transaction }
})

/** Moves a machine or answers 409 `invalid_transition` naming both states. */
const move = <S extends string>(machine: StateMachine.StateMachine<S>, from: S, to: S) => {
  const moved = StateMachine.transition(machine, from, to)
  if (Result.isSuccess(moved)) return Effect.succeed(moved.success)
  const refused = moved.failure
  return ErrorHandling.failWith((requestId) => ApiError.fromInvalidTransition(refused, requestId))
}

/**
 * A page of a table's rows in `(created_at, id)` order after the row `starting_after`,
 * fetched as `limit + 1` rows.
 */
const page = <A>(
  table: string,
  filter: Fragment,
  query: { readonly limit?: number | undefined; readonly starting_after?: string | undefined },
  decode: (row: unknown) => Effect.Effect<A, Schema.SchemaError>
) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const limit = query.limit ?? Pagination.defaultLimit
    const after = query.starting_after === undefined ?
      sql`` :
      sql`AND (created_at, id) > (SELECT created_at, id FROM ${sql(table)} WHERE id = ${query.starting_after})`
    const rows = yield* sql`
      SELECT * FROM ${sql(table)} WHERE TRUE ${filter} ${after} ORDER BY created_at, id LIMIT ${limit + 1}`
    const data = yield* Effect.forEach(rows.slice(0, limit), (row) => Effect.orDie(decode(row)))
    return { data, has_more: rows.length > limit } satisfies Pagination.Page<A>
  })

/**
 * The row of `table` with this id, decoded, or a 404 (also for a row the caller may not
 * see, which the callers check). `lock` takes the row for the transaction (`FOR UPDATE`).
 */
const rowById = <A>(
  table: "contact_requests" | "entities" | "kyc_documents",
  decode: (row: unknown) => Effect.Effect<A, Schema.SchemaError>,
  lock: boolean
) =>
(id: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql`SELECT * FROM ${sql(table)} WHERE id = ${id} ${lock ? sql`FOR UPDATE` : sql``}`
    if (row === undefined) return yield* Access.notFound(table, id)
    return yield* Effect.orDie(decode(row))
  })

const lockContactRequest = rowById("contact_requests", decodeContactRequest, true)
const lockEntity = rowById("entities", decodeEntity, true)
const lockDocument = rowById("kyc_documents", decodeDocument, true)
const findContactRequest = rowById("contact_requests", decodeContactRequest, false)
const findEntity = rowById("entities", decodeEntity, false)
const findDocument = rowById("kyc_documents", decodeDocument, false)

const documentsOf = (entityId: Ids.EntityId) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql`SELECT * FROM kyc_documents WHERE entity_id = ${entityId} ORDER BY created_at, id`
    return yield* Effect.forEach(rows, (row) => Effect.orDie(decodeDocument(row)))
  })

const usersOf = (entityId: Ids.EntityId) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql`SELECT * FROM users WHERE entity_id = ${entityId} ORDER BY created_at, id FOR UPDATE`
    return yield* Effect.forEach(rows, (row) => Effect.orDie(decodeUser(row)))
  })

/** The KYC file of an entity: the entity, its documents and where they stand. */
const kycFile = (entity: Parties.Entity) =>
  Effect.map(documentsOf(entity.id), (documents) => ({ entity, documents, ...Onboarding.kycReadiness(documents) }))

const now = Effect.map(DateTime.now, DateTime.toDate)

/** A staff member's id, or a 400 naming `agent_id`. */
const staffMember = (id: Ids.UserId) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ role: Enums.UserRole; is_active: boolean }>`
      SELECT role, is_active FROM users WHERE id = ${id}`
    if (row === undefined || (row.role !== "ADMIN" && row.role !== "MM") || !row.is_active) {
      return yield* ErrorHandling.fail(ApiError.BadRequest, {
        code: "validation_failed",
        message: "agent_id: must be the id of an active staff member (ADMIN or MM)",
        field: "agent_id"
      })
    }
    return id
  })

/** Reads an uploaded part and checks it against the upload policy (400 `upload_rejected`). */
const readUpload = (file: Multipart.PersistedFile) =>
  Effect.gen(function*() {
    const bytes = yield* Effect.promise(() => NodeFs.readFile(file.path).then((buffer) => new Uint8Array(buffer)))
    const checked = DocumentStorage.checkUpload({ file_name: file.name, mime_type: file.contentType, bytes })
    if (Result.isFailure(checked)) {
      return yield* ErrorHandling.fail(ApiError.BadRequest, {
        code: "upload_rejected",
        message: checked.failure.message,
        field: "file",
        details: { reason: checked.failure.reason }
      })
    }
    return { bytes, file_name: file.name, mime_type: file.contentType }
  })

const store = (upload: { readonly bytes: Uint8Array; readonly file_name: string; readonly mime_type: string }) =>
  Effect.flatMap(
    DocumentStorage.DocumentStorage,
    (storage) =>
      storage.put(upload.bytes, { file_name: upload.file_name, mime_type: upload.mime_type }).pipe(Effect.orDie)
  )

/** Creates a user and emails it an invitation link, in the caller's transaction. */
const invite = (input: {
  readonly entity_id: Ids.EntityId | null
  readonly email: string
  readonly first_name: string
  readonly last_name: string
  readonly position: string | null
  readonly role: Enums.UserRole
  readonly created_by: Ids.UserId
  readonly next: string
}) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const email = Auth.normalizeEmail(input.email)
    if ((yield* Auth.findUserByEmail(email)) !== undefined) {
      return yield* conflict(`a user with email ${email} already exists`, { resource: "users", field: "email" })
    }
    const [row] = yield* sql`
      INSERT INTO users (entity_id, email, first_name, last_name, position, role, password_hash, created_by)
      VALUES (${input.entity_id}, ${email}, ${input.first_name}, ${input.last_name}, ${input.position}, ${input.role},
        NULL, ${input.created_by})
      RETURNING *`
    const user = yield* Effect.orDie(decodeUser(row))
    const link = yield* Auth.issueMagicLink(user.id, "INVITE")
    const baseUrl = yield* Notices.PublicUrl
    yield* MailOutbox.enqueue(Notices.invitation({
      to: user.email,
      firstName: user.first_name,
      baseUrl,
      next: input.next,
      ...link
    }))
    return user
  })

/**
 * The `onboarding` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const onboarding = (
  limits: AuthHandlers.Limits = AuthHandlers.defaultLimits
): Layer.Layer<HttpApiGroup.Service<"niha", "onboarding">, never, SqlClient.SqlClient> =>
  HttpApiBuilder.group(
    Api.Api,
    "onboarding",
    Effect.fn(function*(handlers) {
      const sql = yield* SqlClient.SqlClient
      const perAddress = yield* Throttle.make(limits.contactRequestsPerAddress)
      return handlers.handleAll({
        submitContactRequest: ({ headers, payload }) =>
          Effect.gen(function*() {
            const origin = yield* Audit.origin
            yield* AuthHandlers.throttled(perAddress, origin.ip_address ?? "unknown")
            return yield* Idempotency.once(
              {
                key: headers["idempotency-key"],
                principal: `address:${origin.ip_address ?? "unknown"}`,
                endpoint: "onboarding.submitContactRequest",
                input: payload,
                success: OnboardingApi.ContactRequestReceived
              },
              sql.withTransaction(Effect.gen(function*() {
                const [row] = yield* sql<{ id: Ids.ContactRequestId }>`
                INSERT INTO contact_requests (entity_name, contact_email, contact_first_name, contact_last_name,
                  position, jurisdiction, status, submitter_ip)
                VALUES (${payload.entity_name}, ${Auth.normalizeEmail(payload.contact_email)},
                  ${payload.contact_first_name}, ${payload.contact_last_name}, ${payload.position ?? null},
                  ${payload.jurisdiction}, 'NDA', ${origin.ip_address})
                RETURNING id`
                if (row === undefined) return yield* Effect.die("INSERT ... RETURNING returned no row")
                yield* Audit.record({
                  user_id: null,
                  action: "contact_requests.submit",
                  subject_table: "contact_requests",
                  subject_id: row.id
                })
                return { id: row.id, status: "NDA" as const }
              }))
            )
          }).pipe(ErrorHandling.dieOnSqlError, Effect.provideService(SqlClient.SqlClient, sql))
      })
    })
  ).pipe(Layer.provide(ErrorHandling.layer))

/**
 * The `kyc` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const kyc: Layer.Layer<
  HttpApiGroup.Service<"niha", "kyc">,
  never,
  Services | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "kyc",
  Effect.fn(function*(handlers) {
    const sql = yield* SqlClient.SqlClient
    const { run, transaction } = yield* runners

    const visibleDocument = (id: Ids.KycDocumentId) =>
      Effect.gen(function*() {
        const document = yield* findDocument(id)
        if (!(yield* Access.canSee(document.entity_id, "review_kyc"))) {
          return yield* Access.notFound("kyc_documents", id)
        }
        return document
      })

    return handlers.handleAll({
      signNda: ({ payload }) =>
        transaction(Effect.gen(function*() {
          const principal = yield* Authentication.CurrentPrincipal
          yield* Access.entityOf()
          const upload = yield* readUpload(payload.file)
          const [locked] = yield* sql`SELECT * FROM users WHERE id = ${principal.user.id} FOR UPDATE`
          const user = yield* Effect.orDie(decodeUser(locked))
          const role = yield* move(StateMachine.userRole, user.role, "KYC")
          const stored = yield* store(upload)
          const at = yield* now
          yield* sql`
            UPDATE contact_requests SET nda_file_name = ${stored.storage_key}, nda_signed_at = ${at}, updated_at = now()
            WHERE contact_email = ${user.email} AND status = 'KYC'`
          const [row] =
            yield* sql`UPDATE users SET role = ${role}, updated_at = now() WHERE id = ${user.id} RETURNING *`
          const updated = yield* Effect.orDie(decodeUser(row))
          yield* Audit.record({
            user_id: user.id,
            action: "users.sign_nda",
            subject_table: "users",
            subject_id: user.id,
            details: { storage_key: stored.storage_key, sha256: stored.sha256 },
            before: userJson(user),
            after: userJson(updated)
          })
          return updated
        })),
      file: () =>
        run(Effect.gen(function*() {
          const entityId = yield* Access.entityOf()
          const [row] = yield* sql`SELECT * FROM entities WHERE id = ${entityId}`
          return yield* kycFile(yield* Effect.orDie(decodeEntity(row)))
        })),
      uploadDocument: ({ payload }) =>
        transaction(Effect.gen(function*() {
          const principal = yield* Access.authorize("upload_kyc_document")
          const entityId = yield* Access.entityOf()
          const entity = yield* lockEntity(entityId)
          if (entity.kyc_status !== "PENDING") {
            return yield* conflict(
              `the KYC review of this entity is over (${entity.kyc_status}); no document can be added`
            )
          }
          const upload = yield* readUpload(payload.file)
          const stored = yield* store(upload)
          const [row] = yield* sql`
            INSERT INTO kyc_documents (user_id, entity_id, document_type, status, file_name, storage_key, mime_type,
              size_bytes, sha256)
            VALUES (${principal.user.id}, ${entityId}, ${payload.document_type}, 'PENDING', ${upload.file_name},
              ${stored.storage_key}, ${upload.mime_type}, ${stored.size_bytes}, ${stored.sha256})
            RETURNING *`
          const document = yield* Effect.orDie(decodeDocument(row))
          yield* Audit.record({
            user_id: principal.user.id,
            action: "kyc_documents.upload",
            subject_table: "kyc_documents",
            subject_id: document.id,
            after: documentJson(document)
          })
          return document
        })),
      listDocuments: ({ query }) =>
        run(Effect.gen(function*() {
          const entityId = yield* Access.entityOf()
          return yield* page("kyc_documents", sql`AND entity_id = ${entityId}`, query, decodeDocument)
        })),
      getDocument: ({ params }) => run(visibleDocument(params.id)),
      downloadDocument: ({ params }) =>
        run(Effect.gen(function*() {
          const document = yield* visibleDocument(params.id)
          const storage = yield* DocumentStorage.DocumentStorage
          return yield* Effect.orDie(storage.get(document.storage_key))
        })),
      submit: () =>
        transaction(Effect.gen(function*() {
          const principal = yield* Access.authorize("upload_kyc_document")
          const entity = yield* lockEntity(yield* Access.entityOf())
          const file = yield* kycFile(entity)
          if (file.missing.length > 0) {
            return yield* conflict(`the KYC file lacks: ${file.missing.join(", ")}`, { missing: [...file.missing] })
          }
          const [row] = yield* sql`
            UPDATE entities SET kyc_submitted_at = ${yield* now}, updated_at = now() WHERE id = ${entity.id} RETURNING *`
          const submitted = yield* Effect.orDie(decodeEntity(row))
          yield* Audit.record({
            user_id: principal.user.id,
            action: "entities.submit_kyc",
            subject_table: "entities",
            subject_id: entity.id,
            before: entityJson(entity),
            after: entityJson(submitted)
          })
          return { ...file, entity: submitted }
        }))
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))

/**
 * The `admin` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const admin: Layer.Layer<
  HttpApiGroup.Service<"niha", "admin">,
  never,
  Services | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "admin",
  Effect.fn(function*(handlers) {
    const sql = yield* SqlClient.SqlClient
    const { run, transaction } = yield* runners

    const updateContactRequest = (
      admin: Ids.UserId,
      before: Parties.ContactRequest,
      action: string,
      change: Fragment
    ) =>
      Effect.gen(function*() {
        const [row] =
          yield* sql`UPDATE contact_requests SET ${change}, updated_at = now() WHERE id = ${before.id} RETURNING *`
        const after = yield* Effect.orDie(decodeContactRequest(row))
        yield* Audit.record({
          user_id: admin,
          action,
          subject_table: "contact_requests",
          subject_id: before.id,
          before: contactJson(before),
          after: contactJson(after)
        })
        return after
      })

    const convert = (admin: Ids.UserId, id: Ids.ContactRequestId) =>
      Effect.gen(function*() {
        const request = yield* lockContactRequest(id)
        const status = yield* move(StateMachine.contactStatus, request.status, "KYC")
        const [entityRow] = yield* sql`
            INSERT INTO entities (name, jurisdiction, kyc_status)
            VALUES (${request.entity_name}, ${request.jurisdiction ?? "OTHER"}, 'PENDING')
            RETURNING *`
        const entity = yield* Effect.orDie(decodeEntity(entityRow))
        const user = yield* invite({
          entity_id: entity.id,
          email: request.contact_email,
          first_name: request.contact_first_name,
          last_name: request.contact_last_name,
          position: request.position,
          role: "NDA",
          created_by: admin,
          next: "Your first step: upload the signed NDA, then your KYC documents."
        })
        const agent = request.agent_id === null ? sql`, agent_id = ${admin}` : sql``
        const contactRequest = yield* updateContactRequest(
          admin,
          request,
          "contact_requests.convert",
          sql`status = ${status} ${agent}`
        )
        yield* Audit.record({
          user_id: admin,
          action: "entities.create",
          subject_table: "entities",
          subject_id: entity.id,
          after: entityJson(entity)
        })
        return { contact_request: contactRequest, entity, user }
      })
    const createStaff = (admin: Ids.UserId, payload: typeof OnboardingApi.StaffInput.Type) =>
      Effect.gen(function*() {
        const user = yield* invite({
          entity_id: null,
          email: payload.email,
          first_name: payload.first_name,
          last_name: payload.last_name,
          position: null,
          role: payload.role,
          created_by: admin,
          next: "Sign in, then set a password under your account."
        })
        yield* Audit.record({
          user_id: admin,
          action: "users.create_staff",
          subject_table: "users",
          subject_id: user.id,
          after: userJson(user)
        })
        return user
      })

    const review = (id: Ids.KycDocumentId, to: "APPROVED" | "REJECTED", reason: string | null) =>
      transaction(Effect.gen(function*() {
        const principal = yield* Access.authorize("review_kyc")
        const document = yield* lockDocument(id)
        const status = yield* move(StateMachine.documentStatus, document.status, to)
        const [row] = yield* sql`
          UPDATE kyc_documents SET status = ${status}, reviewed_by = ${principal.user.id}, reviewed_at = ${yield* now},
            rejection_reason = ${reason}, updated_at = now()
          WHERE id = ${id} RETURNING *`
        const reviewed = yield* Effect.orDie(decodeDocument(row))
        yield* Audit.record({
          user_id: principal.user.id,
          action: to === "APPROVED" ? "kyc_documents.approve" : "kyc_documents.reject",
          subject_table: "kyc_documents",
          subject_id: id,
          details: reason === null ? undefined : { reason },
          before: documentJson(document),
          after: documentJson(reviewed)
        })
        if (to === "REJECTED") {
          const uploader = yield* Auth.getUser(document.user_id)
          yield* MailOutbox.enqueue(Notices.decision({
            to: uploader.email,
            kind: "document_rejected",
            subject: "A KYC document needs a new upload",
            lines: [
              `Your ${document.document_type} document "${document.file_name}" was not accepted:`,
              "",
              reason ?? "",
              "",
              "Please upload a new one."
            ]
          }))
        }
        return reviewed
      }))

    const decideEntity = (id: Ids.EntityId, to: "APPROVED" | "REJECTED", reason: string | null) =>
      transaction(Effect.gen(function*() {
        const principal = yield* Access.authorize("review_kyc")
        const entity = yield* lockEntity(id)
        const status = yield* move(StateMachine.kycStatus, entity.kyc_status, to)
        const file = yield* kycFile(entity)
        const blocker = to === "APPROVED" ? Onboarding.approvalBlocker(entity, file) : undefined
        if (blocker === "not_submitted") {
          return yield* ErrorHandling.fail(ApiError.Conflict, {
            code: "kyc_not_submitted",
            message: "the client has not submitted its KYC file yet (POST /kyc/submit); it can be approved after that"
          })
        }
        if (blocker === "incomplete") {
          return yield* conflict(
            `the KYC file is not complete: missing ${file.missing.join(", ") || "none"}, awaiting review ${
              file.pending.join(", ") || "none"
            }`,
            { missing: [...file.missing], pending: [...file.pending] }
          )
        }
        const at = yield* now
        const [row] = to === "APPROVED" ?
          yield* sql`
            UPDATE entities SET kyc_status = ${status}, kyc_approved_at = ${at}, kyc_approved_by = ${principal.user.id},
              updated_at = now()
            WHERE id = ${id} RETURNING *` :
          yield* sql`
            UPDATE entities SET kyc_status = ${status}, kyc_rejection_reason = ${reason}, updated_at = now()
            WHERE id = ${id} RETURNING *`
        const decided = yield* Effect.orDie(decodeEntity(row))
        yield* Audit.record({
          user_id: principal.user.id,
          action: to === "APPROVED" ? "entities.approve_kyc" : "entities.reject_kyc",
          subject_table: "entities",
          subject_id: id,
          details: reason === null ? undefined : { reason },
          before: entityJson(entity),
          after: entityJson(decided)
        })
        for (const user of yield* usersOf(id)) {
          // Only the users the decision concerns move: those at KYC on approval, every
          // client stage that may still be rejected on rejection.
          if (!StateMachine.canTransition(StateMachine.userRole, user.role, to)) continue
          const [moved] =
            yield* sql`UPDATE users SET role = ${to}, updated_at = now() WHERE id = ${user.id} RETURNING *`
          yield* Audit.record({
            user_id: principal.user.id,
            action: to === "APPROVED" ? "users.approve" : "users.reject",
            subject_table: "users",
            subject_id: user.id,
            before: userJson(user),
            after: userJson(yield* Effect.orDie(decodeUser(moved)))
          })
          yield* MailOutbox.enqueue(Notices.decision({
            to: user.email,
            kind: to === "APPROVED" ? "kyc_approved" : "kyc_rejected",
            subject: to === "APPROVED" ? "Your company is approved on NIHA Carbon" : "Your KYC review was not approved",
            lines: to === "APPROVED" ?
              [`${decided.name} passed its KYC review. Your account is approved on NIHA Carbon.`] :
              [`The KYC review of ${decided.name} was not approved:`, "", reason ?? ""]
          }))
        }
        return { ...file, entity: decided }
      }))

    return handlers.handleAll({
      listContactRequests: ({ query }) =>
        run(Effect.gen(function*() {
          yield* Access.authorize("manage_contact_requests")
          const filter = query.status === undefined ? sql`` : sql`AND status = ${query.status}`
          return yield* page("contact_requests", filter, query, decodeContactRequest)
        })),
      getContactRequest: ({ params }) =>
        run(Effect.gen(function*() {
          yield* Access.authorize("manage_contact_requests")
          return yield* findContactRequest(params.id)
        })),
      assignContactRequest: ({ params, payload }) =>
        transaction(Effect.gen(function*() {
          const principal = yield* Access.authorize("manage_contact_requests")
          const agent = yield* staffMember(payload.agent_id)
          const request = yield* lockContactRequest(params.id)
          if (request.status !== "NDA") {
            return yield* conflict(`the contact request is already ${request.status}`)
          }
          const notes = payload.notes === undefined ? sql`` : sql`, notes = ${payload.notes}`
          return yield* updateContactRequest(
            principal.user.id,
            request,
            "contact_requests.assign",
            sql`agent_id = ${agent} ${notes}`
          )
        })),
      convertContactRequest: ({ headers, params }) =>
        transaction(Effect.gen(function*() {
          const principal = yield* Access.authorize("manage_contact_requests")
          return yield* Idempotency.once({
            key: headers["idempotency-key"],
            principal: principal.user.id,
            endpoint: "admin.convertContactRequest",
            input: params,
            success: OnboardingApi.Converted
          }, convert(principal.user.id, params.id))
        })),
      rejectContactRequest: ({ params, payload }) =>
        transaction(Effect.gen(function*() {
          const principal = yield* Access.authorize("manage_contact_requests")
          const request = yield* lockContactRequest(params.id)
          const status = yield* move(StateMachine.contactStatus, request.status, "REJECTED")
          const notes = request.notes === null ? payload.reason : `${request.notes}\n\nRejected: ${payload.reason}`
          const rejected = yield* updateContactRequest(
            principal.user.id,
            request,
            "contact_requests.reject",
            sql`status = ${status}, notes = ${notes}`
          )
          yield* MailOutbox.enqueue(Notices.decision({
            to: request.contact_email,
            kind: "contact_request_rejected",
            subject: "Your request to join NIHA Carbon",
            lines: [
              `Dear ${request.contact_first_name},`,
              "",
              `thank you for the interest of ${request.entity_name}. We cannot onboard it at this time.`
            ]
          }))
          return rejected
        })),
      listEntities: ({ query }) =>
        run(Effect.gen(function*() {
          yield* Access.authorize("review_kyc")
          const filter = query.kyc_status === undefined ? sql`` : sql`AND kyc_status = ${query.kyc_status}`
          return yield* page("entities", filter, query, decodeEntity)
        })),
      getKycFile: ({ params }) =>
        run(Effect.gen(function*() {
          yield* Access.authorize("review_kyc")
          return yield* kycFile(yield* findEntity(params.id))
        })),
      approveDocument: ({ params }) => review(params.id, "APPROVED", null),
      rejectDocument: ({ params, payload }) => review(params.id, "REJECTED", payload.reason),
      approveEntity: ({ params }) => decideEntity(params.id, "APPROVED", null),
      rejectEntity: ({ params, payload }) => decideEntity(params.id, "REJECTED", payload.reason),
      createStaff: ({ headers, payload }) =>
        transaction(Effect.gen(function*() {
          const principal = yield* Access.authorize("manage_users")
          return yield* Idempotency.once({
            key: headers["idempotency-key"],
            principal: principal.user.id,
            endpoint: "admin.createStaff",
            input: payload,
            success: AuthApi.User
          }, createStaff(principal.user.id, payload))
        }))
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))

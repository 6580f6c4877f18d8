/**
 * The onboarding workflow, from the public contact form to an approved entity, as one
 * service that HTTP handlers, jobs and the CLI call alike. Each operation runs its own
 * transaction (a savepoint inside a caller's, as `Idempotency.once` opens one), moves
 * state only through `@niha/domain`'s machines (`contactStatus`, `userRole`,
 * `documentStatus`, `kycStatus`), decides the KYC file's readiness with
 * `Onboarding.kycReadiness` and `approvalBlocker`, checks the actor's capability with
 * `Capabilities.check`, and writes its `activity_logs` / `ticket_logs` lines and the mail
 * it sends (through the outbox) in the same transaction.
 *
 * It speaks the domain's types and errors (`NotFound`, `NotPermitted`,
 * `InvalidTransition`, `Conflict`, `ValidationFailed`, `KycNotReady`) and the upload
 * policy's `UploadRejected`; the handlers map them to API errors once. A client reaches
 * only its own entity's objects: another entity's id fails like an unknown one.
 *
 * Files are stored before the transaction that records them and removed again when that
 * transaction fails, so a rolled-back upload leaves no orphan file. Two invitations of
 * one email at the same moment meet at the unique index of `users.email`: the second is
 * a `Conflict`, not a server error.
 *
 * @since 0.1.0
 */
import { Constraints, type Repository, Transaction } from "@niha/db"
import {
  type Capabilities,
  type Enums,
  Errors,
  type Ids,
  Onboarding as Rules,
  Parties,
  StateMachine
} from "@niha/domain"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { Fragment } from "effect/sql/Statement"
import * as Audit from "../Audit.ts"
import * as Auth from "../Auth.ts"
import * as DocumentStorage from "../DocumentStorage.ts"
import * as rows from "../internal/rows.ts"
import { authorize, move, present, visible } from "../internal/rules.ts"
import * as MailOutbox from "../MailOutbox.ts"
import * as Notices from "../Notices.ts"
import type { PageQuery } from "../Paging.ts"

/**
 * What an onboarding operation can fail with, besides database failures.
 *
 * @category errors
 * @since 0.1.0
 */
export type OnboardingError =
  | Errors.NotFound
  | Errors.NotPermitted
  | Errors.InvalidTransition
  | Errors.Conflict
  | Errors.ValidationFailed
  | Errors.KycNotReady
  | DocumentStorage.UploadRejected

/**
 * A contact request as the public form sends it.
 *
 * @category models
 * @since 0.1.0
 */
export interface ContactRequestInput {
  /** The company's legal name. */
  readonly entity_name: string
  /** The contact person's email, as typed. */
  readonly contact_email: string
  /** The contact person's given name. */
  readonly contact_first_name: string
  /** The contact person's family name. */
  readonly contact_last_name: string
  /** The contact person's job title. */
  readonly position?: string | undefined
  /** Where the company is established. */
  readonly jurisdiction: Enums.Jurisdiction
}

/**
 * A staff member to invite.
 *
 * @category models
 * @since 0.1.0
 */
export interface StaffInput {
  /** Their sign-in email. */
  readonly email: string
  /** Given name. */
  readonly first_name: string
  /** Family name. */
  readonly last_name: string
  /** ADMIN or MM. */
  readonly role: "ADMIN" | "MM"
}

/**
 * An entity's KYC file: the entity, its documents and where they stand.
 *
 * @category models
 * @since 0.1.0
 */
export interface KycFile extends Rules.KycReadiness {
  /** The entity. */
  readonly entity: Parties.Entity
  /** Its documents, oldest first. */
  readonly documents: ReadonlyArray<Parties.KycDocument>
}

/**
 * A converted contact request: the request (now KYC), the new entity and its first user.
 *
 * @category models
 * @since 0.1.0
 */
export interface Converted {
  /** The request. */
  readonly contact_request: Parties.ContactRequest
  /** The entity made from it. */
  readonly entity: Parties.Entity
  /** The invited user, at stage NDA. */
  readonly user: Parties.User
}

/**
 * A contact request as recorded: its id and status, nothing more (the form is public).
 *
 * @category models
 * @since 0.1.0
 */
export interface ContactRequestReceived {
  /** The request's id. */
  readonly id: Ids.ContactRequestId
  /** Always NDA: received, awaiting review. */
  readonly status: "NDA"
}

/**
 * A reviewer's decision: approve, or reject with a reason the client will read.
 *
 * @category models
 * @since 0.1.0
 */
export type Decision = Approve | Reject

/**
 * Approve a document or an entity.
 *
 * @category models
 * @since 0.1.0
 */
export interface Approve {
  /** The new status. */
  readonly to: "APPROVED"
}

/**
 * Reject a document or an entity, saying why.
 *
 * @category models
 * @since 0.1.0
 */
export interface Reject {
  /** The new status. */
  readonly to: "REJECTED"
  /** Why, as the client will read it. */
  readonly reason: string
}

/**
 * The onboarding service.
 *
 * @category services
 * @since 0.1.0
 */

// Rows as their JSON (what the API shows), for the before/after states of the trail.
const contactJson = Schema.encodeSync(Parties.ContactRequest.json)
const entityJson = Schema.encodeSync(Parties.Entity.json)
const documentJson = Schema.encodeSync(Parties.KycDocument.json)
const userJson = Schema.encodeSync(Parties.User.json)

const contactRequests = {
  find: rows.byId("contact_requests", Parties.ContactRequest, { lock: false }),
  lock: rows.byId("contact_requests", Parties.ContactRequest, { lock: true }),
  page: rows.page("contact_requests", Parties.ContactRequest)
}
const entities = {
  find: rows.byId("entities", Parties.Entity, { lock: false }),
  lock: rows.byId("entities", Parties.Entity, { lock: true }),
  page: rows.page("entities", Parties.Entity)
}
const documents = {
  find: rows.byId("kyc_documents", Parties.KycDocument, { lock: false }),
  lock: rows.byId("kyc_documents", Parties.KycDocument, { lock: true }),
  page: rows.page("kyc_documents", Parties.KycDocument),
  all: rows.all("kyc_documents", Parties.KycDocument)
}
const users = {
  lock: rows.byId("users", Parties.User, { lock: true }),
  all: rows.all("users", Parties.User)
}

/** The actor's entity; staff (no entity) are refused. */
const entityOf = (actor: Parties.User, action: Capabilities.Action) =>
  actor.entity_id === null ?
    Effect.fail(new Errors.NotPermitted({ action, role: actor.role, allowed: StateMachine.onboardingStages })) :
    Effect.succeed(actor.entity_id)

const now = Effect.map(DateTime.now, DateTime.toDate)

const documentsOf = (entityId: Ids.EntityId) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => documents.all(sql`SELECT * FROM kyc_documents WHERE entity_id = ${entityId} ORDER BY created_at, id`)
  )

const kycFileOf = (entity: Parties.Entity) =>
  Effect.map(documentsOf(entity.id), (list): KycFile => ({
    entity,
    documents: list,
    ...Rules.kycReadiness(list)
  }))

/** The domain's `ValidationFailed` for one field. */
const invalid = (path: string, message: string) => new Errors.ValidationFailed({ issues: [{ path, message }] })

/** A staff member's id, or a validation failure naming `agent_id`. */
const staffMember = (id: Ids.UserId) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ role: Enums.UserRole; is_active: boolean }>`
      SELECT role, is_active FROM users WHERE id = ${id}`
    if (row === undefined || (row.role !== "ADMIN" && row.role !== "MM") || !row.is_active) {
      return yield* invalid("agent_id", "must be the id of an active staff member (ADMIN or MM)")
    }
    return id
  })

/** Checks an upload against the policy. */
const checkUpload = (upload: DocumentStorage.Upload) =>
  Result.match(DocumentStorage.checkUpload(upload), {
    onFailure: (rejected) => Effect.fail(rejected),
    onSuccess: () => Effect.void
  })

/**
 * Runs a write whose only expected refusal is a unique value already taken (a concurrent
 * duplicate): that is the domain's `Conflict` saying `what`; any other constraint
 * violation is a defect of the code.
 */
const uniqueOr = <A, R>(effect: Effect.Effect<A, SqlError, R>, resource: string, what: string) =>
  Constraints.refine(effect).pipe(
    Effect.catchTag("UniqueViolation", () => Effect.fail(new Errors.Conflict({ resource, reason: what }))),
    Effect.catchTags({
      ForeignKeyViolation: Effect.die,
      CheckViolation: Effect.die,
      NotNullViolation: Effect.die,
      RestrictViolation: Effect.die
    })
  )

/**
 * Builds the service on the database, the repositories, the document storage and the
 * outbox in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const storage = yield* DocumentStorage.DocumentStorage
  const context = yield* Effect.context<
    SqlClient.SqlClient | Repository.Repositories | DocumentStorage.DocumentStorage
  >()

  /** Runs `effect` in its own transaction, with the service's dependencies. */
  const transaction = <A, E>(
    effect: Effect.Effect<A, E, SqlClient.SqlClient | Repository.Repositories | DocumentStorage.DocumentStorage>
  ): Effect.Effect<A, E | SqlError> => Transaction.run(effect).pipe(Effect.provideContext(context))

  /** Stores a checked upload, runs `record` with it in a transaction, removes the file if that fails. */
  const storeThen = <A, E>(
    upload: DocumentStorage.Upload,
    record: (
      stored: DocumentStorage.Stored
    ) => Effect.Effect<A, E, SqlClient.SqlClient | Repository.Repositories | DocumentStorage.DocumentStorage>
  ) =>
    Effect.gen(function*() {
      yield* checkUpload(upload)
      const stored = yield* Effect.orDie(
        storage.put(upload.bytes, { file_name: upload.file_name, mime_type: upload.mime_type })
      )
      return yield* transaction(record(stored)).pipe(
        Effect.onError(() =>
          storage.remove(stored.storage_key).pipe(
            Effect.catchCause((cause) =>
              Effect.logWarning("an upload whose transaction failed could not be removed", cause).pipe(
                Effect.annotateLogs({ storage_key: stored.storage_key })
              )
            )
          )
        )
      )
    })

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
      const email = Auth.normalizeEmail(input.email)
      const taken = `a user with email ${email} already exists`
      if ((yield* Auth.findUserByEmail(email)) !== undefined) {
        return yield* new Errors.Conflict({ resource: "users", reason: taken })
      }
      const [row] = yield* uniqueOr(
        sql<{ id: Ids.UserId }>`
          INSERT INTO users (entity_id, email, first_name, last_name, position, role, password_hash, created_by)
          VALUES (${input.entity_id}, ${email}, ${input.first_name}, ${input.last_name}, ${input.position},
            ${input.role}, NULL, ${input.created_by})
          RETURNING id`,
        "users",
        taken
      )
      if (row === undefined) return yield* Effect.die("INSERT ... RETURNING returned no row")
      const user = yield* present(users.lock(row.id))
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

  const updateContactRequest = (actor: Ids.UserId, before: Parties.ContactRequest, action: string, change: Fragment) =>
    Effect.gen(function*() {
      yield* sql`UPDATE contact_requests SET ${change}, updated_at = now() WHERE id = ${before.id}`
      const after = yield* present(contactRequests.find(before.id))
      yield* Audit.record({
        user_id: actor,
        action,
        subject_table: "contact_requests",
        subject_id: before.id,
        before: contactJson(before),
        after: contactJson(after)
      })
      return after
    })

  /** A document the actor may see: its own entity's, or any for a reviewer. */
  const visibleDocument = (actor: Parties.User, id: Ids.KycDocumentId) =>
    Effect.gen(function*() {
      const document = yield* documents.find(id)
      yield* visible(actor, document.entity_id, "review_kyc", "kyc_documents", id)
      return document
    })

  const submitContactRequest = Effect.fn("Onboarding.submitContactRequest")(
    function*(input: ContactRequestInput) {
      const origin = yield* Audit.origin
      return yield* transaction(Effect.gen(function*() {
        const [row] = yield* sql<{ id: Ids.ContactRequestId }>`
          INSERT INTO contact_requests (entity_name, contact_email, contact_first_name, contact_last_name,
            position, jurisdiction, status, submitter_ip)
          VALUES (${input.entity_name}, ${Auth.normalizeEmail(input.contact_email)},
            ${input.contact_first_name}, ${input.contact_last_name}, ${input.position ?? null},
            ${input.jurisdiction}, 'NDA', ${origin.ip_address})
          RETURNING id`
        if (row === undefined) return yield* Effect.die("INSERT ... RETURNING returned no row")
        yield* Audit.record({
          user_id: null,
          action: "contact_requests.submit",
          subject_table: "contact_requests",
          subject_id: row.id
        })
        const received: ContactRequestReceived = { id: row.id, status: "NDA" }
        return received
      }))
    }
  )

  const signNda = Effect.fn("Onboarding.signNda")(function*(actor: Parties.User, upload: DocumentStorage.Upload) {
    yield* entityOf(actor, "upload_kyc_document")
    return yield* storeThen(upload, (stored) =>
      Effect.gen(function*() {
        const user = yield* present(users.lock(actor.id))
        const role = yield* move(StateMachine.userRole, user.role, "KYC")
        yield* sql`
          UPDATE contact_requests SET nda_file_name = ${stored.storage_key}, nda_signed_at = ${yield* now},
            updated_at = now()
          WHERE contact_email = ${user.email} AND status = 'KYC'`
        yield* sql`UPDATE users SET role = ${role}, updated_at = now() WHERE id = ${user.id}`
        const updated = yield* present(users.lock(user.id))
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
      }))
  })

  const ownKycFile = Effect.fn("Onboarding.ownKycFile")(function*(actor: Parties.User) {
    const entityId = yield* entityOf(actor, "view_own_account")
    return yield* Effect.flatMap(present(entities.find(entityId)), kycFileOf).pipe(Effect.provideContext(context))
  })

  const uploadDocument = Effect.fn("Onboarding.uploadDocument")(
    function*(actor: Parties.User, documentType: Enums.DocumentType, upload: DocumentStorage.Upload) {
      yield* authorize(actor, "upload_kyc_document")
      const entityId = yield* entityOf(actor, "upload_kyc_document")
      return yield* storeThen(upload, (stored) =>
        Effect.gen(function*() {
          const entity = yield* present(entities.lock(entityId))
          if (entity.kyc_status !== "PENDING") {
            return yield* new Errors.Conflict({
              resource: "entities",
              reason: `the KYC review of this entity is over (${entity.kyc_status}); no document can be added`
            })
          }
          const [row] = yield* sql<{ id: Ids.KycDocumentId }>`
            INSERT INTO kyc_documents (user_id, entity_id, document_type, status, file_name, storage_key, mime_type,
              size_bytes, sha256)
            VALUES (${actor.id}, ${entityId}, ${documentType}, 'PENDING', ${upload.file_name},
              ${stored.storage_key}, ${upload.mime_type}, ${stored.size_bytes}, ${stored.sha256})
            RETURNING id`
          if (row === undefined) return yield* Effect.die("INSERT ... RETURNING returned no row")
          const document = yield* present(documents.find(row.id))
          yield* Audit.record({
            user_id: actor.id,
            action: "kyc_documents.upload",
            subject_table: "kyc_documents",
            subject_id: document.id,
            after: documentJson(document)
          })
          return document
        }))
    }
  )

  const listOwnDocuments = Effect.fn("Onboarding.listOwnDocuments")(
    function*(actor: Parties.User, query: PageQuery) {
      const entityId = yield* entityOf(actor, "view_own_account")
      return yield* documents.page(sql`AND entity_id = ${entityId}`, query).pipe(Effect.provideContext(context))
    }
  )

  const getDocument = (actor: Parties.User, id: Ids.KycDocumentId) =>
    visibleDocument(actor, id).pipe(Effect.provideContext(context), Effect.withSpan("Onboarding.getDocument"))

  const downloadDocument = Effect.fn("Onboarding.downloadDocument")(
    function*(actor: Parties.User, id: Ids.KycDocumentId) {
      const document = yield* visibleDocument(actor, id).pipe(Effect.provideContext(context))
      return yield* Effect.orDie(storage.get(document.storage_key))
    }
  )

  const submitKyc = Effect.fn("Onboarding.submitKyc")(function*(actor: Parties.User) {
    yield* authorize(actor, "upload_kyc_document")
    const entityId = yield* entityOf(actor, "upload_kyc_document")
    return yield* transaction(Effect.gen(function*() {
      const entity = yield* present(entities.lock(entityId))
      const file = yield* kycFileOf(entity)
      if (file.missing.length > 0) {
        return yield* new Errors.KycNotReady({
          entity_id: entity.id,
          reason: "incomplete",
          missing: file.missing,
          pending: file.pending
        })
      }
      yield* sql`UPDATE entities SET kyc_submitted_at = ${yield* now}, updated_at = now() WHERE id = ${entity.id}`
      const submitted = yield* present(entities.find(entity.id))
      yield* Audit.record({
        user_id: actor.id,
        action: "entities.submit_kyc",
        subject_table: "entities",
        subject_id: entity.id,
        before: entityJson(entity),
        after: entityJson(submitted)
      })
      const result: KycFile = { ...file, entity: submitted }
      return result
    }))
  })

  const listContactRequests = Effect.fn("Onboarding.listContactRequests")(
    function*(actor: Parties.User, query: PageQuery & { readonly status?: Enums.ContactStatus | undefined }) {
      yield* authorize(actor, "manage_contact_requests")
      const filter = query.status === undefined ? sql`` : sql`AND status = ${query.status}`
      return yield* contactRequests.page(filter, query).pipe(Effect.provideContext(context))
    }
  )

  const getContactRequest = Effect.fn("Onboarding.getContactRequest")(
    function*(actor: Parties.User, id: Ids.ContactRequestId) {
      yield* authorize(actor, "manage_contact_requests")
      return yield* contactRequests.find(id).pipe(Effect.provideContext(context))
    }
  )

  const assignContactRequest = Effect.fn("Onboarding.assignContactRequest")(
    function*(
      actor: Parties.User,
      id: Ids.ContactRequestId,
      input: { readonly agent_id: Ids.UserId; readonly notes?: string | undefined }
    ) {
      yield* authorize(actor, "manage_contact_requests")
      return yield* transaction(Effect.gen(function*() {
        const agent = yield* staffMember(input.agent_id)
        const request = yield* contactRequests.lock(id)
        if (request.status !== "NDA") {
          return yield* new Errors.Conflict({
            resource: "contact_requests",
            reason: `the contact request is already ${request.status}`
          })
        }
        const notes = input.notes === undefined ? sql`` : sql`, notes = ${input.notes}`
        return yield* updateContactRequest(
          actor.id,
          request,
          "contact_requests.assign",
          sql`agent_id = ${agent} ${notes}`
        )
      }))
    }
  )

  const convertContactRequest = Effect.fn("Onboarding.convertContactRequest")(
    function*(actor: Parties.User, id: Ids.ContactRequestId) {
      yield* authorize(actor, "manage_contact_requests")
      return yield* transaction(Effect.gen(function*() {
        const request = yield* contactRequests.lock(id)
        const status = yield* move(StateMachine.contactStatus, request.status, "KYC")
        const [created] = yield* sql<{ id: Ids.EntityId }>`
          INSERT INTO entities (name, jurisdiction, kyc_status)
          VALUES (${request.entity_name}, ${request.jurisdiction ?? "OTHER"}, 'PENDING')
          RETURNING id`
        if (created === undefined) return yield* Effect.die("INSERT ... RETURNING returned no row")
        const entity = yield* present(entities.find(created.id))
        const user = yield* invite({
          entity_id: entity.id,
          email: request.contact_email,
          first_name: request.contact_first_name,
          last_name: request.contact_last_name,
          position: request.position,
          role: "NDA",
          created_by: actor.id,
          next: "Your first step: upload the signed NDA, then your KYC documents."
        })
        const agent = request.agent_id === null ? sql`, agent_id = ${actor.id}` : sql``
        const contactRequest = yield* updateContactRequest(
          actor.id,
          request,
          "contact_requests.convert",
          sql`status = ${status} ${agent}`
        )
        yield* Audit.record({
          user_id: actor.id,
          action: "entities.create",
          subject_table: "entities",
          subject_id: entity.id,
          after: entityJson(entity)
        })
        const converted: Converted = { contact_request: contactRequest, entity, user }
        return converted
      }))
    }
  )

  const rejectContactRequest = Effect.fn("Onboarding.rejectContactRequest")(
    function*(actor: Parties.User, id: Ids.ContactRequestId, reason: string) {
      yield* authorize(actor, "manage_contact_requests")
      return yield* transaction(Effect.gen(function*() {
        const request = yield* contactRequests.lock(id)
        const status = yield* move(StateMachine.contactStatus, request.status, "REJECTED")
        const notes = request.notes === null ? reason : `${request.notes}\n\nRejected: ${reason}`
        const rejected = yield* updateContactRequest(
          actor.id,
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
      }))
    }
  )

  const listEntities = Effect.fn("Onboarding.listEntities")(function*(
    actor: Parties.User,
    query: PageQuery & { readonly kyc_status?: Enums.KycStatus | undefined }
  ) {
    yield* authorize(actor, "review_kyc")
    const filter = query.kyc_status === undefined ? sql`` : sql`AND kyc_status = ${query.kyc_status}`
    return yield* entities.page(filter, query).pipe(Effect.provideContext(context))
  })

  const kycFile = Effect.fn("Onboarding.kycFile")(function*(actor: Parties.User, id: Ids.EntityId) {
    yield* authorize(actor, "review_kyc")
    return yield* Effect.flatMap(entities.find(id), kycFileOf).pipe(Effect.provideContext(context))
  })

  const reviewDocument = Effect.fn("Onboarding.reviewDocument")(
    function*(actor: Parties.User, id: Ids.KycDocumentId, decision: Decision) {
      yield* authorize(actor, "review_kyc")
      const reason = decision.to === "REJECTED" ? decision.reason : null
      return yield* transaction(Effect.gen(function*() {
        const document = yield* documents.lock(id)
        const status = yield* move(StateMachine.documentStatus, document.status, decision.to)
        yield* sql`
          UPDATE kyc_documents SET status = ${status}, reviewed_by = ${actor.id}, reviewed_at = ${yield* now},
            rejection_reason = ${reason}, updated_at = now()
          WHERE id = ${id}`
        const reviewed = yield* present(documents.find(id))
        yield* Audit.record({
          user_id: actor.id,
          action: decision.to === "APPROVED" ? "kyc_documents.approve" : "kyc_documents.reject",
          subject_table: "kyc_documents",
          subject_id: id,
          details: reason === null ? undefined : { reason },
          before: documentJson(document),
          after: documentJson(reviewed)
        })
        if (reason !== null) {
          const uploader = yield* Auth.getUser(document.user_id)
          yield* MailOutbox.enqueue(Notices.decision({
            to: uploader.email,
            kind: "document_rejected",
            subject: "A KYC document needs a new upload",
            lines: [
              `Your ${document.document_type} document "${document.file_name}" was not accepted:`,
              "",
              reason,
              "",
              "Please upload a new one."
            ]
          }))
        }
        return reviewed
      }))
    }
  )

  /** Moves the users an entity decision concerns, with their trail and mail. */
  const moveUsers = (actor: Parties.User, decided: Parties.Entity, decision: Decision) =>
    Effect.gen(function*() {
      const concerned = yield* users.all(
        sql`SELECT * FROM users WHERE entity_id = ${decided.id} ORDER BY created_at, id FOR UPDATE`
      )
      for (const user of concerned) {
        // Only the users the decision concerns move: those at KYC on approval, every
        // client stage that may still be rejected on rejection.
        if (!StateMachine.canTransition(StateMachine.userRole, user.role, decision.to)) continue
        yield* sql`UPDATE users SET role = ${decision.to}, updated_at = now() WHERE id = ${user.id}`
        const moved = yield* present(users.lock(user.id))
        yield* Audit.record({
          user_id: actor.id,
          action: decision.to === "APPROVED" ? "users.approve" : "users.reject",
          subject_table: "users",
          subject_id: user.id,
          before: userJson(user),
          after: userJson(moved)
        })
        yield* MailOutbox.enqueue(Notices.decision({
          to: user.email,
          kind: decision.to === "APPROVED" ? "kyc_approved" : "kyc_rejected",
          subject: decision.to === "APPROVED" ?
            "Your company is approved on NIHA Carbon" :
            "Your KYC review was not approved",
          lines: decision.to === "APPROVED" ?
            [`${decided.name} passed its KYC review. Your account is approved on NIHA Carbon.`] :
            [`The KYC review of ${decided.name} was not approved:`, "", decision.reason]
        }))
      }
    })

  const decideEntity = Effect.fn("Onboarding.decideEntity")(function*(
    actor: Parties.User,
    id: Ids.EntityId,
    decision: Decision
  ) {
    yield* authorize(actor, "review_kyc")
    return yield* transaction(Effect.gen(function*() {
      const entity = yield* entities.lock(id)
      const status = yield* move(StateMachine.kycStatus, entity.kyc_status, decision.to)
      const file = yield* kycFileOf(entity)
      const blocker = decision.to === "APPROVED" ? Rules.approvalBlocker(entity, file) : undefined
      if (blocker !== undefined) {
        return yield* new Errors.KycNotReady({
          entity_id: entity.id,
          reason: blocker,
          missing: file.missing,
          pending: file.pending
        })
      }
      const at = yield* now
      if (decision.to === "APPROVED") {
        yield* sql`
          UPDATE entities SET kyc_status = ${status}, kyc_approved_at = ${at}, kyc_approved_by = ${actor.id},
            updated_at = now()
          WHERE id = ${id}`
      } else {
        yield* sql`
          UPDATE entities SET kyc_status = ${status}, kyc_rejection_reason = ${decision.reason}, updated_at = now()
          WHERE id = ${id}`
      }
      const decided = yield* present(entities.find(id))
      yield* Audit.record({
        user_id: actor.id,
        action: decision.to === "APPROVED" ? "entities.approve_kyc" : "entities.reject_kyc",
        subject_table: "entities",
        subject_id: id,
        details: decision.to === "REJECTED" ? { reason: decision.reason } : undefined,
        before: entityJson(entity),
        after: entityJson(decided)
      })
      yield* moveUsers(actor, decided, decision)
      const result: KycFile = { ...file, entity: decided }
      return result
    }))
  })

  const createStaff = Effect.fn("Onboarding.createStaff")(function*(actor: Parties.User, input: StaffInput) {
    yield* authorize(actor, "manage_users")
    return yield* transaction(Effect.gen(function*() {
      const user = yield* invite({
        entity_id: null,
        email: input.email,
        first_name: input.first_name,
        last_name: input.last_name,
        position: null,
        role: input.role,
        created_by: actor.id,
        next: "Sign in, then set a password under your account."
      })
      yield* Audit.record({
        user_id: actor.id,
        action: "users.create_staff",
        subject_table: "users",
        subject_id: user.id,
        after: userJson(user)
      })
      return user
    }))
  })

  return {
    /** Records a contact request from the public form (status NDA). */
    submitContactRequest,
    /** The client's signed NDA: stored, and the user moves to KYC. */
    signNda,
    /** The KYC file of the actor's entity. */
    ownKycFile,
    /** Adds a KYC document to the actor's entity's file. */
    uploadDocument,
    /** The documents of the actor's entity, a page at a time. */
    listOwnDocuments,
    /** One document the actor may see (its entity's, or any for a reviewer). */
    getDocument,
    /** The bytes of a document the actor may see. */
    downloadDocument,
    /** The client says its KYC file is ready for review. */
    submitKyc,
    /** Contact requests, optionally of one status. */
    listContactRequests,
    /** One contact request. */
    getContactRequest,
    /** Assigns a staff member to a request still at NDA, with optional notes. */
    assignContactRequest,
    /** Converts a request into an entity and an invited user at NDA. */
    convertContactRequest,
    /** Rejects a request and tells its contact. */
    rejectContactRequest,
    /** Entities, optionally of one KYC status. */
    listEntities,
    /** The KYC file of any entity, for a reviewer. */
    kycFile,
    /** Approves or rejects (with a reason) one document. */
    reviewDocument,
    /** Approves an entity (a submitted, complete file) or rejects it (with a reason). */
    decideEntity,
    /** Invites a staff member. */
    createStaff
  }
})

/**
 * The onboarding operations, as {@link make} builds them. `actor` is the signed-in user
 * acting; its capability is checked by the operation.
 *
 * @category services
 * @since 0.1.0
 */
export type Service = Effect.Success<typeof make>

/**
 * The onboarding service.
 *
 * @category services
 * @since 0.1.0
 */
export class Onboarding extends Context.Service<Onboarding, Service>()("@niha/server/Onboarding") {}

/**
 * The service as a Layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<
  Onboarding,
  never,
  SqlClient.SqlClient | Repository.Repositories | DocumentStorage.DocumentStorage
> = Layer.effect(Onboarding, make)

/**
 * Onboarding, as three groups of the API, following the onboarding stage machine of
 * `@niha/domain` (`StateMachine.userRole`, `contactStatus`, `kycStatus`, `documentStatus`):
 *
 * 1. `onboarding` (public): a company sends a contact request (status NDA).
 * 2. `admin`: an admin assigns an agent, then converts the request into an entity and a
 *    user at stage NDA (the request moves to KYC and the user is emailed an invitation
 *    link) or rejects it.
 * 3. `kyc` (the signed-in client): the user uploads the signed NDA (its stage moves to
 *    KYC), uploads its KYC documents (PDF, PNG or JPEG up to 10 MiB; a rejected document
 *    is replaced by a new upload) and submits the file.
 * 4. `admin`: an admin approves or rejects each document, then approves the entity (every
 *    required document approved: `Onboarding.requiredDocuments`; its users move to
 *    APPROVED) or rejects it (its users move to REJECTED).
 *
 * Every change is recorded in `activity_logs` and `ticket_logs`. A client sees only its own
 * entity's objects: another entity's id answers 404, like an id that does not exist.
 *
 * @since 0.1.0
 */
import { Enums, Ids, Onboarding, Parties, Text } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Multipart from "effect/http/Multipart"
import * as Schema from "effect/Schema"
import * as ApiError from "./ApiError.ts"
import { EmailInput, User } from "./AuthApi.ts"
import { Authentication } from "./Authentication.ts"
import * as IdempotencyKey from "./IdempotencyKey.ts"
import * as Pagination from "./Pagination.ts"

/**
 * The largest file an upload may carry: `Onboarding.maxDocumentBytes` of `@niha/domain`
 * (10 MiB).
 *
 * @category constants
 * @since 0.1.0
 */
export const maxUploadBytes: number = Onboarding.maxDocumentBytes

const name = Text.Line

const reason = Schema.Struct({
  /** Why, as the client will read it. */
  reason: name(1000)
})

/**
 * A contact request as the public form sends it.
 *
 * @category inputs
 * @since 0.1.0
 */
export const ContactRequestInput = Schema.Struct({
  /** The company's legal name. */
  entity_name: name(200),
  /** The contact person's email. */
  contact_email: EmailInput,
  /** The contact person's given name. */
  contact_first_name: name(100),
  /** The contact person's family name. */
  contact_last_name: name(100),
  /** The contact person's job title. */
  position: Schema.optionalKey(name(100)),
  /** Where the company is established. */
  jurisdiction: Enums.Jurisdiction
}).annotate({ identifier: "ContactRequestInput" })

/**
 * The answer to a contact request: its id and status, nothing more (the form is public).
 *
 * @category models
 * @since 0.1.0
 */
export const ContactRequestReceived = Schema.Struct({
  /** The request's id, to quote when writing to the platform. */
  id: Ids.ContactRequestId,
  /** Always NDA: received, awaiting review. */
  status: Schema.Literal("NDA")
}).annotate({ identifier: "ContactRequestReceived" })

/**
 * The group `onboarding`: the public contact form.
 *
 * @category groups
 * @since 0.1.0
 */
export class OnboardingApi extends HttpApiGroup.make("onboarding")
  .add(
    HttpApiEndpoint.post("submitContactRequest", "/contact-requests", {
      headers: IdempotencyKey.headers,
      payload: ContactRequestInput,
      success: ContactRequestReceived.pipe(HttpApiSchema.status(202)),
      error: [ApiError.Conflict, ApiError.RateLimited]
    }).annotate(OpenApi.Summary, "Ask to join the platform")
  )
  .annotateMerge(OpenApi.annotations({ title: "Onboarding", description: "The public contact form." }))
{}

/**
 * A contact request as admins see it.
 *
 * @category models
 * @since 0.1.0
 */
export const ContactRequest = Parties.ContactRequest.json.annotate({ identifier: "ContactRequest" })

/**
 * An entity as the API shows it.
 *
 * @category models
 * @since 0.1.0
 */
export const Entity = Parties.Entity.json.annotate({ identifier: "Entity" })

/**
 * A KYC document's record (the file itself is at `GET /kyc/documents/{id}/content`).
 *
 * @category models
 * @since 0.1.0
 */
export const KycDocument = Parties.KycDocument.json.annotate({ identifier: "KycDocument" })

/**
 * Where an entity's KYC file stands.
 *
 * @category models
 * @since 0.1.0
 */
export const KycFile = Schema.Struct({
  /** The entity. */
  entity: Entity,
  /** Its documents, oldest first. */
  documents: Schema.Array(KycDocument),
  /** Required types with no live document. */
  missing: Schema.Array(Enums.DocumentType),
  /** Required types awaiting review. */
  pending: Schema.Array(Enums.DocumentType),
  /** Whether every required type has an approved document. */
  complete: Schema.Boolean
}).annotate({ identifier: "KycFile" })

/**
 * A file upload: one part named `file`.
 *
 * @category inputs
 * @since 0.1.0
 */
export const FileUpload = Schema.Struct({
  /** The file. */
  file: Multipart.SingleFileSchema
}).pipe(HttpApiSchema.asMultipart({ maxFileSize: maxUploadBytes, maxParts: 4 }))

/**
 * A KYC document upload: its type and one file part named `file`.
 *
 * @category inputs
 * @since 0.1.0
 */
export const DocumentUpload = Schema.Struct({
  /** What the document is. */
  document_type: Enums.DocumentType,
  /** The file: PDF, PNG or JPEG, at most 10 MiB. */
  file: Multipart.SingleFileSchema
}).pipe(HttpApiSchema.asMultipart({ maxFileSize: maxUploadBytes, maxParts: 4 }))

/**
 * The group `kyc`: a client's own onboarding.
 *
 * @category groups
 * @since 0.1.0
 */
export class KycApi extends HttpApiGroup.make("kyc")
  .add(
    HttpApiEndpoint.post("signNda", "/kyc/nda", {
      payload: FileUpload,
      success: User,
      error: [ApiError.Forbidden, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Upload the signed NDA; the user moves to the KYC stage"),
    HttpApiEndpoint.get("file", "/kyc", { success: KycFile, error: ApiError.Forbidden })
      .annotate(OpenApi.Summary, "The caller's entity and where its KYC file stands"),
    HttpApiEndpoint.post("uploadDocument", "/kyc/documents", {
      payload: DocumentUpload,
      success: KycDocument.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Upload a KYC document"),
    HttpApiEndpoint.get("listDocuments", "/kyc/documents", {
      query: Pagination.query(Ids.KycDocumentId),
      success: Pagination.Page(KycDocument),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "The documents of the caller's entity, oldest first"),
    HttpApiEndpoint.get("getDocument", "/kyc/documents/:id", {
      params: { id: Ids.KycDocumentId },
      success: KycDocument,
      error: ApiError.NotFound
    }).annotate(OpenApi.Summary, "One document's record"),
    HttpApiEndpoint.get("downloadDocument", "/kyc/documents/:id/content", {
      params: { id: Ids.KycDocumentId },
      success: Schema.Uint8Array.pipe(HttpApiSchema.asUint8Array({ contentType: "application/octet-stream" })),
      error: ApiError.NotFound
    }).annotate(OpenApi.Summary, "One document's file"),
    HttpApiEndpoint.post("submit", "/kyc/submit", {
      success: KycFile,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Submit the KYC file for review (every required type uploaded)")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "KYC", description: "A client's own onboarding." }))
{}

/**
 * What converting a contact request made.
 *
 * @category models
 * @since 0.1.0
 */
export const Converted = Schema.Struct({
  /** The request, now at KYC. */
  contact_request: ContactRequest,
  /** The new entity. */
  entity: Entity,
  /** The new user, at stage NDA, invited by email. */
  user: User
}).annotate({ identifier: "Converted" })

/**
 * A staff member as an admin creates one.
 *
 * @category inputs
 * @since 0.1.0
 */
export const StaffInput = Schema.Struct({
  /** Sign-in email. */
  email: EmailInput,
  /** Given name. */
  first_name: name(100),
  /** Family name. */
  last_name: name(100),
  /** ADMIN or MM. */
  role: Schema.Literals(["ADMIN", "MM"])
}).annotate({ identifier: "StaffInput" })

/**
 * The group `admin`: the onboarding back office (ADMIN only).
 *
 * @category groups
 * @since 0.1.0
 */
export class AdminApi extends HttpApiGroup.make("admin")
  .add(
    HttpApiEndpoint.get("listContactRequests", "/admin/contact-requests", {
      query: { ...Pagination.query(Ids.ContactRequestId), status: Schema.optionalKey(Enums.ContactStatus) },
      success: Pagination.Page(ContactRequest),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Contact requests, oldest first"),
    HttpApiEndpoint.get("getContactRequest", "/admin/contact-requests/:id", {
      params: { id: Ids.ContactRequestId },
      success: ContactRequest,
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "One contact request"),
    HttpApiEndpoint.post("assignContactRequest", "/admin/contact-requests/:id/assign", {
      params: { id: Ids.ContactRequestId },
      payload: Schema.Struct({ agent_id: Ids.UserId, notes: Schema.optionalKey(name(4000)) }),
      success: ContactRequest,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Assign a staff member to a contact request"),
    HttpApiEndpoint.post("convertContactRequest", "/admin/contact-requests/:id/convert", {
      params: { id: Ids.ContactRequestId },
      headers: IdempotencyKey.headers,
      success: Converted.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Create the entity and its user (stage NDA) and invite the user"),
    HttpApiEndpoint.post("rejectContactRequest", "/admin/contact-requests/:id/reject", {
      params: { id: Ids.ContactRequestId },
      payload: reason,
      success: ContactRequest,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Reject a contact request"),
    HttpApiEndpoint.get("listEntities", "/admin/entities", {
      query: { ...Pagination.query(Ids.EntityId), kyc_status: Schema.optionalKey(Enums.KycStatus) },
      success: Pagination.Page(Entity),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Entities, oldest first"),
    HttpApiEndpoint.get("getKycFile", "/admin/entities/:id/kyc", {
      params: { id: Ids.EntityId },
      success: KycFile,
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "An entity's KYC file"),
    HttpApiEndpoint.post("approveDocument", "/admin/kyc/documents/:id/approve", {
      params: { id: Ids.KycDocumentId },
      success: KycDocument,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Approve a KYC document"),
    HttpApiEndpoint.post("rejectDocument", "/admin/kyc/documents/:id/reject", {
      params: { id: Ids.KycDocumentId },
      payload: reason,
      success: KycDocument,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Reject a KYC document; the client uploads a new one"),
    HttpApiEndpoint.post("approveEntity", "/admin/entities/:id/kyc/approve", {
      params: { id: Ids.EntityId },
      success: KycFile,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Approve an entity's KYC; its users move to APPROVED"),
    HttpApiEndpoint.post("rejectEntity", "/admin/entities/:id/kyc/reject", {
      params: { id: Ids.EntityId },
      payload: reason,
      success: KycFile,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Reject an entity's KYC; its users move to REJECTED"),
    HttpApiEndpoint.post("createStaff", "/admin/users", {
      headers: IdempotencyKey.headers,
      payload: StaffInput,
      success: User.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Create an admin or market-maker user, invited by email")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Admin", description: "The onboarding back office." }))
{}

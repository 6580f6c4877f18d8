/**
 * The rules of onboarding that are not a single state machine: which KYC documents an
 * entity must have approved before its KYC review can approve it, and where an entity's
 * file stands against that list. The server asks these; it does not keep its own list.
 *
 * @since 0.1.0
 */
import type * as Enums from "./Enums.ts"

/**
 * The document types every entity must have approved before its KYC is approved: proof the
 * company exists (registration, articles), who the person is (ID) and that the person may
 * act for the company (proof of authority). The other types of the seed (tax certificate,
 * financial statements, GHG permit, contact information) are accepted but optional.
 *
 * @category kyc
 * @since 0.1.0
 */
export const requiredDocuments: ReadonlyArray<Enums.DocumentType> = [
  "REGISTRATION",
  "ARTICLES",
  "ID",
  "PROOF_AUTHORITY"
]

/**
 * Where an entity's KYC file stands: the required types with no document at all or only
 * rejected ones (`missing`), those whose newest document awaits review (`pending`), and
 * whether every required type has an approved document (`complete`).
 *
 * @category kyc
 * @since 0.1.0
 */
export interface KycReadiness {
  /** Required types with no live document: never uploaded, or every upload rejected. */
  readonly missing: ReadonlyArray<Enums.DocumentType>
  /** Required types with a document awaiting review and none approved. */
  readonly pending: ReadonlyArray<Enums.DocumentType>
  /** Whether every required type has an approved document. */
  readonly complete: boolean
}

/**
 * The readiness of an entity's file from its documents (any order, any statuses).
 *
 * @category kyc
 * @since 0.1.0
 */
export const kycReadiness = (
  documents: ReadonlyArray<{ readonly document_type: Enums.DocumentType; readonly status: Enums.DocumentStatus }>
): KycReadiness => {
  const missing: Array<Enums.DocumentType> = []
  const pending: Array<Enums.DocumentType> = []
  for (const type of requiredDocuments) {
    const ofType = documents.filter((document) => document.document_type === type)
    if (ofType.some((document) => document.status === "APPROVED")) continue
    if (ofType.some((document) => document.status === "PENDING")) pending.push(type)
    else missing.push(type)
  }
  return { missing, pending, complete: missing.length === 0 && pending.length === 0 }
}

/**
 * Why an entity's KYC file cannot be approved yet, or undefined when it can: its client
 * has not submitted it (`not_submitted`), or a required document is missing or awaits
 * review (`incomplete`). An admin approves only a file the client said is ready.
 *
 * @category kyc
 * @since 0.1.0
 */
export const approvalBlocker = (
  entity: { readonly kyc_submitted_at: unknown },
  readiness: KycReadiness
): "not_submitted" | "incomplete" | undefined =>
  entity.kyc_submitted_at === null ? "not_submitted" : readiness.complete ? undefined : "incomplete"

/**
 * The largest KYC document (or signed NDA) accepted: 10 MiB, room for a multi-page scan as
 * PDF. The contract's multipart limit and the server's upload check both read it.
 *
 * @category uploads
 * @since 0.1.0
 */
export const maxDocumentBytes = 10 * 1024 * 1024

/**
 * The media types a KYC document may have: PDF, PNG and JPEG.
 *
 * @category uploads
 * @since 0.1.0
 */
export const documentMediaTypes = ["application/pdf", "image/png", "image/jpeg"] as const

/**
 * @category uploads
 * @since 0.1.0
 */
export type DocumentMediaType = (typeof documentMediaTypes)[number]

/**
 * What the onboarding and auth suites share: the files a client uploads, the tokens in the
 * mail the server sent, and a wait for that mail.
 */
import type { Enums } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type * as TestServer from "./TestServer.ts"

/** A minimal PDF: what the upload policy sniffs is the `%PDF-` signature. */
export const pdf = (text: string): Uint8Array =>
  new TextEncoder().encode(`%PDF-1.4\n% ${text}\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n`)

/** A PNG signature followed by some bytes. */
export const png = (text: string): Uint8Array =>
  new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new TextEncoder().encode(text)])

/** A multipart form with one file part named `file`, and a document type when given. */
export const form = (
  file: { readonly bytes: Uint8Array; readonly name: string; readonly type: string },
  documentType?: Enums.DocumentType
): FormData => {
  const data = new FormData()
  if (documentType !== undefined) data.append("document_type", documentType)
  data.append("file", new Blob([file.bytes.slice()], { type: file.type }), file.name)
  return data
}

const tokenPattern = /\bnihm_[A-Za-z0-9_-]{43}\b/

/** The magic-link token in a mail's text. */
export const tokenOf = (text: string): string => {
  const match = tokenPattern.exec(text)
  if (match === null) throw new Error(`no magic-link token in: ${text}`)
  return match[0]
}

/**
 * The newest mail to `to` of `subject`-matching kind the server delivered, waiting for the
 * outbox dispatcher (it polls every 50 ms in the test servers) up to about five seconds.
 */
export const mailTo = (
  server: TestServer.Running,
  to: string,
  predicate: (subject: string) => boolean = () => true,
  after = 0
) =>
  Effect.suspend(() => {
    const found = server.mails.slice(after).filter((mail) => mail.to === to && predicate(mail.subject)).at(-1)
    return found === undefined ? Effect.fail(`no mail to ${to} yet`) : Effect.succeed(found)
  }).pipe(Effect.retry({ schedule: Schedule.spaced("50 millis"), times: 100 }), Effect.orDie)

/**
 * The texts of the mail the platform sends, one function per notice, each returning an
 * outbox message. Links point at the public URL of the platform ({@link PublicUrl}); each
 * mail also carries the raw token, so an integrator without a web front end can redeem it
 * through the API (`POST /auth/magic-links/redeem`).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import type * as MailOutbox from "./MailOutbox.ts"

/**
 * The URL people reach the platform at, for links in mail.
 *
 * @category references
 * @since 0.1.0
 */
export const PublicUrl = Context.Reference<string>("@niha/server/Notices/PublicUrl", {
  defaultValue: () => "http://localhost:4000"
})

const link = (baseUrl: string, token: string) => `${baseUrl.replace(/\/+$/, "")}/sign-in?token=${token}`

const until = (expiresAt: DateTime.Utc) => `${DateTime.formatIso(expiresAt).slice(0, 16).replace("T", " ")} UTC`

/**
 * A sign-in link.
 *
 * @category notices
 * @since 0.1.0
 */
export const magicLink = (options: {
  readonly to: string
  readonly token: string
  readonly expiresAt: DateTime.Utc
  readonly baseUrl: string
}): MailOutbox.Outgoing => ({
  kind: "magic_link",
  to: options.to,
  subject: "Your NIHA Carbon sign-in link",
  text: [
    "Sign in to NIHA Carbon with this link (it works once):",
    "",
    link(options.baseUrl, options.token),
    "",
    `It expires at ${until(options.expiresAt)}. Token: ${options.token}`,
    "",
    "If you did not ask for it, ignore this mail: nobody can sign in without the link."
  ].join("\n")
})

/**
 * An invitation to a new user (a converted contact request, or new staff).
 *
 * @category notices
 * @since 0.1.0
 */
export const invitation = (options: {
  readonly to: string
  readonly firstName: string
  readonly token: string
  readonly expiresAt: DateTime.Utc
  readonly baseUrl: string
  readonly next: string
}): MailOutbox.Outgoing => ({
  kind: "invitation",
  to: options.to,
  subject: "Welcome to NIHA Carbon",
  text: [
    `Dear ${options.firstName},`,
    "",
    "an account at NIHA Carbon was opened for you. Sign in with this link (it works once):",
    "",
    link(options.baseUrl, options.token),
    "",
    `It expires at ${until(options.expiresAt)}. Token: ${options.token}`,
    "",
    options.next
  ].join("\n")
})

/**
 * A decision of the onboarding review, told to the client.
 *
 * @category notices
 * @since 0.1.0
 */
export const decision = (options: {
  readonly to: string
  readonly kind: "contact_request_rejected" | "document_rejected" | "kyc_approved" | "kyc_rejected"
  readonly subject: string
  readonly lines: ReadonlyArray<string>
}): MailOutbox.Outgoing => ({
  kind: options.kind,
  to: options.to,
  subject: options.subject,
  text: options.lines.join("\n")
})

/**
 * What the suites that drive a started server through the Promise facade share: running
 * a call as an Effect, capturing the facade's error, the admin's signed-in client, and a
 * staff member with a password.
 */
import { PromiseClient } from "@niha/sdk"
import * as Effect from "effect/Effect"
import { mailTo, tokenOf } from "./Onboarding.ts"
import type * as TestServer from "./TestServer.ts"

/** A password the policy accepts. */
export const strongPassword = "a long and quite unusual passphrase 93"

/** Runs a facade call; a rejection fails the test. */
export const call = <A>(promise: () => Promise<A>) => Effect.promise(promise)

/** The facade's error of a call that must fail (succeeding fails the test). */
export const failure = (promise: () => Promise<unknown>) =>
  Effect.flip(Effect.tryPromise({ try: promise, catch: (error) => error as PromiseClient.NihaError }))

/** The admin's client, signed in with the credentials printed on first start. */
export const adminOf = (server: TestServer.Running) =>
  Effect.gen(function*() {
    const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
    const session = yield* call(() =>
      anonymous.auth.login({ payload: { email: server.admin.email, password: server.admin.password } })
    )
    return { session, client: PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: session.token }) }
  })

/** A staff member (MM) invited by the admin, who set {@link strongPassword}; its session token and client. */
export const staffWithPassword = (server: TestServer.Running, email: string) =>
  Effect.gen(function*() {
    const admin = yield* adminOf(server)
    const before = server.mails.length
    yield* call(() =>
      admin.client.admin.createStaff({ payload: { email, first_name: "Mia", last_name: "Stone", role: "MM" } })
    )
    const invitation = yield* mailTo(server, email, () => true, before)
    const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
    const session = yield* call(() => anonymous.auth.redeemMagicLink({ payload: { token: tokenOf(invitation.text) } }))
    const client = PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: session.token })
    yield* call(() => client.account.changePassword({ payload: { new_password: strongPassword } }))
    return { email, client, token: session.token }
  })

/** A company that sent a contact request, converted by the admin; its user signed in at stage NDA. */
export const clientAtNda = (server: TestServer.Running, email: string, company: string) =>
  Effect.gen(function*() {
    const admin = yield* adminOf(server)
    const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
    const { id } = yield* call(() =>
      anonymous.onboarding.submitContactRequest({
        payload: {
          entity_name: company,
          contact_email: email,
          contact_first_name: "Lea",
          contact_last_name: "Moreau",
          jurisdiction: "EU"
        }
      })
    )
    const converted = yield* call(() => admin.client.admin.convertContactRequest({ params: { id } }))
    const invitation = yield* mailTo(server, email)
    const session = yield* call(() => anonymous.auth.redeemMagicLink({ payload: { token: tokenOf(invitation.text) } }))
    const client = PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: session.token })
    return { admin, client, token: session.token, entity: converted.entity }
  })

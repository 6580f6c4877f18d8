import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Mailer from "../src/Mailer.ts"
import * as MailServers from "./support/MailServers.ts"

const from: Mailer.Sender = { email: "noreply@niha.test", name: "NIHA Carbon" }

const message: Mailer.Message = {
  to: "trader@example.com",
  subject: "Your sign-in link",
  text: "Open https://niha.test/login/abc to sign in."
}

const smtpOptions = (port: number, extra: Partial<Mailer.SmtpOptions> = {}): Mailer.SmtpOptions => ({
  host: "127.0.0.1",
  port,
  useTls: false,
  from,
  ...extra
})

/** Sends one message through a fresh SMTP Mailer, closed before the server is. */
const sendSmtp = (options: Mailer.SmtpOptions, input: Mailer.Message = message) =>
  Effect.scoped(Effect.flatMap(Mailer.smtp(options), (mailer) => mailer.send(input)))

/** Sends one message through a Resend Mailer pointed at `baseUrl`. */
const sendResend = (baseUrl: string, input: Mailer.Message = message) =>
  Effect.flatMap(
    Mailer.resend({ apiKey: Redacted.make("re_test_key"), from, replyTo: "support@niha.test", baseUrl }),
    (mailer) => mailer.send(input)
  ).pipe(Effect.provide(FetchHttpClient.layer))

const config: Mailer.Config = {
  provider: "smtp",
  from_email: "noreply@niha.test",
  from_name: "NIHA Carbon",
  reply_to: null,
  resend_api_key: null,
  smtp_host: "127.0.0.1",
  smtp_port: 2525,
  smtp_username: null,
  smtp_password: null,
  smtp_use_tls: false
}

describe("Mailer", () => {
  describe("smtp", () => {
    it.effect("delivers the envelope, subject and text to the SMTP server", () =>
      Effect.gen(function*() {
        const server = yield* MailServers.smtpServer()
        const receipt = yield* sendSmtp(smtpOptions(server.port, { replyTo: "support@niha.test" }), {
          ...message,
          html: "<p>Open the link to sign in.</p>",
          idempotency_key: "0b6c2f8e-5d0c-4c1e-9a57-3f1d2e4b7a10"
        })
        assert.strictEqual(receipt.provider, "smtp")
        assert.strictEqual(receipt.message_id, "<0b6c2f8e-5d0c-4c1e-9a57-3f1d2e4b7a10@niha.test>")
        assert.strictEqual(server.received.length, 1)
        const [mail] = server.received
        assert.isDefined(mail)
        assert.strictEqual(mail.from, "noreply@niha.test")
        assert.deepStrictEqual(mail.to, ["trader@example.com"])
        assert.match(mail.raw, /^Subject: Your sign-in link\r$/m)
        assert.match(mail.raw, /^From: NIHA Carbon <noreply@niha\.test>\r$/m)
        assert.match(mail.raw, /^Reply-To: support@niha\.test\r$/m)
        assert.match(mail.raw, /^Message-ID: <0b6c2f8e-5d0c-4c1e-9a57-3f1d2e4b7a10@niha\.test>\r$/m)
        assert.include(mail.raw, "Open https://niha.test/login/abc to sign in.")
        assert.include(mail.raw, "<p>Open the link to sign in.</p>")
      }))

    it.effect("reuses one transport for several messages", () =>
      Effect.gen(function*() {
        const server = yield* MailServers.smtpServer()
        yield* Effect.scoped(Effect.gen(function*() {
          const mailer = yield* Mailer.smtp(smtpOptions(server.port))
          yield* mailer.send(message)
          yield* mailer.send({ ...message, to: "second@example.com" })
        }))
        assert.deepStrictEqual(server.received.map((mail) => mail.to), [["trader@example.com"], [
          "second@example.com"
        ]])
      }))

    it.effect("a recipient refused with 550 is a non-retryable MailError", () =>
      Effect.gen(function*() {
        const server = yield* MailServers.smtpServer({ rejectRecipient: { code: 550, text: "No such user here" } })
        const error = yield* Effect.flip(sendSmtp(smtpOptions(server.port)))
        assert.strictEqual(error._tag, "MailError")
        assert.strictEqual(error.provider, "smtp")
        assert.isFalse(error.retryable)
        assert.strictEqual(error.status, 550)
        assert.include(error.message, "No such user here")
        assert.strictEqual(server.received.length, 0)
      }))

    it.effect("a recipient deferred with 450 is a retryable MailError", () =>
      Effect.gen(function*() {
        const server = yield* MailServers.smtpServer({ rejectRecipient: { code: 450, text: "Mailbox busy" } })
        const error = yield* Effect.flip(sendSmtp(smtpOptions(server.port)))
        assert.isTrue(error.retryable)
        assert.strictEqual(error.status, 450)
      }))

    it.effect("logs in with the right credentials", () =>
      Effect.gen(function*() {
        const server = yield* MailServers.smtpServer({ credentials: { username: "relay", password: "s3cret" } })
        const receipt = yield* sendSmtp(
          smtpOptions(server.port, { username: "relay", password: Redacted.make("s3cret") })
        )
        assert.strictEqual(receipt.provider, "smtp")
        assert.strictEqual(server.received.length, 1)
        assert.strictEqual(server.received[0]?.user, "relay")
      }))

    it.effect("wrong credentials are a non-retryable MailError", () =>
      Effect.gen(function*() {
        const server = yield* MailServers.smtpServer({ credentials: { username: "relay", password: "s3cret" } })
        const error = yield* Effect.flip(
          sendSmtp(smtpOptions(server.port, { username: "relay", password: Redacted.make("wrong") }))
        )
        assert.strictEqual(error._tag, "MailError")
        assert.isFalse(error.retryable)
        assert.strictEqual(error.status, 535)
        assert.notInclude(error.message, "wrong")
        assert.strictEqual(server.received.length, 0)
      }))

    it.effect("requires STARTTLS when TLS is asked for on a port other than 465", () =>
      Effect.gen(function*() {
        const server = yield* MailServers.smtpServer()
        const error = yield* Effect.flip(sendSmtp(smtpOptions(server.port, { useTls: true })))
        assert.strictEqual(error._tag, "MailError")
        assert.include(error.message, "STARTTLS")
        assert.isFalse(error.retryable)
        assert.strictEqual(server.received.length, 0)
      }))

    it.effect("a server that does not answer is a retryable MailError", () =>
      Effect.gen(function*() {
        const port = yield* MailServers.closedPort
        const error = yield* Effect.flip(sendSmtp(smtpOptions(port)))
        assert.strictEqual(error._tag, "MailError")
        assert.isTrue(error.retryable)
      }))

    it.live("a server that accepts and then stalls fails the send after the timeout, retryable", () =>
      Effect.gen(function*() {
        const port = yield* MailServers.silentServer
        const error = yield* Effect.flip(sendSmtp(smtpOptions(port, { timeout: "300 millis" })))
        assert.isTrue(error.retryable)
        assert.include(error.message, "no answer within")
      }))

    it.effect("refuses a recipient that would smuggle in a second address", () =>
      Effect.gen(function*() {
        const server = yield* MailServers.smtpServer()
        const error = yield* Effect.flip(
          sendSmtp(smtpOptions(server.port), { ...message, to: "trader@example.com, other@example.com" })
        )
        assert.isFalse(error.retryable)
        assert.include(error.message, "invalid message")
        assert.strictEqual(server.received.length, 0)
      }))
  })

  describe("resend", () => {
    it.effect("posts the message to /emails with the key, the JSON body and the idempotency key", () =>
      Effect.gen(function*() {
        const server = yield* MailServers.resendServer()
        const receipt = yield* sendResend(server.baseUrl, {
          ...message,
          html: "<p>Open the link.</p>",
          idempotency_key: "outbox/42"
        })
        assert.deepStrictEqual(receipt, { provider: "resend", message_id: "4ef9a417-02e9-4d39-ad75-9611e0fcc33c" })
        assert.strictEqual(server.requests.length, 1)
        const [request] = server.requests
        assert.isDefined(request)
        assert.strictEqual(request.method, "POST")
        assert.strictEqual(request.path, "/emails")
        assert.strictEqual(request.headers["authorization"], "Bearer re_test_key")
        assert.strictEqual(request.headers["idempotency-key"], "outbox/42")
        assert.include(request.headers["content-type"] ?? "", "application/json")
        assert.deepStrictEqual(request.body, {
          from: "\"NIHA Carbon\" <noreply@niha.test>",
          to: ["trader@example.com"],
          subject: "Your sign-in link",
          text: "Open https://niha.test/login/abc to sign in.",
          html: "<p>Open the link.</p>",
          reply_to: "support@niha.test"
        })
      }))

    it.effect("sends no Idempotency-Key without one, and the message's own Reply-To", () =>
      Effect.gen(function*() {
        const server = yield* MailServers.resendServer()
        yield* sendResend(server.baseUrl, { ...message, reply_to: "desk@niha.test" })
        const [request] = server.requests
        assert.isDefined(request)
        assert.isUndefined(request.headers["idempotency-key"])
        assert.deepStrictEqual(request.body, {
          from: "\"NIHA Carbon\" <noreply@niha.test>",
          to: ["trader@example.com"],
          subject: "Your sign-in link",
          text: "Open https://niha.test/login/abc to sign in.",
          reply_to: "desk@niha.test"
        })
      }))

    it.effect("a 422 is a non-retryable MailError with Resend's message", () =>
      Effect.gen(function*() {
        const server = yield* MailServers.resendServer({
          status: 422,
          body: { statusCode: 422, name: "validation_error", message: "The `from` domain is not verified." }
        })
        const error = yield* Effect.flip(sendResend(server.baseUrl))
        assert.strictEqual(error._tag, "MailError")
        assert.strictEqual(error.provider, "resend")
        assert.isFalse(error.retryable)
        assert.strictEqual(error.status, 422)
        assert.include(error.message, "The `from` domain is not verified.")
        assert.include(error.message, "validation_error")
      }))

    for (const status of [429, 500, 503]) {
      it.effect(`a ${status} is a retryable MailError`, () =>
        Effect.gen(function*() {
          const server = yield* MailServers.resendServer({
            status,
            body: { statusCode: status, name: "rate_limit_exceeded", message: "Too many requests." }
          })
          const error = yield* Effect.flip(sendResend(server.baseUrl))
          assert.isTrue(error.retryable)
          assert.strictEqual(error.status, status)
        }))
    }

    it.effect("a 409 for a concurrent request with the same key is retryable, a reused key is not", () =>
      Effect.gen(function*() {
        const concurrent = yield* MailServers.resendServer({
          status: 409,
          body: { statusCode: 409, name: "concurrent_idempotent_requests", message: "In progress." }
        })
        const reused = yield* MailServers.resendServer({
          status: 409,
          body: { statusCode: 409, name: "invalid_idempotent_request", message: "Different payload." }
        })
        const keyed = { ...message, idempotency_key: "outbox/42" }
        assert.isTrue((yield* Effect.flip(sendResend(concurrent.baseUrl, keyed))).retryable)
        assert.isFalse((yield* Effect.flip(sendResend(reused.baseUrl, keyed))).retryable)
      }))

    it.effect("an answer that is not JSON still gives its status and text", () =>
      Effect.gen(function*() {
        const server = yield* MailServers.resendServer({ status: 502, body: "upstream down" })
        const error = yield* Effect.flip(sendResend(server.baseUrl))
        assert.isTrue(error.retryable)
        assert.include(error.message, "502")
        assert.include(error.message, "upstream down")
      }))

    it.effect("an unreachable API is a retryable MailError", () =>
      Effect.gen(function*() {
        const port = yield* MailServers.closedPort
        const error = yield* Effect.flip(sendResend(`http://127.0.0.1:${port}`))
        assert.isTrue(error.retryable)
        assert.isUndefined(error.status)
      }))

    it.live("an API that does not answer fails the send after the timeout, retryable", () =>
      Effect.gen(function*() {
        const port = yield* MailServers.silentServer
        const error = yield* Effect.flip(
          Effect.flatMap(
            Mailer.resend({
              apiKey: Redacted.make("re_test_key"),
              from,
              baseUrl: `http://127.0.0.1:${port}`,
              timeout: "300 millis"
            }),
            (mailer) => mailer.send(message)
          ).pipe(Effect.provide(FetchHttpClient.layer))
        )
        assert.isTrue(error.retryable)
        assert.include(error.message, "no answer within")
      }))

    it.effect("a 200 without an id is a non-retryable MailError (the message may be out)", () =>
      Effect.gen(function*() {
        const server = yield* MailServers.resendServer({ status: 200, body: { ok: true } })
        const error = yield* Effect.flip(sendResend(server.baseUrl))
        assert.isFalse(error.retryable)
        assert.strictEqual(error.status, 200)
      }))
  })

  describe("log", () => {
    it.effect("logs the message and succeeds without sending it", () =>
      Effect.gen(function*() {
        const lines: Array<{ readonly message: unknown; readonly annotations: Record<string, unknown> }> = []
        const capture = Logger.map(Logger.formatStructured, (line) => {
          lines.push(line)
        })
        const receipt = yield* Effect.flatMap(Effect.service(Mailer.Mailer), (mailer) =>
          mailer.send({ ...message, idempotency_key: "outbox/7" })).pipe(
            Effect.provide(Mailer.layerLog),
            Effect.provide(Logger.layer([capture]))
          )
        assert.deepStrictEqual(receipt, { provider: "log", message_id: "log-outbox/7" })
        assert.strictEqual(lines.length, 1)
        const [line] = lines
        assert.isDefined(line)
        assert.strictEqual(line.annotations["mail_to"], "trader@example.com")
        assert.strictEqual(line.annotations["mail_subject"], "Your sign-in link")
        assert.strictEqual(line.annotations["mail_text"], "Open https://niha.test/login/abc to sign in.")
      }))

    it.effect("checks the message like the other transports", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Mailer.log.send({ ...message, subject: "two\nlines" }))
        assert.strictEqual(error.provider, "log")
        assert.isFalse(error.retryable)
      }))
  })

  describe("fromConfig", () => {
    it.effect("chooses the transport the provider names", () =>
      Effect.gen(function*() {
        const smtp = yield* Mailer.fromConfig(config)
        const resend = yield* Mailer.fromConfig({ ...config, provider: "resend", resend_api_key: "re_key" })
        assert.strictEqual(smtp.provider, "smtp")
        assert.strictEqual(resend.provider, "resend")
      }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

    it.effect("sends through the SMTP server and login a row describes", () =>
      Effect.gen(function*() {
        const server = yield* MailServers.smtpServer({ credentials: { username: "relay", password: "s3cret" } })
        const receipt = yield* Effect.scoped(Effect.flatMap(
          Mailer.fromConfig({
            ...config,
            smtp_port: server.port,
            smtp_username: "relay",
            smtp_password: "s3cret",
            reply_to: "support@niha.test"
          }),
          (mailer) => mailer.send(message)
        ))
        assert.strictEqual(receipt.provider, "smtp")
        assert.strictEqual(server.received[0]?.user, "relay")
        assert.match(server.received[0]?.raw ?? "", /^Reply-To: support@niha\.test\r$/m)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.effect("names the missing columns in MailConfigInvalid", () =>
      Effect.gen(function*() {
        const fail = (row: Mailer.Config) =>
          Effect.flip(Mailer.fromConfig(row)).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
        const noKey = yield* fail({ ...config, provider: "resend", resend_api_key: null })
        assert.strictEqual(noKey._tag, "MailConfigInvalid")
        assert.strictEqual(noKey.provider, "resend")
        assert.deepStrictEqual(noKey.missing, ["resend_api_key"])
        assert.include(noKey.message, "resend_api_key")
        const blankKey = yield* fail({ ...config, provider: "resend", resend_api_key: "  " })
        assert.deepStrictEqual(blankKey.missing, ["resend_api_key"])
        const noHost = yield* fail({ ...config, smtp_host: null })
        assert.strictEqual(noHost.provider, "smtp")
        assert.deepStrictEqual(noHost.missing, ["smtp_host"])
        const noPassword = yield* fail({ ...config, smtp_host: null, smtp_username: "relay" })
        assert.deepStrictEqual(noPassword.missing, ["smtp_host", "smtp_password"])
      }))

    it.effect("layerConfig provides the Mailer service", () =>
      Effect.gen(function*() {
        const mailer = yield* Effect.service(Mailer.Mailer)
        assert.strictEqual(mailer.provider, "resend")
      }).pipe(
        Effect.provide(Mailer.layerConfig({ ...config, provider: "resend", resend_api_key: "re_key" })),
        Effect.provide(FetchHttpClient.layer)
      ))
  })
})

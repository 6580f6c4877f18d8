/**
 * Local stand-ins for the mail providers, for the Mailer tests: a real SMTP server
 * (`smtp-server`) on a free port of 127.0.0.1 that keeps what it receives, and a `node:http`
 * server that plays Resend's `POST /emails`. Both stop when the scope closes.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as NodeHttp from "node:http"
import * as NodeNet from "node:net"
import { SMTPServer } from "smtp-server"

/** A message as the SMTP server received it. */
export interface ReceivedMail {
  /** MAIL FROM. */
  readonly from: string | undefined
  /** RCPT TO, in order. */
  readonly to: ReadonlyArray<string>
  /** The user the client logged in as, if it did. */
  readonly user: string | undefined
  /** The message as sent over DATA (headers and body). */
  readonly raw: string
}

/** How the test SMTP server behaves. */
export interface SmtpServerOptions {
  /** Require a login with these credentials; no login is needed when absent. */
  readonly credentials?: { readonly username: string; readonly password: string } | undefined
  /** Refuse every recipient with this reply. */
  readonly rejectRecipient?: { readonly code: number; readonly text: string } | undefined
}

/** A running test SMTP server. */
export interface SmtpServer {
  readonly port: number
  readonly received: ReadonlyArray<ReceivedMail>
}

const listenPort = (server: NodeNet.Server): number => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("the server has no TCP address")
  return address.port
}

const smtpError = (code: number, text: string): Error => Object.assign(new Error(text), { responseCode: code })

/**
 * An SMTP server without STARTTLS (plain text, as a local relay would be), login optional
 * unless `credentials` are given.
 */
export const smtpServer = (options: SmtpServerOptions = {}): Effect.Effect<SmtpServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<{ readonly server: SMTPServer; readonly state: SmtpServer }>((resume) => {
      const received: Array<ReceivedMail> = []
      const credentials = options.credentials
      const server = new SMTPServer({
        disabledCommands: ["STARTTLS"],
        allowInsecureAuth: true,
        authOptional: credentials === undefined,
        logger: false,
        closeTimeout: 1_000,
        onAuth(auth, _session, callback) {
          if (
            credentials !== undefined && auth.username === credentials.username &&
            auth.password === credentials.password
          ) {
            callback(null, { user: auth.username })
          } else {
            callback(smtpError(535, "Authentication credentials invalid"))
          }
        },
        onRcptTo(_address, _session, callback) {
          const reject = options.rejectRecipient
          callback(reject === undefined ? null : smtpError(reject.code, reject.text))
        },
        onData(stream, session, callback) {
          const chunks: Array<Buffer> = []
          stream.on("data", (chunk: Buffer) => chunks.push(chunk))
          stream.on("end", () => {
            const mailFrom = session.envelope.mailFrom
            received.push({
              from: mailFrom === false ? undefined : mailFrom.address,
              to: session.envelope.rcptTo.map((recipient) => recipient.address),
              user: typeof session.user === "string" ? session.user : undefined,
              raw: Buffer.concat(chunks).toString("utf8")
            })
            callback(null, "queued")
          })
        }
      })
      server.listen(0, "127.0.0.1", () => {
        const port = listenPort(server.server)
        resume(Effect.succeed({
          server,
          state: {
            port,
            get received() {
              return received
            }
          }
        }))
      })
    }),
    ({ server }) => Effect.callback<void>((resume) => server.close(() => resume(Effect.void)))
  ).pipe(Effect.map(({ state }) => state))

/** A request the fake Resend received. */
export interface ResendRequest {
  readonly method: string | undefined
  readonly path: string | undefined
  readonly headers: NodeHttp.IncomingHttpHeaders
  readonly body: unknown
}

/** An answer of the fake Resend. */
export interface ResendAnswer {
  readonly status: number
  readonly body: unknown
}

/** A running fake Resend. */
export interface ResendServer {
  readonly baseUrl: string
  readonly requests: ReadonlyArray<ResendRequest>
}

/** A fake Resend answering every request with `answer` (by default 200 with an id). */
export const resendServer = (
  answer: ResendAnswer = { status: 200, body: { id: "4ef9a417-02e9-4d39-ad75-9611e0fcc33c" } }
): Effect.Effect<ResendServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<{ readonly server: NodeHttp.Server; readonly state: ResendServer }>((resume) => {
      const requests: Array<ResendRequest> = []
      const server = NodeHttp.createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8")
          let body: unknown
          try {
            body = JSON.parse(text)
          } catch {
            // Not JSON: keep the text so the assertion that expected JSON shows what came.
            body = text
          }
          requests.push({ method: request.method, path: request.url, headers: request.headers, body })
          response.writeHead(answer.status, { "content-type": "application/json" })
          response.end(JSON.stringify(answer.body))
        })
      })
      server.listen(0, "127.0.0.1", () => {
        resume(Effect.succeed({
          server,
          state: {
            baseUrl: `http://127.0.0.1:${listenPort(server)}`,
            get requests() {
              return requests
            }
          }
        }))
      })
    }),
    ({ server }) =>
      Effect.callback<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ state }) => state))

/** A port of 127.0.0.1 nothing listens on (it was free a moment ago). */
export const closedPort: Effect.Effect<number> = Effect.callback<number>((resume) => {
  const server = NodeHttp.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = listenPort(server)
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** A TCP server on 127.0.0.1 that accepts connections and never says a word. */
export const silentServer: Effect.Effect<number, never, Scope.Scope> = Effect.acquireRelease(
  Effect.callback<{ readonly server: NodeNet.Server; readonly sockets: Set<NodeNet.Socket> }>((resume) => {
    const sockets = new Set<NodeNet.Socket>()
    const server = NodeNet.createServer((socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, sockets })))
  }),
  ({ server, sockets }) =>
    Effect.callback<void>((resume) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map(({ server }) => listenPort(server)))

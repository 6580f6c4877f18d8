/**
 * A tiny HTTP server for the client tests: the first path segment picks its answer, so
 * one client per scenario (`baseUrl: <server>/s404`) sees a chosen status and body for
 * every endpoint. It records the headers of every request.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as NodeHttp from "node:http"
import type * as NodeNet from "node:net"

export interface ScriptedServer {
  readonly url: string
  readonly requests: Array<{ readonly path: string; readonly headers: NodeHttp.IncomingHttpHeaders }>
}

const errorBody = (status: number) => ({
  code: `code_${status}`,
  message: `message ${status}`,
  request_id: `req-${status}`,
  ...(status === 400 ? { field: "limit", issues: [{ field: "limit", message: "must be at most 100" }] } : {}),
  ...(status === 429 ? { details: { retry_after_seconds: 7, limit: "10/s" } } : {})
})

const markets = [{
  market: "CEA_CASH",
  base: "CEA",
  quote: "EUR",
  price_scale: 2,
  quote_scale: 2,
  settlement_type: "CEA_PURCHASE"
}]

const version = {
  name: "@niha/server",
  version: "0.1.0",
  api_version: "2026-11-25",
  supported_api_versions: ["2026-11-25"]
}

const level = (price: string, quantity: string) => ({ price, quantity, orders: 1 })

/** A market's stream: its snapshot, a write that rests a bid, and one that trades. */
const marketEvents = [
  ["snapshot", { market: "CEA_CASH", sequence: 3, bids: [], asks: [level("12.50", "40")] }],
  ["book", { market: "CEA_CASH", previous_sequence: 3, sequence: 4, bids: [level("12.00", "10")], asks: [] }],
  ["book", { market: "CEA_CASH", previous_sequence: 4, sequence: 5, bids: [], asks: [level("12.50", "30")] }],
  ["trade", {
    id: "CEA_CASH-5-1",
    market: "CEA_CASH",
    sequence: 5,
    price: "12.50",
    quantity: "10",
    aggressor: "BUY",
    buyer: "7K2Q-9ZLM",
    seller: "C4HV-1TRX",
    executed_at: "2026-11-25T10:00:00.000Z"
  }]
] as const

const answer = (path: string, response: NodeHttp.ServerResponse) => {
  const [, scenario = "", ...rest] = path.split("/")
  const send = (status: number, body: string, contentType = "application/json") => {
    response.writeHead(status, { "content-type": contentType, "x-request-id": `req-${status}` })
    response.end(body)
  }
  if (scenario === "ok") {
    const endpoint = rest.join("/").split("?")[0]
    if (endpoint === "health") return send(200, JSON.stringify({ status: "ok" }))
    if (endpoint === "markets") return send(200, JSON.stringify({ data: markets, has_more: false }))
    if (endpoint === "version") return send(200, JSON.stringify(version))
    if (endpoint === "markets/CEA_CASH/book") return send(200, JSON.stringify(marketEvents[0][1]))
    if (endpoint === "markets/CEA_CASH/stream") {
      const events = marketEvents.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
      return send(200, events.join(": heartbeat\n\n"), "text/event-stream")
    }
    if (endpoint === "ready") {
      return send(503, JSON.stringify({ code: "not_ready", message: "database not migrated", request_id: "req-503" }))
    }
    return send(404, JSON.stringify(errorBody(404)))
  }
  if (scenario === "text502") return send(502, "bad gateway", "text/plain")
  if (scenario === "mismatch") return send(200, JSON.stringify({ status: "not ok" }))
  const status = /^s(\d{3})$/.exec(scenario)?.[1]
  if (status !== undefined) return send(Number(status), JSON.stringify(errorBody(Number(status))))
  return send(404, JSON.stringify(errorBody(404)))
}

export const start: Effect.Effect<ScriptedServer, never, Scope.Scope> = Effect.acquireRelease(
  Effect.callback<{ readonly server: NodeHttp.Server; readonly scripted: ScriptedServer }>((resume) => {
    const requests: ScriptedServer["requests"] = []
    const server = NodeHttp.createServer((request, response) => {
      requests.push({ path: request.url ?? "", headers: request.headers })
      answer(request.url ?? "/", response)
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as NodeNet.AddressInfo
      resume(Effect.succeed({ server, scripted: { url: `http://127.0.0.1:${port}`, requests } }))
    })
  }),
  ({ server }) =>
    Effect.callback<void>((resume) => {
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map(({ scripted }) => scripted))

/** The URL of a port nothing listens on (it was just released). */
export const closedPortUrl: Effect.Effect<string> = Effect.callback<string>((resume) => {
  const server = NodeHttp.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as NodeNet.AddressInfo
    server.close(() => resume(Effect.succeed(`http://127.0.0.1:${port}`)))
  })
})

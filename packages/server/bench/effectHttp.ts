/**
 * A comparator of the server bench (`bench/server.ts` starts it): the Effect HTTP stack with
 * nothing behind it. One `HttpApi` endpoint, `POST /orders`, that decodes the contract's
 * `PlaceOrder` body and answers a canned `OrderWithFills` (given in `BENCH_CANNED` as JSON,
 * decoded once at start), served by `NodeHttpServer` in a process of its own, like `niha`.
 * No authentication, no database, no logging: what the framework alone costs per request on
 * this machine, between the bare Node server and the whole order path.
 *
 * Prints `API http://127.0.0.1:<port>` when it listens.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { OrdersApi } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServer from "effect/http/HttpServer"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as NodeHttp from "node:http"

const canned = Schema.decodeUnknownSync(Schema.fromJsonString(OrdersApi.OrderWithFills))(
  process.env["BENCH_CANNED"] ?? "{}"
)

class Bare extends HttpApi.make("bare").add(
  HttpApiGroup.make("orders").add(
    HttpApiEndpoint.post("placeOrder", "/orders", {
      payload: OrdersApi.PlaceOrder,
      success: OrdersApi.OrderWithFills.pipe(HttpApiSchema.status(201))
    })
  )
) {}

const orders = HttpApiBuilder.group(
  Bare,
  "orders",
  (handlers) => handlers.handle("placeOrder", () => Effect.succeed(canned))
)

const announce = Layer.effectDiscard(
  Effect.flatMap(HttpServer.HttpServer, (server) =>
    Effect.sync(() => {
      const port = server.address._tag === "UnixPathAddress" ? 0 : server.address.port
      process.stderr.write(`API http://127.0.0.1:${port}\n`)
    }))
)

const served = HttpRouter.serve(HttpApiBuilder.layer(Bare).pipe(Layer.provide(orders)), {
  disableLogger: true,
  disableListenLog: true
}).pipe(
  Layer.merge(announce),
  Layer.provideMerge(NodeHttpServer.layer(() => NodeHttp.createServer(), { port: 0, host: "127.0.0.1" }))
)

NodeRuntime.runMain(Layer.launch(served))

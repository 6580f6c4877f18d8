import { assert, describe, it } from "@effect/vitest"
import { Database, Migrations } from "@niha/db"
import { DocumentStorage, Logging, Server } from "@niha/server"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as NodeNet from "node:net"
import * as TestServer from "./support/TestServer.ts"

/** Whether a new TCP connection to the port is accepted, without HTTP keep-alive pools in the way. */
const accepts = (port: number): Effect.Effect<boolean> =>
  Effect.callback<boolean>((resume) => {
    const socket = NodeNet.connect(port, "127.0.0.1")
    socket.once("connect", () => {
      socket.destroy()
      resume(Effect.succeed(true))
    })
    socket.once("error", () => resume(Effect.succeed(false)))
  })

const untilRefused = (port: number) =>
  Effect.gen(function*() {
    for (let attempt = 0; attempt < 250; attempt++) {
      if (!(yield* accepts(port))) return
      yield* Effect.sleep("20 millis")
    }
    return yield* Effect.die(new Error("the server kept accepting connections after shutdown began"))
  })

const get = (url: string) =>
  Effect.promise(() =>
    fetch(url).then(
      async (response) => ({ status: response.status, text: await response.text() }),
      (error: unknown) => ({ status: 0, text: String(error) })
    )
  )

/** A server whose `/__test/slow` waits for the test to let it answer. */
const startWithSlowRoute = (
  database: Layer.Layer<Database.Client, unknown>,
  shutdownTimeout: Duration.Input
) =>
  Effect.gen(function*() {
    const entered = yield* Deferred.make<void>()
    const release = yield* Deferred.make<void>()
    const slow = HttpRouter.add(
      "GET",
      "/__test/slow",
      Effect.gen(function*() {
        yield* Deferred.succeed(entered, undefined)
        yield* Deferred.await(release)
        return HttpServerResponse.text("finished")
      })
    )
    const logs: Array<{ readonly message: unknown; readonly annotations: Record<string, unknown> }> = []
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(
      Server.layer({
        port: 0,
        host: "127.0.0.1",
        database,
        routes: slow,
        shutdownTimeout,
        storage: DocumentStorage.layerMemory
      }),
      scope
    ).pipe(Effect.provide(Logging.layer({ level: "Info", write: (line) => logs.push(JSON.parse(line)) })))
    const port = yield* Effect.provide(Server.port, context)
    const messages = () =>
      logs.map((line) => line.message === "request" ? `request ${String(line.annotations["path"])}` : line.message)
    return { entered, release, scope, port, messages }
  })

describe("graceful shutdown", () => {
  it.live.skipIf(TestServer.pgliteSkipReason !== undefined)(
    "stops accepting, finishes the request in flight, then closes the database",
    () =>
      Effect.gen(function*() {
        const dataDir = yield* TestServer.freshDataDir
        const server = yield* startWithSlowRoute(Database.layerEmbedded({ dataDir }), "30 seconds")
        const inFlight = yield* Effect.forkChild(get(`http://127.0.0.1:${server.port}/__test/slow`))
        yield* Deferred.await(server.entered)

        const shutdown = yield* Effect.forkChild(Scope.close(server.scope, Exit.void))
        yield* untilRefused(server.port)
        // New connections are refused while the request runs, and the database is still open.
        assert.notInclude(server.messages(), "database closing")
        assert.isUndefined(shutdown.pollUnsafe())

        yield* Deferred.succeed(server.release, undefined)
        assert.deepStrictEqual(yield* Fiber.join(inFlight), { status: 200, text: "finished" })
        yield* Fiber.join(shutdown)

        const order = server.messages()
        const at = (message: string) => order.indexOf(message)
        assert.isAbove(at("shutting down: no new connections, finishing requests in flight"), at("listening"))
        assert.isAbove(
          at("request /__test/slow"),
          at("shutting down: no new connections, finishing requests in flight")
        )
        assert.isAbove(at("database closing"), at("request /__test/slow"))
        assert.isAbove(at("database closed"), at("database closing"))

        // The embedded database was closed cleanly: it opens again with its migrations recorded.
        const pending = yield* Migrations.run.pipe(Effect.provide(Database.layerEmbedded({ dataDir })))
        assert.deepStrictEqual(pending, [])
      }),
    { timeout: 120_000 }
  )

  it.live.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)(
    "interrupts a request still running at the shutdown timeout, then closes the database",
    () =>
      Effect.gen(function*() {
        const database = yield* TestServer.freshDatabase(TestServer.quickBackend)
        const server = yield* startWithSlowRoute(database, "300 millis")
        const inFlight = yield* Effect.forkChild(get(`http://127.0.0.1:${server.port}/__test/slow`))
        yield* Deferred.await(server.entered)
        yield* Scope.close(server.scope, Exit.void)
        const answer = yield* Fiber.join(inFlight)
        assert.notStrictEqual(answer.status, 200)
        assert.include(server.messages(), "database closed")
      }),
    { timeout: 120_000 }
  )
})

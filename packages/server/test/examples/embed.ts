import type { Database } from "@niha/db"
import { PromiseClient } from "@niha/sdk"
import { DocumentStorage, Logging, Server } from "@niha/server"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// The server is a Layer: build it (migrate, listen), use it, and closing the scope shuts it down.
export const serveAndAsk = (database: Layer.Layer<Database.Client, unknown>) =>
  Effect.scoped(Effect.gen(function*() {
    const server = yield* Layer.build(Server.layer({
      port: 0,
      host: "127.0.0.1",
      database,
      storage: DocumentStorage.layerMemory
    }))
    const port = yield* Effect.provide(Server.port, server)
    const niha = PromiseClient.createClient({ baseUrl: `http://127.0.0.1:${port}` })
    return yield* Effect.promise(() => niha.system.ready())
  })).pipe(Effect.provide(Logging.layer({ level: "Warn" })))

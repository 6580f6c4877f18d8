import { NihaClient } from "@niha/sdk"
import * as Effect from "effect/Effect"

export const checkServer = Effect.gen(function*() {
  const niha = yield* NihaClient.NihaClient
  const { api_version, version } = yield* niha.system.version()
  const readiness = yield* niha.system.ready().pipe(
    Effect.map((ready) => ready.status),
    // Declared errors are tagged classes carrying the error body.
    Effect.catchTag("ServiceUnavailable", (error) => Effect.succeed(`${error.code}: ${error.message}`))
  )
  return { version, api_version, readiness }
})

export const main = (baseUrl: string) => checkServer.pipe(Effect.provide(NihaClient.layer({ baseUrl })))

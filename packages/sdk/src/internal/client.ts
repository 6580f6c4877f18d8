import type * as Effect from "effect/Effect"
import * as HttpApiClient from "effect/http-api/HttpApiClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as Redacted from "effect/Redacted"
import { Api } from "../Api.ts"
import * as ApiVersion from "../ApiVersion.ts"

/** Options shared by the Effect client and the Promise facade. */
export interface Options {
  readonly baseUrl: string | URL
  readonly apiKey?: string | Redacted.Redacted | undefined
  readonly apiVersion?: string | undefined
}

/**
 * The derived client, with the headers every request carries. `transformResponse` sees
 * the decoding of each response (not the encoding of the request), which lets the
 * Promise facade tell a response it cannot read from a request it refused to send.
 */
export const make = (
  options: Options,
  transformResponse?: (effect: Effect.Effect<unknown, unknown, unknown>) => Effect.Effect<unknown, unknown, unknown>
) =>
  HttpApiClient.make(Api, {
    baseUrl: options.baseUrl,
    transformResponse,
    transformClient: HttpClient.mapRequest((request) => {
      const versioned = HttpClientRequest.setHeader(
        request,
        ApiVersion.header,
        options.apiVersion ?? ApiVersion.current
      )
      return options.apiKey === undefined ? versioned : HttpClientRequest.bearerToken(versioned, options.apiKey)
    })
  })

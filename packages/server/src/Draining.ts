/**
 * The signal that the server has begun to shut down. Shutdown waits for the requests in
 * flight (up to its timeout), and a response that never ends by itself, such as the
 * market data stream, would hold it for the whole timeout: such responses end when this
 * signal completes, which the server does first thing when it closes (`Server.layer`).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Layer from "effect/Layer"

/**
 * Completed when the server begins to shut down.
 *
 * @category services
 * @since 0.1.0
 */
export class Draining extends Context.Service<Draining, Deferred.Deferred<void>>()("@niha/server/Draining") {}

/**
 * A signal not yet completed. A server builds it once (a Layer is built once per build,
 * however many layers use it) and completes it when it begins to shut down.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<Draining> = Layer.effect(Draining, Deferred.make<void>())

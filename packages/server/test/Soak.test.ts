/**
 * The soak suite (issue #18): seeded clients against two `niha` processes on PostgreSQL,
 * the processes SIGKILLed and PostgreSQL restarted under load, every answer checked by an
 * independent accounting model and the money invariants checked after every fault and at
 * the end (see `support/Soak.ts`).
 *
 * `pnpm test` runs a bounded form (50 clients, about 1,200 requests, 3 kills, 1 PostgreSQL
 * restart); `pnpm test:soak` (`NIHA_SOAK=full`) the full one (50 clients, 20,000
 * requests, 24 kills, 4 restarts), which prints its figures as a summary and one line of
 * JSON. The seed is printed first: `NIHA_SOAK_SEED=<seed>` replays a run (CI: 20261129).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Prng from "./support/Prng.ts"
import * as Soak from "./support/Soak.ts"
import * as TestServer from "./support/TestServer.ts"

const full = process.env["NIHA_SOAK"] === "full"
const seed = Prng.seedFrom("NIHA_SOAK_SEED", 20261129)
console.log(`soak seed=${seed} (${full ? "full" : "bounded"}; NIHA_SOAK_SEED=${seed} replays)`)

const config: Soak.Config = full ?
  {
    seed,
    clients: 50,
    entities: 5,
    requestsPerClient: Number(process.env["NIHA_SOAK_REQUESTS"] ?? 400),
    kills: 24,
    pgRestarts: 4,
    sampleEveryMs: 10_000,
    survivorLimitMs: 5_000
  } :
  {
    seed,
    clients: 50,
    entities: 5,
    requestsPerClient: 24,
    kills: 3,
    pgRestarts: 1,
    sampleEveryMs: 5_000,
    // Bounded runs share CI machines: a slow survivor is reported by the full run, not here.
    survivorLimitMs: 60_000
  }

describe.skipIf(TestServer.skipReasonOf("postgres") !== undefined)("soak", () => {
  it.live(
    `seeded load, SIGKILLs and PostgreSQL restarts keep every invariant (seed ${seed})`,
    () =>
      Effect.gen(function*() {
        const outcome = yield* Effect.scoped(Soak.run(config))
        console.log(Soak.summary(outcome.figures))
        console.log(JSON.stringify(outcome.figures))
        assert.deepStrictEqual(outcome.problems, [], `soak seed=${seed}: ${outcome.problems[0] ?? ""}`)
        assert.strictEqual(outcome.figures.status500, 0)
        assert.strictEqual(outcome.figures.kills, config.kills)
        assert.isAbove(outcome.figures.acknowledgedOrders, config.clients)
      }),
    { timeout: full ? 3_600_000 : 240_000 }
  )
})

import { describe, expect, it } from "@effect/vitest"
import { Errors, Ids, Money, StateMachine } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"

const entity = Schema.decodeUnknownSync(Ids.EntityId)("6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f")

const samples: ReadonlyArray<readonly [Errors.DomainError, string]> = [
  [
    new Errors.InsufficientFunds({ entity_id: entity, asset_type: "EUR", required: "1500.00", available: "1200.50" }),
    "insufficient EUR: 1500.00 required, 1200.50 available"
  ],
  [
    new StateMachine.InvalidTransition({ machine: "depositstatus", from: "PENDING", to: "CLEARED" }),
    "depositstatus: cannot move from PENDING to CLEARED"
  ],
  [
    new Errors.NotPermitted({ action: "configure_fees", role: "MM", allowed: ["ADMIN"] }),
    "a user at MM may not configure fees (allowed: ADMIN)"
  ],
  [new Errors.NotFound({ resource: "deposits", id: "42" }), "deposits 42 not found"],
  [
    new Errors.ValidationFailed({ issues: [{ path: "amount", message: "a EUR amount must not be negative" }] }),
    "amount: a EUR amount must not be negative"
  ],
  [
    new Errors.Conflict({ resource: "asset_transactions", reason: "idempotency key reused with other fields" }),
    "asset_transactions: idempotency key reused with other fields"
  ],
  [
    new Errors.KycNotReady({ entity_id: entity, reason: "incomplete", missing: ["ID"], pending: [] }),
    "the KYC file is not complete: missing ID, awaiting review none"
  ],
  [
    new Errors.LimitExceeded({ limit: "max_per_24h", amount: "300000.00", bound: "250000.00", remaining: "0.00" }),
    "the amount 300000.00 exceeds the 24-hour limit of 250000.00; 0.00 remains"
  ],
  [
    new Errors.OrderRejected({ market: "CEA_CASH", reason: "POST_ONLY_WOULD_CROSS" }),
    "CEA_CASH: a post-only order would trade on arrival"
  ],
  [
    new Errors.OrderRejected({ market: "SWAP", reason: "FOK_NOT_FILLABLE" }),
    "SWAP: a fill-or-kill order cannot be filled in full at once"
  ],
  [
    new Errors.OrderRejected({ market: "SWAP", reason: "MARKET_HALTED" }),
    "SWAP: the market is halted"
  ],
  [
    new Errors.RateLimited({ retry_after_seconds: 30, limit: "60 requests per minute" }),
    "rate limit 60 requests per minute reached: retry after 30 s"
  ],
  [
    new Errors.OutOfRange({ what: "a EUR amount", value: "-1.00", min: "0.00", max: "90071992547409.91" }),
    "a EUR amount -1.00 is out of range (0.00 to 90071992547409.91)"
  ]
]

describe("Errors", () => {
  it("re-exports InvalidTransition from the state machines", () => {
    expect(Errors.InvalidTransition).toBe(StateMachine.InvalidTransition)
  })

  it("gives each error a message a person can read", () => {
    for (const [error, message] of samples) expect(error.message).toBe(message)
  })

  it("round-trips every error through JSON with the DomainError union, keeping its class", () => {
    const codec = Schema.toCodecJson(Errors.DomainError)
    for (const [error] of samples) {
      const json = JSON.parse(JSON.stringify(Schema.encodeSync(codec)(error)))
      expect(json._tag).toBe(error._tag)
      const decoded = Schema.decodeUnknownSync(codec)(json)
      expect(decoded).toEqual(error)
      expect(decoded.constructor).toBe(error.constructor)
    }
  })

  it("turns a decoding failure into ValidationFailed with a path per problem", () => {
    const Body = Schema.Struct({ amount: Money.CentsFromString, lines: Schema.Array(Money.CentsFromString) })
    const result = Schema.decodeUnknownResult(Body, { errors: "all" })({ amount: "-5", lines: ["1.00", "x"] })
    expect(Result.isFailure(result)).toBe(true)
    if (Result.isFailure(result)) {
      const failed = Errors.validationFailed(result.failure)
      expect(failed.issues).toEqual([
        { path: "amount", message: "a EUR amount must not be negative: got \"-5\"" },
        { path: "lines.1", message: "a EUR amount must be a decimal such as \"1234.50\": got \"x\"" }
      ])
    }
  })

  it.effect("is yielded as a typed failure, not thrown", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.fail(new Errors.NotFound({ resource: "orders", id: "1" })))
      expect(error._tag).toBe("NotFound")
    }))
})

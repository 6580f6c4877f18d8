import { assert, describe, it } from "@effect/vitest"
import { Errors, Ids, StateMachine } from "@niha/domain"
import { ApiError } from "@niha/sdk"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import * as Property from "./support/Property.ts"

const entityId = Schema.decodeSync(Ids.EntityId)("0b6e4c8e-3f0c-4a57-9c43-3a5d1f1b2c11")

describe("ApiError", () => {
  it("maps every domain error to its status, code and details", () => {
    const cases: ReadonlyArray<{
      readonly error: Errors.DomainError
      readonly tag: ApiError.ApiError["_tag"]
      readonly code: ApiError.ErrorCode
      readonly details?: Record<string, unknown>
    }> = [
      {
        error: new Errors.NotFound({ resource: "deposits", id: "d1" }),
        tag: "NotFound",
        code: "not_found",
        details: { resource: "deposits", id: "d1" }
      },
      {
        error: new Errors.Conflict({ resource: "orders", reason: "idempotency key reused" }),
        tag: "Conflict",
        code: "conflict",
        details: { resource: "orders", reason: "idempotency key reused" }
      },
      {
        error: new Errors.NotPermitted({ action: "place_order", role: "NDA", allowed: ["CEA", "SWAP"] }),
        tag: "Forbidden",
        code: "not_permitted",
        details: { action: "place_order", role: "NDA", allowed: ["CEA", "SWAP"] }
      },
      {
        error: new Errors.RateLimited({ retry_after_seconds: 30, limit: "5 logins per minute" }),
        tag: "RateLimited",
        code: "rate_limited",
        details: { retry_after_seconds: 30, limit: "5 logins per minute" }
      },
      {
        error: new Errors.InsufficientFunds({
          entity_id: entityId,
          asset_type: "EUR",
          required: "100.00",
          available: "20.50"
        }),
        tag: "Conflict",
        code: "insufficient_funds",
        details: { entity_id: entityId, asset_type: "EUR", required: "100.00", available: "20.50" }
      },
      {
        error: new StateMachine.InvalidTransition({ machine: "orderstatus", from: "FILLED", to: "OPEN" }),
        tag: "Conflict",
        code: "invalid_transition",
        details: { machine: "orderstatus", from: "FILLED", to: "OPEN" }
      },
      {
        error: new Errors.OutOfRange({ what: "amount", value: "-1", min: "0", max: "9007199254740991" }),
        tag: "BadRequest",
        code: "out_of_range",
        details: { what: "amount", value: "-1", min: "0", max: "9007199254740991" }
      }
    ]
    for (const { code, details, error, tag } of cases) {
      const mapped = ApiError.fromDomain(error, "req-1")
      assert.strictEqual(mapped._tag, tag, error._tag)
      assert.strictEqual(mapped.code, code)
      assert.strictEqual(mapped.message, error.message)
      assert.strictEqual(mapped.request_id, "req-1")
      assert.deepStrictEqual(mapped.details, details)
      assert.isTrue(ApiError.isApiError(mapped))
    }
  })

  it("names the first field of a validation failure and keeps every issue", () => {
    const issue = fc.record({
      path: fc.oneof(fc.constant(""), fc.stringMatching(/^[a-z_]{1,8}(\.[0-9])?$/)),
      message: fc.string()
    })
    fc.assert(
      fc.property(fc.array(issue, { maxLength: 5 }), (issues) => {
        const mapped = ApiError.fromDomain(new Errors.ValidationFailed({ issues }), "req-2")
        assert.instanceOf(mapped, ApiError.BadRequest)
        assert.strictEqual(ApiError.statusOf[mapped._tag], 400)
        assert.strictEqual(mapped.code, "validation_failed")
        assert.strictEqual(mapped.field, issues.find((i) => i.path !== "")?.path)
        assert.deepStrictEqual(mapped.issues, issues.map((i) => ({ field: i.path, message: i.message })))
      }),
      Property.parameters
    )
  })

  it("goes on the wire without its class tag and comes back as the same class", () => {
    const error = new ApiError.Conflict({ code: "conflict", message: "taken", field: "email", request_id: "r" })
    const encoded = Schema.encodeSync(ApiError.Conflict)(error)
    assert.deepStrictEqual(encoded, { code: "conflict", message: "taken", field: "email", request_id: "r" })
    assert.deepStrictEqual(JSON.parse(JSON.stringify(encoded)), ApiError.toBody(error))
    const decoded = Schema.decodeUnknownSync(ApiError.Conflict)(encoded)
    assert.instanceOf(decoded, ApiError.Conflict)
    assert.strictEqual(decoded._tag, "Conflict")
    assert.deepStrictEqual(ApiError.toBody(decoded), encoded)
  })

  it("rebuilds the class of a status from a body", () => {
    const body = { code: "x", message: "y", request_id: "z" }
    const expected: ReadonlyArray<readonly [number, ApiError.ApiError["_tag"]]> = [
      [400, "BadRequest"],
      [401, "Unauthorized"],
      [403, "Forbidden"],
      [404, "NotFound"],
      [409, "Conflict"],
      [413, "PayloadTooLarge"],
      [415, "BadRequest"],
      [429, "RateLimited"],
      [500, "InternalError"],
      [502, "InternalError"],
      [503, "ServiceUnavailable"]
    ]
    for (const [status, tag] of expected) {
      const error = ApiError.fromBody(status, body)
      assert.strictEqual(error._tag, tag, String(status))
      assert.deepStrictEqual(ApiError.toBody(error), body)
      if (status !== 415 && status !== 502) assert.strictEqual(ApiError.statusOf[error._tag], status)
    }
  })
})

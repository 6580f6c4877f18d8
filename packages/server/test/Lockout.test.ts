import { assert, describe, it } from "@effect/vitest"
import { Auth } from "@niha/server"
import * as Duration from "effect/Duration"

const policy: Auth.Policy = {
  ...Auth.defaultPolicy,
  lockoutThreshold: 3,
  lockoutWindow: Duration.minutes(15),
  lockoutDuration: Duration.minutes(15)
}
const minute = 60_000

describe("Auth.lockEnd", () => {
  it("locks at the threshold-th failure within the window, for the lock's duration", () => {
    assert.strictEqual(Auth.lockEnd([0, minute, 2 * minute], 3 * minute, policy), 17 * minute)
    assert.strictEqual(Auth.lockEnd([0, minute], 3 * minute, policy), undefined)
  })

  it("does not count failures that left the window", () => {
    assert.strictEqual(Auth.lockEnd([0, 16 * minute, 17 * minute], 18 * minute, policy), undefined)
  })

  it("ends at a fixed time whatever arrives during the lock", () => {
    const during = Array.from({ length: 100 }, (_, i) => 2 * minute + (i + 1) * 1000)
    assert.strictEqual(Auth.lockEnd([0, minute, 2 * minute, ...during], 16 * minute, policy), 17 * minute)
    assert.strictEqual(Auth.lockEnd([0, minute, 2 * minute, ...during], 17 * minute, policy), undefined)
  })

  it("counts afresh after a lock ends", () => {
    const failures = [0, minute, 2 * minute, 18 * minute, 19 * minute]
    assert.strictEqual(Auth.lockEnd(failures, 20 * minute, policy), undefined)
    assert.strictEqual(Auth.lockEnd([...failures, 20 * minute], 21 * minute, policy), 35 * minute)
  })
})

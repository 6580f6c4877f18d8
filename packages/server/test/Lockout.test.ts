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

describe("the default policy against an attacker guessing one account's password", () => {
  /**
   * One guess a second for `hours`: a guess is a password check unless the email is
   * locked at that moment (then it is refused before the check and not counted).
   */
  const hammer = (hours: number) => {
    const checked: Array<number> = []
    let longestLock = 0
    for (let at = 0; at < hours * 60 * minute; at += 1000) {
      const lockedUntil = Auth.lockEnd(checked, at, Auth.defaultPolicy)
      if (lockedUntil === undefined) checked.push(at)
      else longestLock = Math.max(longestLock, lockedUntil - at)
    }
    return { checked, longestLock }
  }

  it("checks at most 100 passwords in any hour (ASVS V2.2.1), and about 20", () => {
    const { checked } = hammer(3)
    for (const start of checked) {
      const inHour = checked.filter((at) => at >= start && at < start + 60 * minute).length
      assert.isAtMost(inHour, 100)
      assert.isAtMost(inHour, 25)
    }
    assert.strictEqual(Auth.defaultPolicy.maxFailuresPerHour, 100)
  })

  it("never locks the owner out for longer than one lock, however long the attack lasts", () => {
    const { longestLock } = hammer(3)
    assert.isAtMost(longestLock, Duration.toMillis(Auth.defaultPolicy.lockoutDuration))
    assert.isAbove(longestLock, 0)
  })
})

import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { TestClock } from "effect/testing"
import * as Throttle from "../src/Throttle.ts"

const refused = (throttle: Throttle.Throttle, key: string) => Effect.flip(throttle.take(key))

describe("Throttle", () => {
  it.effect("accepts `limit` attempts, then refuses with the seconds to wait and the limit", () =>
    Effect.gen(function*() {
      const throttle = yield* Throttle.make({ limit: 3, window: "1 minute" })
      for (let i = 0; i < 3; i++) yield* throttle.take("ip:203.0.113.7")
      const error = yield* refused(throttle, "ip:203.0.113.7")
      assert.strictEqual(error._tag, "Throttled")
      assert.strictEqual(error.retry_after_seconds, 60)
      assert.strictEqual(error.limit, "3 attempts per 1m")
      assert.include(error.message, "retry after 60 s")
    }))

  it.effect("accepts again once the window has passed", () =>
    Effect.gen(function*() {
      const throttle = yield* Throttle.make({ limit: 2, window: "1 minute" })
      yield* throttle.take("k")
      yield* throttle.take("k")
      yield* TestClock.adjust("59 seconds")
      assert.strictEqual((yield* refused(throttle, "k")).retry_after_seconds, 1)
      yield* TestClock.adjust("1 second")
      yield* throttle.take("k")
      yield* throttle.take("k")
      assert.strictEqual((yield* refused(throttle, "k")).retry_after_seconds, 60)
    }))

  it.effect("slides: an attempt is freed when the oldest leaves the window, not at a boundary", () =>
    Effect.gen(function*() {
      const throttle = yield* Throttle.make({ limit: 3, window: "1 minute" })
      yield* throttle.take("k") // t = 0
      yield* TestClock.adjust("30 seconds")
      yield* throttle.take("k") // t = 30
      yield* TestClock.adjust("10 seconds")
      yield* throttle.take("k") // t = 40
      assert.strictEqual((yield* refused(throttle, "k")).retry_after_seconds, 20)
      yield* TestClock.adjust("20 seconds") // t = 60: the first attempt has left the window
      yield* throttle.take("k")
      // The next one frees at t = 90, when the attempt of t = 30 leaves.
      assert.strictEqual((yield* refused(throttle, "k")).retry_after_seconds, 30)
    }))

  it.effect("does not count refused attempts: hammering does not lengthen the wait", () =>
    Effect.gen(function*() {
      const throttle = yield* Throttle.make({ limit: 1, window: "1 minute" })
      yield* throttle.take("k")
      for (let i = 0; i < 50; i++) {
        yield* TestClock.adjust("1 second")
        yield* refused(throttle, "k")
      }
      yield* TestClock.adjust("10 seconds")
      yield* throttle.take("k")
    }))

  it.effect("rounds a wait under a second up to 1", () =>
    Effect.gen(function*() {
      const throttle = yield* Throttle.make({ limit: 1, window: "1500 millis" })
      yield* throttle.take("k")
      yield* TestClock.adjust("1400 millis")
      assert.strictEqual((yield* refused(throttle, "k")).retry_after_seconds, 1)
    }))

  it.effect("keeps keys independent", () =>
    Effect.gen(function*() {
      const throttle = yield* Throttle.make({ limit: 1, window: "1 minute" })
      yield* throttle.take("email:ada@example.com")
      yield* refused(throttle, "email:ada@example.com")
      yield* throttle.take("email:grace@example.com")
      yield* throttle.take("ip:203.0.113.7")
    }))

  it.effect("reset forgets a key's attempts", () =>
    Effect.gen(function*() {
      const throttle = yield* Throttle.make({ limit: 1, window: "1 minute" })
      yield* throttle.take("k")
      yield* refused(throttle, "k")
      yield* throttle.reset("k")
      yield* throttle.take("k")
      yield* refused(throttle, "k")
    }))

  it.effect("drops keys whose attempts have all left the window", () =>
    Effect.gen(function*() {
      const throttle = yield* Throttle.make({ limit: 5, window: "1 minute" })
      for (let i = 0; i < 100; i++) yield* throttle.take(`ip:${i}`)
      assert.strictEqual(yield* throttle.size, 100)
      yield* TestClock.adjust("30 seconds")
      yield* throttle.take("late")
      assert.strictEqual(yield* throttle.size, 101)
      yield* TestClock.adjust("30 seconds")
      assert.strictEqual(yield* throttle.size, 1)
      yield* TestClock.adjust("30 seconds")
      assert.strictEqual(yield* throttle.size, 0)
    }))

  it.effect("caps the number of keys, forgetting the least recently attempted", () =>
    Effect.gen(function*() {
      const throttle = yield* Throttle.make({ limit: 1, window: "1 minute", maxKeys: 2 })
      yield* throttle.take("a")
      yield* throttle.take("b")
      yield* throttle.take("c") // "a" is forgotten to make room
      assert.strictEqual(yield* throttle.size, 2)
      yield* refused(throttle, "b")
      yield* refused(throttle, "c")
      yield* throttle.take("a") // accepted again: forgotten; "b" makes room
      yield* refused(throttle, "c")
      yield* throttle.take("b")
      assert.strictEqual(yield* throttle.size, 2)
    }))

  it.effect("treats nonsensical options as a defect", () =>
    Effect.gen(function*() {
      for (
        const options of [
          { limit: 0, window: "1 minute" },
          { limit: 1.5, window: "1 minute" },
          { limit: 1, window: 0 },
          { limit: 1, window: "1 minute", maxKeys: 0 }
        ] as const
      ) {
        const exit = yield* Effect.exit(Throttle.make(options))
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), JSON.stringify(options))
      }
    }))
})

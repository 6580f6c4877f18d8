import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Result from "effect/Result"
import * as Password from "../src/Password.ts"

const cheap: Password.Params = { ln: 10, r: 8, p: 1 }
const withCheap = Effect.provideService(Password.CurrentParams, cheap)

const reasonOf = (password: string, context?: Password.CheckContext): string | undefined => {
  const result = Password.check(password, context)
  return Result.isFailure(result) ? result.failure.reason : undefined
}

// 16 distinct characters, none of them a common word: a base for passwords of any length.
const base = "vT7#kq9Lm2!xRw4Z"
const ofLength = (n: number): string => base.repeat(Math.ceil(n / base.length)).slice(0, n)

describe("Password.check", () => {
  it("counts length in code points after NFC: 11 is too short, 12 and 128 pass, 129 is too long", () => {
    assert.strictEqual(Password.minLength, 12)
    assert.strictEqual(Password.maxLength, 128)
    assert.strictEqual(reasonOf(ofLength(11)), "too_short")
    assert.strictEqual(reasonOf(ofLength(12)), undefined)
    assert.strictEqual(reasonOf(ofLength(128)), undefined)
    assert.strictEqual(reasonOf(ofLength(129)), "too_long")
  })

  it("counts an emoji as one character, not two UTF-16 units", () => {
    const twelve = "😀😁😂🤣😃😄😅😆😉😊😋😎"
    assert.strictEqual(twelve.length, 24)
    assert.strictEqual(reasonOf(twelve), undefined)
    assert.strictEqual(reasonOf(twelve.slice(0, 22)), "too_short")
  })

  it("counts a decomposed accent as one character (NFC)", () => {
    const decomposed = "e\u0301".repeat(6) + "xq7#k"
    assert.strictEqual(decomposed.length, 17)
    assert.strictEqual(reasonOf(decomposed), "too_short")
  })

  it("allows spaces and every kind of character, without composition rules", () => {
    assert.strictEqual(reasonOf("violet tram at dusk"), undefined)
    assert.strictEqual(reasonOf("ünïcödé wörds çà"), undefined)
  })

  it("refuses common passwords, case-insensitively and with digits or punctuation appended", () => {
    assert.strictEqual(reasonOf("1qaz2wsx3edc"), "common")
    assert.strictEqual(reasonOf("1QAZ2WSX3EDC"), "common")
    assert.strictEqual(reasonOf("Password1234!"), "common")
    assert.strictEqual(reasonOf("qwertyuiop12"), "common")
    assert.strictEqual(reasonOf("Football!!!!2024"), "common")
    assert.strictEqual(reasonOf("Sunshine 2024 ?"), "common")
    // A common word inside a longer phrase is fine: only the whole or the stripped whole counts.
    assert.strictEqual(reasonOf("password is not my password"), undefined)
  })

  it("refuses passwords containing the email's local part or a name of four characters or more", () => {
    const context = { email: "margaret.hamilton@example.com", names: ["Grace Hopper"] }
    assert.strictEqual(reasonOf("xMargaret.Hamilton9", context), "personal")
    assert.strictEqual(reasonOf("i-love-HAMILTON-songs", context), "personal")
    assert.strictEqual(reasonOf("admiral hopper rules", context), "personal")
    assert.strictEqual(reasonOf("violet tram at dusk", context), undefined)
    // Too short to refuse: "ab" and "li" would match far too much.
    assert.strictEqual(reasonOf("ab cd ef li gh", { email: "ab@example.com", names: ["Li"] }), undefined)
    assert.strictEqual(reasonOf("zoe is here forever", { email: "zoe1@example.com" }), undefined)
    assert.strictEqual(reasonOf("zoe1 is here forever", { email: "zoe1@example.com" }), "personal")
  })

  it("refuses one character repeated", () => {
    assert.strictEqual(reasonOf("aaaaaaaaaaaaaa"), "repetitive")
    assert.strictEqual(reasonOf("🔒".repeat(12)), "repetitive")
    assert.strictEqual(reasonOf("aaaaaaaaaaab"), undefined)
  })

  it("explains the refusal without repeating the password", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["short1", "too_short"],
      [ofLength(129), "too_long"],
      ["Password1234!", "common"],
      ["xMargaret.Hamilton9", "personal"],
      ["zzzzzzzzzzzzzzzz", "repetitive"]
    ]
    for (const [password, reason] of cases) {
      const result = Password.check(password, { email: "margaret.hamilton@example.com" })
      assert.isTrue(Result.isFailure(result))
      if (Result.isFailure(result)) {
        assert.strictEqual(result.failure._tag, "WeakPassword")
        assert.strictEqual(result.failure.reason, reason)
        assert.isAbove(result.failure.message.length, 20)
        assert.notInclude(result.failure.message, password)
      }
    }
  })
})

const phc = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

describe("Password.hash and verify", () => {
  it.effect("encodes a PHC string with a 16-byte salt and a 32-byte hash", () =>
    Effect.gen(function*() {
      const encoded = yield* Password.hash("violet tram at dusk")
      const match = phc.exec(encoded)
      assert.isNotNull(match)
      assert.deepStrictEqual(match?.slice(1, 4), ["10", "8", "1"])
      assert.strictEqual(Buffer.from(match?.[4] ?? "", "base64").length, 16)
      assert.strictEqual(Buffer.from(match?.[5] ?? "", "base64").length, 32)
      // Base64 without padding: 22 and 43 characters.
      assert.strictEqual(match?.[4]?.length, 22)
      assert.strictEqual(match?.[5]?.length, 43)
    }).pipe(withCheap))

  it.effect("verifies the right password and refuses a wrong one", () =>
    Effect.gen(function*() {
      const encoded = yield* Password.hash("violet tram at dusk")
      assert.isTrue(yield* Password.verify("violet tram at dusk", encoded))
      assert.isFalse(yield* Password.verify("violet tram at dawn", encoded))
      assert.isFalse(yield* Password.verify("Violet tram at dusk", encoded))
      assert.isFalse(yield* Password.verify("", encoded))
    }).pipe(withCheap))

  it.effect("salts each hash: the same password hashes differently twice", () =>
    Effect.gen(function*() {
      const first = yield* Password.hash("violet tram at dusk")
      const second = yield* Password.hash("violet tram at dusk")
      assert.notStrictEqual(first, second)
    }).pipe(withCheap))

  it.effect("hashes the NFC form: a decomposed accent verifies against the composed one", () =>
    Effect.gen(function*() {
      const encoded = yield* Password.hash("caf\u00e9 au lait noir")
      assert.isTrue(yield* Password.verify("cafe\u0301 au lait noir", encoded))
    }).pipe(withCheap))

  it.effect("refuses a tampered hash, salt or parameter", () =>
    Effect.gen(function*() {
      const encoded = yield* Password.hash("violet tram at dusk")
      const parts = encoded.split("$")
      const flip = (text: string) => (text[0] === "A" ? "B" : "A") + text.slice(1)
      const tamperedHash = [...parts.slice(0, 4), flip(parts[4] ?? "")].join("$")
      const tamperedSalt = [...parts.slice(0, 3), flip(parts[3] ?? ""), parts[4]].join("$")
      const tamperedParams = encoded.replace("ln=10", "ln=11")
      assert.isFalse(yield* Password.verify("violet tram at dusk", tamperedHash))
      assert.isFalse(yield* Password.verify("violet tram at dusk", tamperedSalt))
      assert.isFalse(yield* Password.verify("violet tram at dusk", tamperedParams))
    }).pipe(withCheap))

  it.effect("answers false and logs a warning for a hash that does not parse", () =>
    Effect.gen(function*() {
      const warnings: Array<string> = []
      const collector = Logger.make((options) => {
        warnings.push(`${options.logLevel}: ${String(options.message)}`)
      })
      const garbage = [
        "",
        "not a hash",
        "$2b$12$abcdefghijklmnopqrstuu", // bcrypt: another scheme
        "$scrypt$ln=17,r=8,p=1$c2FsdA$", // no hash
        "$scrypt$ln=99,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", // cost out of range
        "$scrypt$ln=17,r=8,p=1$c2FsdHNhbHRzYWx0==$aGFzaGhhc2hoYXNoaGFzaA" // padded base64
      ]
      for (const encoded of garbage) {
        assert.isFalse(
          yield* Password.verify("violet tram at dusk", encoded).pipe(Effect.provide(Logger.layer([collector])))
        )
      }
      assert.strictEqual(warnings.length, garbage.length)
      assert.isTrue(warnings.every((line) => line.startsWith("Warn")))
    }))

  it("needsRehash: parameters other than the target's, or a hash that does not parse", async () => {
    const encoded = await Effect.runPromise(Password.hash("violet tram at dusk").pipe(withCheap))
    assert.isFalse(Password.needsRehash(encoded, cheap))
    assert.isTrue(Password.needsRehash(encoded, Password.owasp))
    assert.isTrue(Password.needsRehash(encoded, { ...cheap, r: 16 }))
    assert.isTrue(Password.needsRehash(encoded, { ...cheap, p: 2 }))
    assert.isTrue(Password.needsRehash("garbage", cheap))
  })

  it.effect("verifyDummy answers false", () =>
    Effect.gen(function*() {
      assert.isFalse(yield* Password.verifyDummy("violet tram at dusk"))
      assert.isFalse(yield* Password.verifyDummy(""))
    }).pipe(withCheap))

  // Equal cost is structural, not timed (speed belongs in benchmarks): the dummy is a hash of
  // the current parameters with real salt and key sizes, so verifying it runs the same scrypt.
  it.effect("verifyDummy verifies against a hash of the current parameters", () =>
    Effect.gen(function*() {
      const params = yield* Password.CurrentParams
      const dummy = Password.dummyHash(params)
      const real = yield* Password.hash("violet tram at dusk")
      assert.isFalse(Password.needsRehash(dummy, params))
      assert.strictEqual(dummy.split("$")[2], real.split("$")[2])
      assert.strictEqual(dummy.length, real.length)
      assert.isFalse(yield* Password.verify("violet tram at dusk", dummy))
    }).pipe(withCheap))

  it.live("hashes and verifies once with the production OWASP parameters (128 MiB)", () =>
    Effect.gen(function*() {
      const encoded = yield* Password.hash("violet tram at dusk")
      assert.match(encoded, /^\$scrypt\$ln=17,r=8,p=1\$/)
      assert.isFalse(Password.needsRehash(encoded, Password.owasp))
      assert.isTrue(yield* Password.verify("violet tram at dusk", encoded))
    }))
})

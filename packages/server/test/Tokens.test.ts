import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Crypto from "node:crypto"
import * as Tokens from "../src/Tokens.ts"

const sha256 = (text: string) => Crypto.createHash("sha256").update(text).digest("hex")

const cases: ReadonlyArray<readonly [Tokens.Kind, string]> = [
  ["session", "nihs"],
  ["magic_link", "nihm"],
  ["api_key", "nihk"]
]

describe("Tokens.generate", () => {
  for (const [kind, prefix] of cases) {
    it.effect(`${kind}: ${prefix}_ and 43 base64url characters of 32 random bytes`, () =>
      Effect.gen(function*() {
        const generated = yield* Tokens.generate(kind)
        assert.strictEqual(generated.prefix, prefix)
        assert.match(generated.token, new RegExp(`^${prefix}_[A-Za-z0-9_-]{43}$`))
        assert.strictEqual(generated.token.length, prefix.length + 1 + 43)
        const secret = generated.token.slice(prefix.length + 1)
        assert.strictEqual(Buffer.from(secret, "base64url").length, 32)
        assert.strictEqual(Buffer.from(secret, "base64url").toString("base64url"), secret)
        assert.strictEqual(Tokens.kindOf(generated.token), kind)
      }))
  }

  it.effect("hash is the hex SHA-256 of the whole token, and stable", () =>
    Effect.gen(function*() {
      const generated = yield* Tokens.generate("session")
      assert.match(generated.hash, /^[0-9a-f]{64}$/)
      assert.strictEqual(generated.hash, sha256(generated.token))
      assert.strictEqual(Tokens.hashToken(generated.token), generated.hash)
      assert.strictEqual(Tokens.hashToken(generated.token), Tokens.hashToken(generated.token))
      assert.strictEqual(Tokens.hashToken("nihs_abc"), sha256("nihs_abc"))
    }))

  it.effect("an API key has a display id: the first 8 characters after the prefix", () =>
    Effect.gen(function*() {
      const key = yield* Tokens.generate("api_key")
      assert.strictEqual(key.display.length, 8)
      assert.strictEqual(key.token.slice(0, 13), `nihk_${key.display}`)
      const session = yield* Tokens.generate("session")
      assert.isFalse("display" in session)
    }))

  it.effect("tokens differ every time", () =>
    Effect.gen(function*() {
      const tokens = new Set<string>()
      for (let i = 0; i < 200; i++) tokens.add((yield* Tokens.generate("magic_link")).token)
      assert.strictEqual(tokens.size, 200)
    }))
})

describe("Tokens.kindOf", () => {
  const secret = "A".repeat(42) + "w"
  it("knows each prefix", () => {
    assert.strictEqual(Tokens.kindOf(`nihs_${secret}`), "session")
    assert.strictEqual(Tokens.kindOf(`nihm_${secret}`), "magic_link")
    assert.strictEqual(Tokens.kindOf(`nihk_${secret}`), "api_key")
  })

  it("refuses anything of another shape", () => {
    for (
      const token of [
        "",
        `nihx_${secret}`,
        `NIHS_${secret}`,
        `nihs${secret}`,
        `nihs_${secret.slice(1)}`,
        `nihs_${secret}A`,
        `nihs_${secret.slice(0, 42)}+`,
        `nihs_${secret.slice(0, 41)}=w`,
        ` nihs_${secret}`,
        `nihs_${secret}\n`,
        // 43 characters, but the last one carries bits that 32 bytes do not have.
        `nihs_${secret.slice(0, 42)}B`
      ]
    ) {
      assert.isUndefined(Tokens.kindOf(token), JSON.stringify(token))
    }
  })
})

describe("Tokens.equals", () => {
  const a = sha256("a")
  const b = sha256("b")
  it("compares hex hashes", () => {
    assert.isTrue(Tokens.equals(a, sha256("a")))
    assert.isFalse(Tokens.equals(a, b))
    assert.isFalse(Tokens.equals(a, a.slice(0, 63) + (a.endsWith("0") ? "1" : "0")))
  })

  it("treats anything but 64 lower-case hex characters as unequal to everything", () => {
    assert.isFalse(Tokens.equals(a, a.slice(0, 62)))
    assert.isFalse(Tokens.equals(a.slice(0, 62), a.slice(0, 62)))
    assert.isFalse(Tokens.equals("zz" + a.slice(2), "zz" + a.slice(2)))
    assert.isFalse(Tokens.equals(a.toUpperCase(), a.toUpperCase()))
    assert.isFalse(Tokens.equals("", ""))
  })
})

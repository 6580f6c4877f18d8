/**
 * Released migrations are frozen: their statements are literal text in `src/migrations/`,
 * and this test pins the SHA-256 of each. A failure here means a released migration was
 * edited: revert the edit and write the change as a new migration at the end of the chain
 * (`ALTER TYPE ... ADD VALUE`, `ALTER TABLE ... ADD COLUMN`, ...). When a new migration is
 * released, add its hash below.
 */
import { assert, describe, it } from "@effect/vitest"
import { Migrations } from "@niha/db"
import * as NodeCrypto from "node:crypto"

/** The hash of `JSON.stringify(statements)` of every released migration, by id. */
const released: ReadonlyArray<readonly [id: number, name: string, sha256: string]> = [
  [1, "initial_schema", "7b34a9d74131ae593df7a99c50ae7485c15c22d17b79da2eeedde564f85ecc49"],
  [2, "access", "82422f3dee0d96470c8a4c47e5e52230bfb59e4d608ceb974acc572aa93cc3cf"],
  [3, "idempotency", "97c25d31508b561dc92e173f55c0eb6d6b22a258cc661e7046eba545a8c64101"],
  [4, "ledger_accounts", "e5e7a460ad0f646261452affc4a40cee16957a036cc3a461d2b2fe09c4b78244"],
  [5, "jobs", "e1f7e552d1f8541ace381760b1e9d8d1b8a70d4ab57689da2e399f07fa66bbd5"],
  [6, "withdrawal_approvals", "922c5c7b0f2f42c5903009d5821e24abd05600676b622149dea19e76a4a70fc8"],
  [7, "funding_settings", "f4f7a2e1540856112a8aa2c9cc4061a5405f4daba1dca2e8131ec4e965075921"],
  [8, "order_entry", "18295eb9e777e5ae478e0a56e414cf548c545e9cda840e3fd03fdbf03a1eef0d"],
  [9, "market_data", "3ebeaddc7e52f56f1397a307a2d1a9d40e0a5d28b4212bf75243daeab195e5fe"],
  [10, "settlement", "1b287057433949fc45afddf34c4ca2281d51ea903583f8d2fb48754b083616a4"],
  [11, "audit_chain", "9d93cfe3cf65764b1ab459d9295200ae83069bc7232da20896862f181a723bcd"],
  [12, "throttles", "8d29f45359e51220b76b07182275ef8282fd05219f78ec1ea5e697ead2bcdd57"],
  [13, "seller_orders", "b68e93c676080cab0ed882e3a608415c4a7b03d7dd03dcf0626e89bf07542119"],
  [14, "exchange_rate_history", "842622b6d0b022b8d58159093d2881069ddb370db64430c2a4005cf0e64ac2b8"],
  [15, "audit_seal_batch", "f7dea0d1f0bc2d73be4c4f5804328b514eac113523ce6d98228d1c7aba656e4d"]
]

const sha256 = (statements: ReadonlyArray<string>): string =>
  NodeCrypto.createHash("sha256").update(JSON.stringify(statements)).digest("hex")

describe("Frozen migrations", () => {
  it("numbers the chain 1, 2, 3, ... with no gap", () => {
    assert.deepStrictEqual(Migrations.all.map((migration) => migration.id), Migrations.all.map((_, index) => index + 1))
  })

  it("keeps every released migration byte for byte", () => {
    for (const [id, name, hash] of released) {
      const migration = Migrations.all.find((candidate) => candidate.id === id)
      assert.strictEqual(migration?.name, name, `migration ${id}`)
      assert.strictEqual(sha256(migration?.statements ?? []), hash, `statements of migration ${id}_${name}`)
    }
  })

  it("carries every statement as text in the bundle: nothing is read or generated at run time", () => {
    for (const migration of Migrations.all) {
      assert.isAbove(migration.statements.length, 0)
      for (const statement of migration.statements) assert.strictEqual(typeof statement, "string")
    }
  })
})

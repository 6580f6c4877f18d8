import { assert, describe, it } from "@effect/vitest"
import { Onboarding, Parties, Text } from "@niha/domain"
import * as Schema from "effect/Schema"

const valid = <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S, value: unknown) =>
  Schema.is(schema)(value)

describe("Text", () => {
  it("refuses the NUL character PostgreSQL cannot store, and nothing else", () => {
    assert.isFalse(valid(Text.Storable, "a\u0000b"))
    assert.isTrue(valid(Text.Storable, "any text: émoji 🌍, tabs\tand\nlines"))
    assert.isFalse(valid(Text.Line(10), "a\u0000b"))
    assert.isFalse(valid(Parties.EmailInput, "a\u0000b@example.com"))
    assert.isFalse(valid(Parties.Entity.json.fields.name, "Nul\u0000 BV"))
  })

  it("makes a line trimmed, not empty and bounded", () => {
    const line = Text.Line(5)
    assert.isTrue(valid(line, "Kim"))
    for (const refused of ["", " Kim", "Kim ", "abcdef"]) assert.isFalse(valid(line, refused), JSON.stringify(refused))
  })
})

describe("Onboarding.approvalBlocker", () => {
  const complete = Onboarding.kycReadiness(
    Onboarding.requiredDocuments.map((document_type) => ({ document_type, status: "APPROVED" as const }))
  )
  const incomplete = Onboarding.kycReadiness([])

  it("approves only a submitted, complete file", () => {
    assert.strictEqual(Onboarding.approvalBlocker({ kyc_submitted_at: new Date() }, complete), undefined)
    assert.strictEqual(Onboarding.approvalBlocker({ kyc_submitted_at: null }, complete), "not_submitted")
    assert.strictEqual(Onboarding.approvalBlocker({ kyc_submitted_at: new Date() }, incomplete), "incomplete")
    assert.strictEqual(Onboarding.approvalBlocker({ kyc_submitted_at: null }, incomplete), "not_submitted")
  })
})

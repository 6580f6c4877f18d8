import { describe, expect, it } from "@effect/vitest"
import { Enums, Onboarding } from "@niha/domain"

const doc = (document_type: Enums.DocumentType, status: Enums.DocumentStatus) => ({ document_type, status })

describe("Onboarding.kycReadiness", () => {
  it("lists every required type as missing for an empty file", () => {
    expect(Onboarding.kycReadiness([])).toEqual({
      missing: Onboarding.requiredDocuments,
      pending: [],
      complete: false
    })
  })

  it("is complete only when every required type has an approved document", () => {
    const approved = Onboarding.requiredDocuments.map((type) => doc(type, "APPROVED"))
    expect(Onboarding.kycReadiness(approved).complete).toBe(true)
    expect(Onboarding.kycReadiness(approved.slice(1)).complete).toBe(false)
    expect(Onboarding.kycReadiness(approved.slice(1)).missing).toEqual([Onboarding.requiredDocuments[0]])
  })

  it("counts a rejected document as missing, and a replacement awaiting review as pending", () => {
    const rejected = [doc("ID", "REJECTED")]
    expect(Onboarding.kycReadiness(rejected).missing).toContain("ID")
    const replaced = [doc("ID", "REJECTED"), doc("ID", "PENDING")]
    expect(Onboarding.kycReadiness(replaced).pending).toEqual(["ID"])
    expect(Onboarding.kycReadiness(replaced).missing).not.toContain("ID")
  })

  it("ignores optional types", () => {
    const file = [...Onboarding.requiredDocuments.map((type) => doc(type, "APPROVED")), doc("GHG_PERMIT", "REJECTED")]
    expect(Onboarding.kycReadiness(file)).toEqual({ missing: [], pending: [], complete: true })
  })

  it("requires only types of the seed's documenttype enum", () => {
    for (const type of Onboarding.requiredDocuments) expect(Enums.DocumentType.literals).toContain(type)
  })
})

import { PromiseClient } from "@niha/sdk"

// The first ten minutes: sign in as the printed admin, let a company ask to join, convert it,
// and walk its user through NDA and KYC to APPROVED. `inbox` finds the sign-in token of the
// newest mail to an address (in development the server logs every mail it sends).
export const firstTenMinutes = async (
  baseUrl: string,
  admin: { email: string; password: string },
  inbox: (to: string) => Promise<string>
) => {
  const niha = PromiseClient.createClient({ baseUrl })
  const { token } = await niha.auth.login({ payload: admin })
  const back = PromiseClient.createClient({ baseUrl, apiKey: token })

  const request = await niha.onboarding.submitContactRequest({
    payload: {
      entity_name: "Example Energy BV",
      contact_email: "kim@example.com",
      contact_first_name: "Kim",
      contact_last_name: "Jansen",
      jurisdiction: "EU"
    }
  })
  const { entity } = await back.admin.convertContactRequest({ params: { id: request.id } })

  const session = await niha.auth.redeemMagicLink({ payload: { token: await inbox("kim@example.com") } })
  const kim = PromiseClient.createClient({ baseUrl, apiKey: session.token })
  const upload = () => {
    const form = new FormData() // a real PDF scan in practice; the server checks the signature
    form.append("file", new Blob(["%PDF-1.4\n%%EOF\n"], { type: "application/pdf" }), "scan.pdf")
    return form
  }
  await kim.kyc.signNda({ payload: upload() })
  const documents = []
  for (const type of ["REGISTRATION", "ARTICLES", "ID", "PROOF_AUTHORITY"] as const) {
    const form = upload()
    form.append("document_type", type)
    documents.push(await kim.kyc.uploadDocument({ payload: form }))
  }
  await kim.kyc.submit() // the file is ready for review; only a submitted file can be approved
  for (const document of documents) await back.admin.approveDocument({ params: { id: document.id } })
  await back.admin.approveEntity({ params: { id: entity.id } })
  return (await kim.account.me()).user.role // "APPROVED"
}

import { PromiseClient } from "@niha/sdk"

export const listMarkets = async (baseUrl: string) => {
  const niha = PromiseClient.createClient({ baseUrl })

  const { status } = await niha.system.health()
  const page = await niha.markets.list({ query: { limit: 10 } })

  // Failures are typed classes with a stable code, never strings.
  let refused = ""
  try {
    await niha.markets.list({ query: { limit: 500 } })
  } catch (error) {
    if (error instanceof PromiseClient.InvalidRequestError) refused = `${error.code} (${error.field})`
  }

  return { status, markets: page.data.map((market) => `${market.market}: ${market.base}/${market.quote}`), refused }
}

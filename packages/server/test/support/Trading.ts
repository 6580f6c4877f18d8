/**
 * What the trading suites share: a company taken through the API from a contact request
 * to stage CEA with cleared EUR (an admin confirms and clears its deposit), and its
 * balances as the API shows them; for the service-level suites, a trader made directly in
 * the database.
 */
import { Ledger, Repository } from "@niha/db"
import { type Ids, Money, Onboarding, type Parties } from "@niha/domain"
import type { PromiseClient } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import { call, clientAtNda } from "./Clients.ts"
import { form, pdf } from "./Onboarding.ts"
import type * as TestServer from "./TestServer.ts"

/** The admin, and a client user of an entity taken to APPROVED through the API. */
export const approvedCompany = (server: TestServer.Running, email: string, company: string) =>
  Effect.gen(function*() {
    const { admin: signedIn, client, entity, token } = yield* clientAtNda(server, email, company)
    const admin = signedIn.client
    yield* call(() =>
      client.kyc.signNda({ payload: form({ bytes: pdf("nda"), name: "nda.pdf", type: "application/pdf" }) })
    )
    for (const type of Onboarding.requiredDocuments) {
      const document = yield* call(() =>
        client.kyc.uploadDocument({
          payload: form({ bytes: pdf(type), name: `${type}.pdf`, type: "application/pdf" }, type)
        })
      )
      yield* call(() => admin.admin.approveDocument({ params: { id: document.id } }))
    }
    yield* call(() => client.kyc.submit())
    yield* call(() => admin.admin.approveEntity({ params: { id: entity.id } }))
    return { admin, client, bearer: token, entityId: entity.id }
  })

/** A company at stage CEA holding `cents` of cleared EUR, with the admin's client. */
export const tradingCompany = (server: TestServer.Running, email: string, company: string, cents: number) =>
  Effect.gen(function*() {
    const { admin, client, entityId } = yield* approvedCompany(server, email, company)
    const amount = Money.Cents.make(cents)
    const deposit = yield* call(() =>
      client.funding.announceDeposit({ payload: { amount, wire_reference: `WIRE-${company}` } })
    )
    yield* call(() =>
      admin.funding.confirmDeposit({
        params: { id: deposit.id },
        payload: { bank_reference: `BANK-${company}`, received_amount: amount }
      })
    )
    yield* call(() => admin.funding.clearDeposit({ params: { id: deposit.id }, payload: { reason: "verified" } }))
    return { admin, client, entityId }
  })

/** Available and locked of one asset, in minor units, as the API shows them. */
export const balanceOf = (client: PromiseClient.Client, entityId: Ids.EntityId, asset: "EUR" | "CEA" | "EUA") =>
  Effect.map(
    call(() => client.funding.holdings({ params: { id: entityId } })),
    (holdings) => {
      const row = holdings.find((holding) => holding.asset_type === asset)
      return { available: Number(row?.available ?? 0), locked: Number(row?.locked ?? 0) }
    }
  )

/** An entity with one client user at `role`, funded from WORLD with what `funds` says. */
export const trader = (
  name: string,
  role: "CEA" | "SWAP",
  funds: { readonly EUR?: number; readonly CEA?: number; readonly EUA?: number }
) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repositories = yield* Repository.Repositories
    const [entity] = yield* sql<{ id: Ids.EntityId }>`
      INSERT INTO entities (name, jurisdiction) VALUES (${name}, 'EU') RETURNING id`
    if (entity === undefined) return yield* Effect.die("no entity")
    const email = `${name.toLowerCase().replaceAll(" ", ".")}@orders.test`
    const [user] = yield* sql<{ id: Ids.UserId }>`
      INSERT INTO users (email, first_name, last_name, role, entity_id)
      VALUES (${email}, 'Tess', 'Trader', ${role}, ${entity.id}) RETURNING id`
    if (user === undefined) return yield* Effect.die("no user")
    const ledger = Ledger.make(sql)
    for (const [asset, amount] of Object.entries(funds)) {
      if (amount === undefined) continue
      yield* Effect.orDie(ledger.apply(Ledger.adjust({
        key: `fund:${entity.id}:${asset}`,
        entity_id: entity.id,
        asset: asset === "EUR" ? "EUR" : asset === "EUA" ? "EUA" : "CEA",
        amount,
        reason: "test funding"
      })))
    }
    const found: Parties.User = yield* Effect.orDie(repositories.users.findById(user.id))
    return { user: found, entityId: entity.id }
  })

/** An admin takes a settlement batch through every milestone to SETTLED, the registry's transfer first; the batch as settled. */
export const settleBatch = (admin: PromiseClient.Client, id: Ids.SettlementBatchId, registryReference: string) =>
  Effect.gen(function*() {
    yield* call(() =>
      admin.settlements.advanceSettlement({
        params: { id },
        payload: { to: "TRANSFER_INITIATED", registry_reference: registryReference }
      })
    )
    yield* call(() => admin.settlements.advanceSettlement({ params: { id }, payload: { to: "IN_TRANSIT" } }))
    yield* call(() => admin.settlements.advanceSettlement({ params: { id }, payload: { to: "AT_CUSTODY" } }))
    return yield* call(() => admin.settlements.advanceSettlement({ params: { id }, payload: { to: "SETTLED" } }))
  })

/**
 * The soak suite's real money flows (issue #18: "depositing and withdrawing"), beside the
 * orders: a client announces a wire and an admin confirms what the bank received (held for
 * AML), then clears it, rejects it or leaves it held; a client asks for a withdrawal (locked
 * at once) and an admin processes it, a second admin approves it when it is the entity's
 * first to that IBAN (four eyes), and the first completes it, or an admin rejects it.
 *
 * Each step that moves money is sent with an `Idempotency-Key`. A step whose outcome is
 * unknown (a 503, a dropped connection) leaves its flow where it is; at the end
 * ({@link Funding.settle}) the step is sent again with its key (the first answer, or its one
 * application now) and the flow goes on to its planned end. Every answer is checked as it
 * arrives against `SoakModel`, which books each step (held, available, locked, out).
 */
import { AmlPolicy } from "@niha/domain"
import type * as Prng from "./Prng.ts"
import { decimal, type Model, type Ticket, units } from "./SoakModel.ts"

/** An answer as the harness's `send` gives it. */
export type Answer =
  | { readonly kind: "answer"; readonly status: number; readonly body: unknown }
  | { readonly kind: "lost"; readonly reason: string }

/** The harness's request function (through a live process, counted). */
export type Send = (
  prefer: number,
  method: "GET" | "POST",
  path: string,
  token: string,
  body?: unknown,
  headers?: Record<string, string>
) => Promise<{ readonly answer: Answer; readonly instance: number }>

/** What the flows counted. */
export interface FundingFigures {
  deposits: number
  depositsCleared: number
  depositsRejected: number
  withdrawals: number
  withdrawalsRefused: number
  withdrawalsCompleted: number
  withdrawalsRejected: number
  fourEyesRefusals: number
  unknownFundingResolved: number
}

/** What the flows need of the harness. */
export interface Options {
  readonly seed: number
  readonly model: Model
  readonly send: Send
  readonly fail: (problem: string) => void
  /** The admin who confirms, processes, completes and rejects. */
  readonly admin: () => string
  /** The second admin, who approves first withdrawals to a beneficiary. */
  readonly approver: () => string
}

/** Valid IBANs (check digits and national checksums): a few beneficiaries per entity, so four eyes recur. */
const ibans = ["DE89370400440532013000", "GB82WEST12345698765432", "NL91ABNA0417164300", "BE68539007547034"]

interface Deposit {
  readonly kind: "deposit"
  readonly prefer: number
  readonly entity: string
  readonly token: string
  readonly key: string
  readonly announced: number
  readonly received: number
  readonly fate: "clear" | "reject" | "hold"
  step: "announce" | "confirm" | "decide" | "done"
  id: string | undefined
  /** The clears of the entity acknowledged when the confirmation was first sent. */
  clearedBefore: number | undefined
}

interface Withdrawal {
  readonly kind: "withdrawal"
  readonly prefer: number
  readonly entity: string
  readonly token: string
  readonly key: string
  readonly amount: number
  readonly iban: string
  readonly fate: "complete" | "reject" | "pending"
  /** Whether the admin tries to complete before any approval (four eyes must refuse a new IBAN). */
  readonly early: boolean
  step: "request" | "process" | "early" | "approve" | "complete" | "reject" | "done"
  id: string | undefined
  ticket: Ticket | undefined
}

type Flow = Deposit | Withdrawal

const codeOf = (body: unknown): string | undefined =>
  typeof body === "object" && body !== null && "code" in body && typeof body.code === "string" ? body.code : undefined

const field = (body: unknown, name: string): unknown =>
  typeof body === "object" && body !== null && name in body ? (body as Record<string, unknown>)[name] : undefined

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Figures before any flow ran. */
export const noFigures = (): FundingFigures => ({
  deposits: 0,
  depositsCleared: 0,
  depositsRejected: 0,
  withdrawals: 0,
  withdrawalsRefused: 0,
  withdrawalsCompleted: 0,
  withdrawalsRejected: 0,
  fourEyesRefusals: 0,
  unknownFundingResolved: 0
})

/** The funding flows of one run. */
export const make = (options: Options) => {
  const { fail, model, send } = options
  const figures = noFigures()
  const pending: Array<Flow> = []
  /** Per entity and IBAN: completions sent, and acknowledged (four eyes needs a second admin before the first). */
  const paidSent = new Set<string>()
  const paidKnown = new Set<string>()

  const unknown = (answer: Answer) => answer.kind === "lost" || answer.status === 503
  const show = (answer: Answer) => JSON.stringify(answer).slice(0, 400)

  /** Sends one step; `undefined` when its outcome is unknown (then the flow waits for {@link settle}). */
  const step = async (
    flow: Flow,
    token: string,
    path: string,
    body: unknown,
    key: string | undefined
  ): Promise<{ readonly status: number; readonly body: unknown } | undefined> => {
    const { answer } = await send(
      flow.prefer,
      "POST",
      path,
      token,
      body,
      key === undefined ? {} : {
        "idempotency-key": key
      }
    )
    if (unknown(answer) || answer.kind !== "answer") return undefined
    return answer
  }

  const expectStatus = (label: string, body: unknown, status: string, amount: number) => {
    if (field(body, "status") !== status) fail(`${label}: status ${String(field(body, "status"))}, expected ${status}`)
    const answered = field(body, "amount")
    if (typeof answered !== "string" || units(answered, 2) !== amount) {
      fail(`${label}: amount ${String(answered)}, expected ${decimal(amount, 2)}`)
    }
  }

  /** Runs a deposit from its current step; false when a step's outcome is unknown. */
  const runDeposit = async (flow: Deposit): Promise<boolean> => {
    const label = `deposit ${flow.key}`
    if (flow.step === "announce") {
      const answer = await step(flow, flow.token, "/deposits", {
        amount: decimal(flow.announced, 2),
        wire_reference: flow.key
      }, `${flow.key}:announce`)
      if (answer === undefined) return false
      if (answer.status !== 201) {
        fail(`${label}: announced ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`)
        flow.step = "done"
        return true
      }
      expectStatus(label, answer.body, "PENDING", flow.announced)
      flow.id = String(field(answer.body, "id"))
      flow.step = "confirm"
    }
    if (flow.step === "confirm") {
      if (flow.clearedBefore === undefined) {
        flow.clearedBefore = model.clearsOf(flow.entity)
        model.sendDeposit(flow.received)
      }
      const answer = await step(flow, options.admin(), `/admin/deposits/${flow.id}/confirm`, {
        bank_reference: `bank-${flow.key}`,
        received_amount: decimal(flow.received, 2)
      }, `${flow.key}:confirm`)
      if (answer === undefined) return false
      if (answer.status !== 200) {
        fail(`${label}: confirmed ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`)
        flow.step = "done"
        return true
      }
      // Booked at what the bank received, held for AML (the entity's locked EUR).
      expectStatus(label, answer.body, "ON_HOLD", flow.received)
      model.depositHeld(flow.entity, flow.received)
      const holdType = field(answer.body, "hold_type")
      const allowed = model.holdTypesAllowed(flow.entity, flow.clearedBefore)
      if (typeof holdType !== "string" || !allowed.includes(holdType)) {
        fail(`${label}: hold ${String(holdType)}, the AML policy allows ${allowed.join(" or ")}`)
      } else if (
        field(answer.body, "hold_business_days") !==
          AmlPolicy.defaults.hold_business_days[holdType as keyof typeof AmlPolicy.defaults.hold_business_days]
      ) fail(`${label}: ${String(field(answer.body, "hold_business_days"))} business days for ${holdType}`)
      figures.deposits++
      flow.step = flow.fate === "hold" ? "done" : "decide"
    }
    if (flow.step === "decide") {
      const clearing = flow.fate === "clear"
      if (clearing) model.sendClear(flow.entity)
      const answer = await step(
        flow,
        options.admin(),
        `/admin/deposits/${flow.id}/${clearing ? "clear" : "reject"}`,
        { reason: clearing ? "soak: AML review passed" : "soak: the remitter does not match" },
        `${flow.key}:${flow.fate}`
      )
      if (answer === undefined) return false
      if (answer.status !== 200) {
        fail(`${label}: ${flow.fate} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`)
      } else if (clearing) {
        expectStatus(label, answer.body, "CLEARED", flow.received)
        model.depositCleared(flow.entity, flow.received)
        figures.depositsCleared++
      } else {
        expectStatus(label, answer.body, "REJECTED", flow.received)
        model.depositRejected(flow.entity, flow.received)
        figures.depositsRejected++
      }
      flow.step = "done"
    }
    return true
  }

  /** Runs a withdrawal from its current step; false when a step's outcome is unknown. */
  const runWithdrawal = async (flow: Withdrawal): Promise<boolean> => {
    const label = `withdrawal ${flow.key}`
    const beneficiary = `${flow.entity}/${flow.iban}`
    if (flow.step === "request") {
      flow.ticket ??= model.send(flow.entity, "EUR", flow.amount)
      const ticket = flow.ticket
      const answer = await step(flow, flow.token, "/withdrawals", {
        amount: decimal(flow.amount, 2),
        beneficiary_name: "Soak Treasury",
        iban: flow.iban
      }, `${flow.key}:request`)
      if (answer === undefined) return false
      if (answer.status === 201) {
        expectStatus(label, answer.body, "PENDING", flow.amount)
        model.withdrawalLocked(flow.entity, flow.amount)
        flow.id = String(field(answer.body, "id"))
        figures.withdrawals++
        flow.step = flow.fate === "pending" ? "done" : flow.fate === "reject" ? "reject" : "process"
      } else {
        // Judged before the refusal leaves the model's bounds.
        const mayRefuse = model.mayRefuse(ticket)
        model.refuse(ticket)
        figures.withdrawalsRefused++
        if (answer.status !== 409 || codeOf(answer.body) !== "insufficient_funds" || !mayRefuse) {
          fail(`${label}: requested ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}, the model allows it`)
        }
        flow.step = "done"
        return true
      }
    }
    if (flow.step === "process") {
      const answer = await step(
        flow,
        options.admin(),
        `/admin/withdrawals/${flow.id}/process`,
        undefined,
        `${flow.key}:process`
      )
      if (answer === undefined) return false
      if (answer.status !== 200) fail(`${label}: processed ${show({ kind: "answer", ...answer })}`)
      else expectStatus(label, answer.body, "PROCESSING", flow.amount)
      flow.step = flow.early ? "early" : "approve"
    }
    if (flow.step === "early") {
      // Completed before any second approval: a beneficiary never paid must be refused (409),
      // one already paid (a completion acknowledged before) must not.
      const wasPaid = paidKnown.has(beneficiary)
      const mayBePaid = paidSent.has(beneficiary)
      paidSent.add(beneficiary)
      const answer = await step(flow, options.admin(), `/admin/withdrawals/${flow.id}/complete`, {
        bank_reference: `bank-${flow.key}`
      }, `${flow.key}:early`)
      if (answer === undefined) return false
      if (answer.status === 200) {
        if (!mayBePaid) fail(`${label}: completed without a second admin, to an IBAN never paid`)
        return completed(flow, answer.body, beneficiary)
      }
      if (answer.status !== 409 || codeOf(answer.body) !== "conflict") {
        fail(`${label}: completed early ${show({ kind: "answer", ...answer })}`)
      } else if (wasPaid) fail(`${label}: four eyes asked for a beneficiary already paid`)
      else figures.fourEyesRefusals++
      flow.step = "approve"
    }
    if (flow.step === "approve") {
      // No Idempotency-Key here (the endpoint takes none): sent again, it answers 409.
      const answer = await step(flow, options.approver(), `/admin/withdrawals/${flow.id}/approve`, undefined, undefined)
      if (answer === undefined) return false
      if (answer.status !== 200 && !(answer.status === 409 && codeOf(answer.body) === "conflict")) {
        fail(`${label}: approved ${show({ kind: "answer", ...answer })}`)
      }
      flow.step = "complete"
    }
    if (flow.step === "complete") {
      paidSent.add(beneficiary)
      const answer = await step(flow, options.admin(), `/admin/withdrawals/${flow.id}/complete`, {
        bank_reference: `bank-${flow.key}`
      }, `${flow.key}:complete`)
      if (answer === undefined) return false
      if (answer.status !== 200) {
        fail(`${label}: completed ${show({ kind: "answer", ...answer })}`)
        flow.step = "done"
        return true
      }
      return completed(flow, answer.body, beneficiary)
    }
    if (flow.step === "reject") {
      const answer = await step(flow, options.admin(), `/admin/withdrawals/${flow.id}/reject`, {
        reason: "soak: the beneficiary is not the client's"
      }, `${flow.key}:reject`)
      if (answer === undefined) return false
      if (answer.status !== 200 || flow.ticket === undefined) {
        fail(`${label}: rejected ${show({ kind: "answer", ...answer })}`)
      } else {
        expectStatus(label, answer.body, "REJECTED", flow.amount)
        model.withdrawalRejected(flow.ticket)
        figures.withdrawalsRejected++
      }
      flow.step = "done"
    }
    return true
  }

  const completed = (flow: Withdrawal, body: unknown, beneficiary: string): boolean => {
    expectStatus(`withdrawal ${flow.key}`, body, "COMPLETED", flow.amount)
    if (flow.ticket === undefined) fail(`withdrawal ${flow.key}: completed without a request`)
    else model.withdrawalCompleted(flow.ticket)
    paidKnown.add(beneficiary)
    figures.withdrawalsCompleted++
    flow.step = "done"
    return true
  }

  const run = (flow: Flow) => flow.kind === "deposit" ? runDeposit(flow) : runWithdrawal(flow)

  const start = async (flow: Flow) => {
    if (!(await run(flow))) pending.push(flow)
  }

  return {
    figures,
    /** One client's deposit: announced, confirmed (held), then cleared, rejected or left held. */
    deposit: (prefer: number, entity: string, token: string, random: Prng.Prng, n: number) => {
      const announced = random.int(1_000, 50_000) * 100
      // The bank sometimes deducts a charge: the deposit is booked at what arrived.
      const received = random.chance(0.2) ? announced - random.int(1, 2_500) : announced
      const fate = random.next()
      return start({
        kind: "deposit",
        prefer,
        entity,
        token,
        key: `soak-${options.seed}-${prefer}-${n}-deposit`,
        announced,
        received,
        fate: fate < 0.7 ? "clear" : fate < 0.85 ? "reject" : "hold",
        step: "announce",
        id: undefined,
        clearedBefore: undefined
      })
    },
    /** One client's withdrawal: requested (locked), then completed with four eyes, rejected, or left pending. */
    withdraw: (prefer: number, entity: string, token: string, random: Prng.Prng, n: number) => {
      const fate = random.next()
      return start({
        kind: "withdrawal",
        prefer,
        entity,
        token,
        key: `soak-${options.seed}-${prefer}-${n}-withdrawal`,
        amount: random.int(100, 5_000) * 100,
        iban: random.pick(ibans),
        fate: fate < 0.7 ? "complete" : fate < 0.9 ? "reject" : "pending",
        early: random.chance(0.3),
        step: "request",
        id: undefined,
        ticket: undefined
      })
    },
    /** After the load: every flow left at an unknown step goes on from it, its step sent again with its key. */
    settle: async () => {
      for (const flow of pending) {
        let attempts = 0
        while (!(await run(flow))) {
          if (++attempts >= 30) {
            fail(`${flow.kind} ${flow.key}: still no answer at ${flow.step} after ${attempts} attempts`)
            break
          }
          await sleep(1_000)
        }
        figures.unknownFundingResolved++
      }
      pending.length = 0
    }
  }
}

/** The funding flows of one run, as {@link make} builds them. */
export type Funding = ReturnType<typeof make>

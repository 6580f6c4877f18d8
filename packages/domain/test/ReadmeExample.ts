import { FeeSchedule, Money, Price, Quantity, Rate, StateMachine } from "@niha/domain"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"

export const example = () => {
  // Amounts travel as decimal strings and are exact integers inside the program.
  const price = Schema.decodeUnknownSync(Price.CashPriceFromString)("12.34") // 1234 cents per tonne
  const quantity = Schema.decodeUnknownSync(Quantity.TonnesFromString)("1000") // 1000 tonnes
  const tooPrecise = Schema.decodeUnknownResult(Price.CashPriceFromString)("12.345")

  // The fee of the buyer: its override, else the market's rate, else zero; half-up to the cent.
  const schedule = FeeSchedule.make(
    [{ market: "CEA_CASH", buyer_rate: Rate.Ppm.make(2500), seller_rate: Rate.Ppm.make(2000), is_active: true }],
    []
  )
  const { rate, source } = FeeSchedule.resolve(schedule, { entity_id: null, market: "CEA_CASH", side: "BUY" })
  const notional = Price.cashNotional(quantity, price)
  const fee = FeeSchedule.cashFee(quantity, price, rate)

  // A deposit moves along its machine; a step it does not list is an error value.
  const confirmed = StateMachine.transition(StateMachine.depositStatus, "PENDING", "CONFIRMED")
  const skipped = StateMachine.transition(StateMachine.depositStatus, "PENDING", "CLEARED")

  return {
    price, // 1234
    rejected: Result.isFailure(tooPrecise) ? tooPrecise.failure.message : "", // "... has at most 2 decimal places ..."
    rate: Rate.format(rate), // "0.002500"
    source, // "market"
    notional: Result.map(notional, Money.format), // Success("12340.00")
    fee: Result.map(fee, Money.format), // Success("30.85")
    confirmed, // Success("CONFIRMED")
    skipped: Result.isFailure(skipped) ? skipped.failure.message : "" // "depositstatus: cannot move from PENDING to CLEARED"
  }
}

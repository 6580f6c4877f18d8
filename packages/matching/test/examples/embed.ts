import { Command, Instrument, OrderBook } from "@niha/matching"

export const embed = () => {
  // One book per market; the secret keys the anonymous counterparty codes of public views.
  const book = OrderBook.make({ instrument: Instrument.ceaCash, anonymitySecret: "from-your-vault" })
  const timestamp = Date.UTC(2026, 0, 5, 9, 30) // your clock and your sequence: the engine reads neither
  // A market maker offers 500 t at EUR 12.50 and 500 t at EUR 12.60 (prices in cents per tonne).
  const offer = (seq: number, price: number) =>
    Command.limit({ seq, timestamp, orderId: `mm-${seq}`, owner: "mm", side: "SELL", price, quantity: 500 })
  const events = OrderBook.applyAll(book, [
    offer(1, 1_250),
    offer(2, 1_260),
    // An entity buys CEA for at most EUR 10,000.00 (a budget in cents), never above EUR 12.60.
    Command.market({ seq: 3, timestamp, orderId: "b-1", owner: "e-42", side: "BUY", budget: 1e6, limitPrice: 1_260 })
  ])
  for (const event of events) {
    if (event._tag === "Trade") console.log(OrderBook.publicTrade(book, event)) // counterparties as codes
    if (event._tag === "OrderExpired") console.log(`unspent: ${event.remainingBudget} cents`)
  }
  console.log(OrderBook.depth(book, 5), OrderBook.quote(book, "BUY", 100))
  return { book, events }
}

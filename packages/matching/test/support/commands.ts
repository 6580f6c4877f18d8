/**
 * Terse command builders for scenario tests: a `Session` numbers commands itself.
 */
import { Command, type Event, type Instrument, OrderBook } from "@niha/matching"

export const secret = "test-secret"

export const session = (instrument: Instrument.Instrument) => {
  const book = OrderBook.make({ instrument, anonymitySecret: secret })
  let seq = 0
  const next = () => ++seq
  const apply = (command: Command.Command): Array<Event.Event> => OrderBook.apply(book, command)
  return {
    book,
    apply,
    /** The next sequence number without using it. */
    peek: () => seq + 1,
    limit: (
      owner: string,
      orderId: string,
      side: "BUY" | "SELL",
      price: number,
      quantity: number,
      extra: Partial<Pick<Command.PlaceLimit, "timeInForce" | "postOnly" | "selfTradePrevention">> = {}
    ) => apply(Command.limit({ seq: next(), timestamp: seq * 10, orderId, owner, side, price, quantity, ...extra })),
    market: (
      owner: string,
      orderId: string,
      side: "BUY" | "SELL",
      fields: {
        readonly quantity?: number | null
        readonly budget?: number | null
        readonly limitPrice?: number | null
        readonly timeInForce?: Command.MarketTimeInForce
        readonly selfTradePrevention?: Command.SelfTradePrevention
      }
    ) => apply(Command.market({ seq: next(), timestamp: seq * 10, orderId, owner, side, ...fields })),
    cancel: (owner: string, orderId: string) =>
      apply({ _tag: "Cancel", seq: next(), timestamp: seq * 10, orderId, owner }),
    amend: (owner: string, orderId: string, price: number | null, quantity: number | null) =>
      apply({ _tag: "Amend", seq: next(), timestamp: seq * 10, orderId, owner, price, quantity }),
    cancelAll: (owner: string) => apply({ _tag: "CancelAll", seq: next(), timestamp: seq * 10, owner }),
    halt: () => apply({ _tag: "Halt", seq: next(), timestamp: seq * 10 }),
    resume: () => apply({ _tag: "Resume", seq: next(), timestamp: seq * 10 })
  }
}

export const trades = (events: ReadonlyArray<Event.Event>): Array<Event.Trade> =>
  events.filter((event): event is Event.Trade => event._tag === "Trade")

export const tags = (events: ReadonlyArray<Event.Event>): Array<string> => events.map((event) => event._tag)

export const rejection = (events: ReadonlyArray<Event.Event>): string | undefined => {
  const [first] = events
  return events.length === 1 && first?._tag === "CommandRejected" ? first.reason : undefined
}

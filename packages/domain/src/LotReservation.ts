/**
 * Which lots a seller's sell order reserves: the rule the server's order writer applies
 * (`SellerLots` in `@niha/server`), pure and exhaustively testable here.
 *
 * A seller's allowances are lots (`certificates`), whole and indivisible until a fill
 * splits one. An order reserves the seller's AVAILABLE lots **oldest first** (the caller
 * gives them in that order: registered first, then by serial number) until they cover
 * its quantity: the shortest prefix that covers it, so the last lot may cover more than
 * the order needs (the rest is released when the order ends). The oldest allowances are
 * sold first, as a registry's first-in, first-out, and no search for an exact fit can
 * leave a seller's old lots unsold behind newer ones.
 *
 * @since 0.1.0
 */

/**
 * A lot as the rule sees it: an id and whole tonnes.
 *
 * @category models
 * @since 0.1.0
 */
export interface Lot<Id extends string = string> {
  /** The lot. */
  readonly id: Id
  /** Whole tonnes, at least 1. */
  readonly quantity: number
}

/**
 * The tonnes of the lots.
 *
 * @category reservation
 * @since 0.1.0
 */
export const total = (lots: ReadonlyArray<Lot>): number => lots.reduce((sum, lot) => sum + lot.quantity, 0)

/**
 * How many lots from the front of `pool` (oldest first) cover `quantity`: the shortest
 * prefix whose tonnes reach it, or `undefined` when all of them do not.
 *
 * @category reservation
 * @since 0.1.0
 */
export const covering = (pool: ReadonlyArray<Lot>, quantity: number): number | undefined => {
  let covered = 0
  let count = 0
  while (covered < quantity && count < pool.length) {
    covered += pool[count]?.quantity ?? 0
    count++
  }
  return covered < quantity ? undefined : count
}

/**
 * Takes from the front of `pool` the lots that cover `quantity` ({@link covering}),
 * removing them from it, so the next order of the same seller picks from what is left;
 * `undefined`, and the pool unchanged, when they do not cover it.
 *
 * @category reservation
 * @since 0.1.0
 */
export const pick = <L extends Lot>(pool: Array<L>, quantity: number): ReadonlyArray<L> | undefined => {
  const count = covering(pool, quantity)
  return count === undefined ? undefined : pool.splice(0, count)
}

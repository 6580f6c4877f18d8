/**
 * The two markets as instruments: what is traded (the base asset), what it is paid with
 * (the quote asset), and how the price is scaled. CEA_CASH trades CEA for EUR; SWAP trades
 * EUA for CEA. Matching, fees and settlement read these facts from here rather than
 * repeating them.
 *
 * @since 0.1.0
 */
import type * as Enums from "./Enums.ts"

/**
 * The facts of one market.
 *
 * @category models
 * @since 0.1.0
 */
export interface Instrument {
  /** The market's name. */
  readonly market: Enums.MarketType
  /** The asset an order's quantity counts, in whole tonnes. */
  readonly base: Enums.AssetType
  /** The asset prices, notionals and fees are paid in. */
  readonly quote: Enums.AssetType
  /** Decimals of a price on the wire (2: cents per tonne; 4: ten-thousandths of a CEA per EUA). */
  readonly priceScale: number
  /** Decimals of the quote asset (2 for EUR, 0 for CEA tonnes): the unit fees are rounded to. */
  readonly quoteScale: number
  /** The settlement type a buy in this market creates. */
  readonly settlementType: Enums.SettlementType
}

/**
 * Every market by its name.
 *
 * @category instruments
 * @since 0.1.0
 */
export const instruments: { readonly [M in Enums.MarketType]: Instrument } = {
  CEA_CASH: {
    market: "CEA_CASH",
    base: "CEA",
    quote: "EUR",
    priceScale: 2,
    quoteScale: 2,
    settlementType: "CEA_PURCHASE"
  },
  SWAP: {
    market: "SWAP",
    base: "EUA",
    quote: "CEA",
    priceScale: 4,
    quoteScale: 0,
    settlementType: "SWAP_CEA_TO_EUA"
  }
}

/**
 * The asset a market's quantities count.
 *
 * @category instruments
 * @since 0.1.0
 */
export const baseAsset = (market: Enums.MarketType): Enums.AssetType => instruments[market].base

/**
 * The asset a market's prices, notionals and fees are paid in.
 *
 * @category instruments
 * @since 0.1.0
 */
export const quoteAsset = (market: Enums.MarketType): Enums.AssetType => instruments[market].quote

/**
 * Decimals of an asset's unit: 2 for EUR (cents), 0 for CEA and EUA (whole tonnes).
 *
 * @category instruments
 * @since 0.1.0
 */
export const assetScale = (asset: Enums.AssetType): number => asset === "EUR" ? 2 : 0

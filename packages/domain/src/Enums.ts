/**
 * The 31 enumerations of the NIHA Carbon platform, each a Schema that accepts exactly the
 * values of the seed schema, spelled as the seed spells them (three are lower case:
 * `autotradepricemode`, `autotradequantitymode`, `mailprovider`). The nine legacy enums the
 * seed lists as orphaned (defect #4) are deliberately absent.
 *
 * Each enum is exported as a Schema (decode untrusted input with it) and a type of the same
 * name (`UserRole` the schema, `UserRole` the union of its values). The database names of
 * the enums are in {@link databaseNames}.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

// ---------------------------------------------------------------------------------------------
// User & auth
// ---------------------------------------------------------------------------------------------

/**
 * A user's role: the staff roles ADMIN and MM (market maker), and the onboarding stages of a
 * client from NDA to EUA, with REJECTED as the end of a refused onboarding.
 *
 * @category user & auth
 * @since 0.1.0
 */
export const UserRole = Schema.Literals([
  "ADMIN",
  "MM",
  "NDA",
  "REJECTED",
  "KYC",
  "APPROVED",
  "FUNDING",
  "AML",
  "CEA",
  "CEA_SETTLE",
  "SWAP",
  "EUA_SETTLE",
  "EUA"
])
/**
 * @category user & auth
 * @since 0.1.0
 */
export type UserRole = typeof UserRole.Type

/**
 * Status of a public contact request: NDA until converted into a KYC user, or REJECTED.
 *
 * @category user & auth
 * @since 0.1.0
 */
export const ContactStatus = Schema.Literals(["NDA", "REJECTED", "KYC"])
/**
 * @category user & auth
 * @since 0.1.0
 */
export type ContactStatus = typeof ContactStatus.Type

/**
 * Status of an entity's KYC review.
 *
 * @category user & auth
 * @since 0.1.0
 */
export const KycStatus = Schema.Literals(["PENDING", "APPROVED", "REJECTED"])
/**
 * @category user & auth
 * @since 0.1.0
 */
export type KycStatus = typeof KycStatus.Type

/**
 * Kind of a KYC document.
 *
 * @category user & auth
 * @since 0.1.0
 */
export const DocumentType = Schema.Literals([
  "REGISTRATION",
  "TAX_CERTIFICATE",
  "ARTICLES",
  "FINANCIAL_STATEMENTS",
  "GHG_PERMIT",
  "ID",
  "PROOF_AUTHORITY",
  "CONTACT_INFO"
])
/**
 * @category user & auth
 * @since 0.1.0
 */
export type DocumentType = typeof DocumentType.Type

/**
 * Review status of one KYC document.
 *
 * @category user & auth
 * @since 0.1.0
 */
export const DocumentStatus = Schema.Literals(["PENDING", "APPROVED", "REJECTED"])
/**
 * @category user & auth
 * @since 0.1.0
 */
export type DocumentStatus = typeof DocumentStatus.Type

/**
 * Jurisdiction of an entity or a contact.
 *
 * @category user & auth
 * @since 0.1.0
 */
export const Jurisdiction = Schema.Literals(["EU", "CN", "HK", "OTHER"])
/**
 * @category user & auth
 * @since 0.1.0
 */
export type Jurisdiction = typeof Jurisdiction.Type

/**
 * How a person authenticated.
 *
 * @category user & auth
 * @since 0.1.0
 */
export const AuthMethod = Schema.Literals(["PASSWORD", "MAGIC_LINK"])
/**
 * @category user & auth
 * @since 0.1.0
 */
export type AuthMethod = typeof AuthMethod.Type

// ---------------------------------------------------------------------------------------------
// Trading
// ---------------------------------------------------------------------------------------------

/**
 * Side of an order.
 *
 * @category trading
 * @since 0.1.0
 */
export const OrderSide = Schema.Literals(["BUY", "SELL"])
/**
 * @category trading
 * @since 0.1.0
 */
export type OrderSide = typeof OrderSide.Type

/**
 * Status of an order.
 *
 * @category trading
 * @since 0.1.0
 */
export const OrderStatus = Schema.Literals(["OPEN", "PARTIALLY_FILLED", "FILLED", "CANCELLED"])
/**
 * @category trading
 * @since 0.1.0
 */
export type OrderStatus = typeof OrderStatus.Type

/**
 * A market: CEA_CASH (CEA bought and sold for EUR) or SWAP (EUA exchanged for CEA).
 *
 * @category trading
 * @since 0.1.0
 */
export const MarketType = Schema.Literals(["CEA_CASH", "SWAP"])
/**
 * @category trading
 * @since 0.1.0
 */
export type MarketType = typeof MarketType.Type

/**
 * Kind of allowance certificate.
 *
 * @category trading
 * @since 0.1.0
 */
export const CertificateType = Schema.Literals(["EUA", "CEA"])
/**
 * @category trading
 * @since 0.1.0
 */
export type CertificateType = typeof CertificateType.Type

/**
 * Status of a certificate in inventory.
 *
 * @category trading
 * @since 0.1.0
 */
export const CertificateStatus = Schema.Literals(["AVAILABLE", "RESERVED", "SOLD"])
/**
 * @category trading
 * @since 0.1.0
 */
export type CertificateStatus = typeof CertificateStatus.Type

/**
 * Kind of a (legacy) trade record.
 *
 * @category trading
 * @since 0.1.0
 */
export const TradeType = Schema.Literals(["BUY", "SELL", "SWAP"])
/**
 * @category trading
 * @since 0.1.0
 */
export type TradeType = typeof TradeType.Type

/**
 * Status of a trade record.
 *
 * @category trading
 * @since 0.1.0
 */
export const TradeStatus = Schema.Literals(["PENDING", "CONFIRMED", "COMPLETED", "CANCELLED"])
/**
 * @category trading
 * @since 0.1.0
 */
export type TradeStatus = typeof TradeStatus.Type

/**
 * Status of a CEA-to-EUA swap request.
 *
 * @category trading
 * @since 0.1.0
 */
export const SwapStatus = Schema.Literals(["OPEN", "MATCHED", "COMPLETED", "CANCELLED"])
/**
 * @category trading
 * @since 0.1.0
 */
export type SwapStatus = typeof SwapStatus.Type

// ---------------------------------------------------------------------------------------------
// Financial
// ---------------------------------------------------------------------------------------------

/**
 * An asset held in an entity's holdings: euros, Chinese or EU allowances.
 *
 * @category financial
 * @since 0.1.0
 */
export const AssetType = Schema.Literals(["EUR", "CEA", "EUA"])
/**
 * @category financial
 * @since 0.1.0
 */
export type AssetType = typeof AssetType.Type

/**
 * A fiat currency (of a wire, a price source or an exchange rate).
 *
 * @category financial
 * @since 0.1.0
 */
export const Currency = Schema.Literals(["EUR", "USD", "CNY", "HKD"])
/**
 * @category financial
 * @since 0.1.0
 */
export type Currency = typeof Currency.Type

/**
 * Status of a wire deposit.
 *
 * @category financial
 * @since 0.1.0
 */
export const DepositStatus = Schema.Literals(["PENDING", "CONFIRMED", "ON_HOLD", "CLEARED", "REJECTED"])
/**
 * @category financial
 * @since 0.1.0
 */
export type DepositStatus = typeof DepositStatus.Type

/**
 * Status of a withdrawal request.
 *
 * @category financial
 * @since 0.1.0
 */
export const WithdrawalStatus = Schema.Literals(["PENDING", "PROCESSING", "COMPLETED", "REJECTED"])
/**
 * @category financial
 * @since 0.1.0
 */
export type WithdrawalStatus = typeof WithdrawalStatus.Type

/**
 * Kind of an asset movement in the journal.
 *
 * @category financial
 * @since 0.1.0
 */
export const TransactionType = Schema.Literals([
  "DEPOSIT",
  "WITHDRAWAL",
  "TRADE_DEBIT",
  "TRADE_CREDIT",
  "TRADE_BUY",
  "TRADE_SELL",
  "ADJUSTMENT"
])
/**
 * @category financial
 * @since 0.1.0
 */
export type TransactionType = typeof TransactionType.Type

// ---------------------------------------------------------------------------------------------
// Market making
// ---------------------------------------------------------------------------------------------

/**
 * What a market maker does: buys CEA, sells CEA, or offers EUA in the swap market.
 *
 * @category market making
 * @since 0.1.0
 */
export const MarketMakerType = Schema.Literals(["CEA_BUYER", "CEA_SELLER", "EUA_OFFER"])
/**
 * @category market making
 * @since 0.1.0
 */
export type MarketMakerType = typeof MarketMakerType.Type

/**
 * How an auto-trade rule prices its orders.
 *
 * @category market making
 * @since 0.1.0
 */
export const AutoTradePriceMode = Schema.Literals([
  "fixed",
  "spread_from_best",
  "percentage_from_market",
  "random_spread"
])
/**
 * @category market making
 * @since 0.1.0
 */
export type AutoTradePriceMode = typeof AutoTradePriceMode.Type

/**
 * How an auto-trade rule sizes its orders.
 *
 * @category market making
 * @since 0.1.0
 */
export const AutoTradeQuantityMode = Schema.Literals(["fixed", "percentage_of_balance", "random_range"])
/**
 * @category market making
 * @since 0.1.0
 */
export type AutoTradeQuantityMode = typeof AutoTradeQuantityMode.Type

// ---------------------------------------------------------------------------------------------
// Settlement
// ---------------------------------------------------------------------------------------------

/**
 * Status of a settlement batch, from PENDING through the registry transfer to SETTLED.
 *
 * @category settlement
 * @since 0.1.0
 */
export const SettlementStatus = Schema.Literals([
  "PENDING",
  "TRANSFER_INITIATED",
  "IN_TRANSIT",
  "AT_CUSTODY",
  "SETTLED",
  "FAILED"
])
/**
 * @category settlement
 * @since 0.1.0
 */
export type SettlementStatus = typeof SettlementStatus.Type

/**
 * What a settlement batch settles: a CEA purchase, or a CEA-to-EUA swap.
 *
 * @category settlement
 * @since 0.1.0
 */
export const SettlementType = Schema.Literals(["CEA_PURCHASE", "SWAP_CEA_TO_EUA"])
/**
 * @category settlement
 * @since 0.1.0
 */
export type SettlementType = typeof SettlementType.Type

// ---------------------------------------------------------------------------------------------
// Other
// ---------------------------------------------------------------------------------------------

/**
 * Outcome of an audited action in the ticket log.
 *
 * @category other
 * @since 0.1.0
 */
export const TicketStatus = Schema.Literals(["SUCCESS", "FAILED"])
/**
 * @category other
 * @since 0.1.0
 */
export type TicketStatus = typeof TicketStatus.Type

/**
 * Library a price scraping source is read with.
 *
 * @category other
 * @since 0.1.0
 */
export const ScrapeLibrary = Schema.Literals(["HTTPX", "BEAUTIFULSOUP", "SELENIUM", "PLAYWRIGHT"])
/**
 * @category other
 * @since 0.1.0
 */
export type ScrapeLibrary = typeof ScrapeLibrary.Type

/**
 * Outcome of the last scrape of a price source.
 *
 * @category other
 * @since 0.1.0
 */
export const ScrapeStatus = Schema.Literals(["SUCCESS", "FAILED", "TIMEOUT"])
/**
 * @category other
 * @since 0.1.0
 */
export type ScrapeStatus = typeof ScrapeStatus.Type

/**
 * Mail provider used for outgoing mail.
 *
 * @category other
 * @since 0.1.0
 */
export const MailProvider = Schema.Literals(["resend", "smtp"])
/**
 * @category other
 * @since 0.1.0
 */
export type MailProvider = typeof MailProvider.Type

/**
 * Kind of AML hold placed on a confirmed deposit.
 *
 * @category other
 * @since 0.1.0
 */
export const HoldType = Schema.Literals(["FIRST_DEPOSIT", "SUBSEQUENT", "LARGE_AMOUNT"])
/**
 * @category other
 * @since 0.1.0
 */
export type HoldType = typeof HoldType.Type

/**
 * AML review status of a deposit; it mirrors the hold.
 *
 * @category other
 * @since 0.1.0
 */
export const AmlStatus = Schema.Literals(["PENDING", "ON_HOLD", "CLEARED", "REJECTED"])
/**
 * @category other
 * @since 0.1.0
 */
export type AmlStatus = typeof AmlStatus.Type

/**
 * Every enum of the platform under the name the database (and the seed) gives its type.
 * The db package creates one Postgres enum type per entry, with the values in this order.
 *
 * @category catalogue
 * @since 0.1.0
 */
export const databaseNames = {
  /** Values of the `userrole` enum type. */
  userrole: UserRole.literals,
  /** Values of the `contactstatus` enum type. */
  contactstatus: ContactStatus.literals,
  /** Values of the `kycstatus` enum type. */
  kycstatus: KycStatus.literals,
  /** Values of the `documenttype` enum type. */
  documenttype: DocumentType.literals,
  /** Values of the `documentstatus` enum type. */
  documentstatus: DocumentStatus.literals,
  /** Values of the `jurisdiction` enum type. */
  jurisdiction: Jurisdiction.literals,
  /** Values of the `orderside` enum type. */
  orderside: OrderSide.literals,
  /** Values of the `orderstatus` enum type. */
  orderstatus: OrderStatus.literals,
  /** Values of the `markettype` enum type. */
  markettype: MarketType.literals,
  /** Values of the `certificatetype` enum type. */
  certificatetype: CertificateType.literals,
  /** Values of the `certificatestatus` enum type. */
  certificatestatus: CertificateStatus.literals,
  /** Values of the `tradetype` enum type. */
  tradetype: TradeType.literals,
  /** Values of the `tradestatus` enum type. */
  tradestatus: TradeStatus.literals,
  /** Values of the `swapstatus` enum type. */
  swapstatus: SwapStatus.literals,
  /** Values of the `assettype` enum type. */
  assettype: AssetType.literals,
  /** Values of the `currency` enum type. */
  currency: Currency.literals,
  /** Values of the `depositstatus` enum type. */
  depositstatus: DepositStatus.literals,
  /** Values of the `withdrawalstatus` enum type. */
  withdrawalstatus: WithdrawalStatus.literals,
  /** Values of the `transactiontype` enum type. */
  transactiontype: TransactionType.literals,
  /** Values of the `marketmakertype` enum type. */
  marketmakertype: MarketMakerType.literals,
  /** Values of the `autotradepricemode` enum type. */
  autotradepricemode: AutoTradePriceMode.literals,
  /** Values of the `autotradequantitymode` enum type. */
  autotradequantitymode: AutoTradeQuantityMode.literals,
  /** Values of the `settlementstatus` enum type. */
  settlementstatus: SettlementStatus.literals,
  /** Values of the `settlementtype` enum type. */
  settlementtype: SettlementType.literals,
  /** Values of the `ticketstatus` enum type. */
  ticketstatus: TicketStatus.literals,
  /** Values of the `scrapelibrary` enum type. */
  scrapelibrary: ScrapeLibrary.literals,
  /** Values of the `scrapestatus` enum type. */
  scrapestatus: ScrapeStatus.literals,
  /** Values of the `mailprovider` enum type. */
  mailprovider: MailProvider.literals,
  /** Values of the `holdtype` enum type. */
  holdtype: HoldType.literals,
  /** Values of the `amlstatus` enum type. */
  amlstatus: AmlStatus.literals,
  /** Values of the `authmethod` enum type. */
  authmethod: AuthMethod.literals
} as const

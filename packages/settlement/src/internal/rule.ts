/**
 * What a calendar is built from, behind the public `Calendar` interface.
 *
 * @internal
 */
import type * as Calendar from "../Calendar.ts"
import type * as China from "./china.ts"

/** China's schedule, read as the exchange or as the working-day calendar. */
export interface ChinaRule {
  readonly _tag: "China"
  readonly market: "exchange" | "workingDay"
  readonly table: China.Table
}

/** TARGET's six closing days and weekends. */
export interface TargetRule {
  readonly _tag: "Target"
}

/** Open only where every member is open. */
export interface JointRule {
  readonly _tag: "Joint"
  readonly members: ReadonlyArray<Calendar.Calendar>
}

/** Any of the above. */
export type Rule = ChinaRule | TargetRule | JointRule

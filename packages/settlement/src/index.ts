/**
 * @niha/settlement: when a CEA purchase or a CEA-to-EUA swap settles, and what is late.
 * Business-day calendars (China's exchange and working-day calendars, TARGET, joint
 * calendars), the T+N settlement schedule with a due date per milestone, and the
 * settlement-batch lifecycle with its history. Pure: no clock, no environment.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * Civil dates (`YYYY-MM-DD`) and their conversion to and from instants in a time zone.
 *
 * @since 0.1.0
 */
export * as CivilDate from "./CivilDate.ts"

/**
 * Gregorian Easter, for TARGET's Good Friday and Easter Monday.
 *
 * @since 0.1.0
 */
export * as Easter from "./Easter.ts"

/**
 * Business-day calendars: China exchange, China working day, TARGET, joint.
 *
 * @since 0.1.0
 */
export * as Calendar from "./Calendar.ts"

/**
 * The operator's calendar configuration: new China years and ad-hoc closures.
 *
 * @since 0.1.0
 */
export * as CalendarConfig from "./CalendarConfig.ts"

/**
 * Calendars by name, with the operator's configuration applied.
 *
 * @since 0.1.0
 */
export * as CalendarRegistry from "./CalendarRegistry.ts"

/**
 * The T+N schedule: trade date, settlement date and milestone due dates.
 *
 * @since 0.1.0
 */
export * as SettlementSchedule from "./SettlementSchedule.ts"

/**
 * The settlement-batch lifecycle with its history and overdue milestones.
 *
 * @since 0.1.0
 */
export * as SettlementBatch from "./SettlementBatch.ts"

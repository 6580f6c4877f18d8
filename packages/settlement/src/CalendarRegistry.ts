/**
 * Calendars by name, so that configuration (a settlement schedule, an operator's closures)
 * can refer to them as text: `"CHINA_EXCHANGE"`, `"CHINA_WORKING_DAY"`, `"TARGET"`.
 * {@link defaultRegistry} holds the library's calendars as released; {@link make} applies
 * an operator's `CalendarConfig.Config` (new China years, ad-hoc closures) on top of them,
 * validated, so the server builds its registry once at start-up from configuration.
 *
 * @since 0.1.0
 */
import type * as Arr from "effect/Array"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Calendar from "./Calendar.ts"
import type * as CalendarConfig from "./CalendarConfig.ts"

/**
 * Calendars by name.
 *
 * @category models
 * @since 0.1.0
 */
export interface CalendarRegistry {
  /** Each calendar under its name. */
  readonly calendars: ReadonlyMap<string, Calendar.Calendar>
}

/**
 * The answer to a calendar name the registry does not hold, with the names it does.
 *
 * @category errors
 * @since 0.1.0
 */
export class UnknownCalendar extends Schema.TaggedError<UnknownCalendar>()("UnknownCalendar", {
  /** The name asked for. */
  name: Schema.String,
  /** The names the registry holds. */
  known: Schema.Array(Schema.String)
}) {
  /** A one-line explanation. */
  override get message(): string {
    return `unknown calendar ${JSON.stringify(this.name)} (known: ${this.known.join(", ")})`
  }
}

/**
 * A registry of the given calendars, each under its own name.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromCalendars = (calendars: Iterable<Calendar.Calendar>): CalendarRegistry => ({
  calendars: new Map([...calendars].map((calendar) => [calendar.name, calendar]))
})

/**
 * The library's calendars as released: `CHINA_EXCHANGE`, `CHINA_WORKING_DAY` and `TARGET`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const defaultRegistry: CalendarRegistry = fromCalendars([
  Calendar.chinaExchange,
  Calendar.chinaWorkingDay,
  Calendar.target
])

/**
 * The calendar registered under `name`.
 *
 * @category getters
 * @since 0.1.0
 */
export const get = (registry: CalendarRegistry, name: string): Result.Result<Calendar.Calendar, UnknownCalendar> => {
  const calendar = registry.calendars.get(name)
  return calendar === undefined
    ? Result.fail(new UnknownCalendar({ name, known: [...registry.calendars.keys()] }))
    : Result.succeed(calendar)
}

/**
 * The calendar for a list of names: the one calendar when there is one name, else their
 * {@link Calendar.joint} calendar.
 *
 * @category getters
 * @since 0.1.0
 */
export const resolve = (
  registry: CalendarRegistry,
  names: Arr.NonEmptyReadonlyArray<string>
): Result.Result<Calendar.Calendar, UnknownCalendar> =>
  Result.gen(function*() {
    const [head, ...tail] = names
    const first = yield* get(registry, head)
    const rest: Array<Calendar.Calendar> = []
    for (const name of tail) rest.push(yield* get(registry, name))
    return rest.length === 0 ? first : Calendar.joint([first, ...rest])
  })

/**
 * The default registry with an operator's configuration applied: the China years added to
 * both China calendars, then each closure to the calendar it names. Fails on the first
 * problem, naming it; on failure nothing is applied.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  config: CalendarConfig.Config,
  base: CalendarRegistry = defaultRegistry
): Result.Result<CalendarRegistry, CalendarConfig.InvalidCalendarConfig | UnknownCalendar> =>
  Result.gen(function*() {
    const calendars = new Map(base.calendars)
    if (config.chinaYears.length > 0) {
      for (const [name, calendar] of calendars) {
        if (calendar.rule._tag === "China") {
          calendars.set(name, yield* Calendar.withChinaYears(calendar, config.chinaYears))
        }
      }
    }
    const byCalendar = new Map<string, Array<CalendarConfig.Closure>>()
    for (const closure of config.closures) {
      if (!calendars.has(closure.calendar)) {
        return yield* Result.fail(new UnknownCalendar({ name: closure.calendar, known: [...calendars.keys()] }))
      }
      const list = byCalendar.get(closure.calendar) ?? []
      list.push({ date: closure.date, reason: closure.reason })
      byCalendar.set(closure.calendar, list)
    }
    for (const [name, closures] of byCalendar) {
      const calendar = yield* get({ calendars }, name)
      calendars.set(name, yield* Calendar.withClosures(calendar, closures))
    }
    return { calendars }
  })

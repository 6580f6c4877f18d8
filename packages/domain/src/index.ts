/**
 * @niha/domain: the one place where the rules of NIHA Carbon live. Partner platforms
 * import it directly; the server, the SDK and the database are built on it.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * The 31 enumerations of the platform.
 *
 * @since 0.1.0
 */
export * as Enums from "./Enums.ts"

/**
 * Every status lifecycle as a transition table.
 *
 * @since 0.1.0
 */
export * as StateMachine from "./StateMachine.ts"

/**
 * Branded UUID identifiers, one per table.
 *
 * @since 0.1.0
 */
export * as Ids from "./Ids.ts"

/**
 * @packageDocumentation
 * @niha/sdk — see the package README.
 * @since 0.1.0
 */

/**
 * The npm name of this package.
 *
 * @category metadata
 * @since 0.1.0
 */
export const packageName = "@niha/sdk"

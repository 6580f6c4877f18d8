/**
 * Which failures of a money-moving service are refusals to put on the audit trail
 * (`Audit.recordRefusal`): the domain's answers to the caller (not permitted, not found,
 * a transition the machines refuse, a conflict, a limit, the balance), never a database
 * failure or a defect, which are the platform's, not the caller's.
 *
 * @internal
 */
import { Errors, StateMachine } from "@niha/domain"

/** Whether a failure is a domain refusal of the caller's attempt. */
export const isRefusal = (error: unknown): boolean =>
  error instanceof Errors.NotPermitted ||
  error instanceof Errors.NotFound ||
  error instanceof StateMachine.InvalidTransition ||
  error instanceof Errors.Conflict ||
  error instanceof Errors.LimitExceeded ||
  error instanceof Errors.InsufficientFunds

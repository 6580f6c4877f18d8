/**
 * Bank details as a client types them for a withdrawal: an IBAN and a BIC, checked
 * properly with the maintained `ibantools` library (the country's IBAN length and BBAN
 * format, the mod-97 check digits, and national account checksums where a country has
 * them; a BIC's shape and country) rather than with a pattern. Both decode to their
 * electronic form: spaces removed, upper case (`"de89 3704 0044 0532 0130 00"` decodes to
 * `"DE89370400440532013000"`), the form stored and sent to the bank.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as SchemaGetter from "effect/SchemaGetter"
import * as ibantools from "ibantools"
import * as Text from "./Text.ts"

const ibanProblems: Record<number, string> = {
  [ibantools.ValidationErrorsIBAN.NoIBANProvided]: "is empty",
  [ibantools.ValidationErrorsIBAN.NoIBANCountry]: "does not start with a country that uses IBANs",
  [ibantools.ValidationErrorsIBAN.WrongBBANLength]: "has the wrong length for its country",
  [ibantools.ValidationErrorsIBAN.WrongBBANFormat]: "does not have its country's account format",
  [ibantools.ValidationErrorsIBAN.ChecksumNotNumber]: "has check digits that are not digits",
  [ibantools.ValidationErrorsIBAN.WrongIBANChecksum]: "has wrong check digits (a typing mistake?)",
  [ibantools.ValidationErrorsIBAN.WrongAccountBankBranchChecksum]: "has a wrong national account checksum",
  [ibantools.ValidationErrorsIBAN.QRIBANNotAllowed]: "is a Swiss QR-IBAN, which receives no transfers"
}

/**
 * Why an IBAN in electronic form is not valid, or undefined when it is.
 *
 * @category checks
 * @since 0.1.0
 */
export const ibanProblem = (iban: string): string | undefined => {
  const result = ibantools.validateIBAN(iban, { allowQRIBAN: false })
  if (result.valid) return undefined
  const [first] = result.errorCodes
  return `must be a valid IBAN: it ${first === undefined ? "is not valid" : ibanProblems[first] ?? "is not valid"}`
}

/**
 * Why a BIC is not valid, or undefined when it is.
 *
 * @category checks
 * @since 0.1.0
 */
export const bicProblem = (bic: string): string | undefined =>
  ibantools.isValidBIC(bic) ? undefined : "must be a valid BIC (8 or 11 characters, e.g. DEUTDEFF)"

/**
 * The electronic form of an account or bank code as typed: spaces removed, upper case.
 *
 * @category conversions
 * @since 0.1.0
 */
export const electronicForm = (typed: string): string => typed.replace(/\s+/g, "").toUpperCase()

const electronic = SchemaGetter.transform<string, string>(electronicForm)

/**
 * A valid IBAN in electronic form.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Iban = Schema.String.check(Schema.makeFilter((iban: string) => ibanProblem(iban))).annotate({
  identifier: "Iban",
  description: "An IBAN in electronic form (no spaces, upper case), with valid check digits.",
  examples: ["DE89370400440532013000"]
})

/**
 * An IBAN as typed (spaces and lower case allowed), decoded to its electronic form and
 * checked.
 *
 * @category schemas
 * @since 0.1.0
 */
export const IbanInput = Text.Storable.check(Schema.isMaxLength(64, { message: "must be at most 64 characters" }))
  .pipe(Schema.decodeTo(Iban, { decode: electronic, encode: SchemaGetter.passthrough() }))
  .annotate({ identifier: "IbanInput", description: "An IBAN; spaces and lower case are accepted." })

/**
 * A valid BIC (8 or 11 characters), upper case.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Bic = Schema.String.check(Schema.makeFilter((bic: string) => bicProblem(bic))).annotate({
  identifier: "Bic",
  description: "A BIC (SWIFT code) of 8 or 11 characters, upper case.",
  examples: ["DEUTDEFF"]
})

/**
 * A BIC as typed (spaces and lower case allowed), decoded to upper case and checked.
 *
 * @category schemas
 * @since 0.1.0
 */
export const BicInput = Text.Storable.check(Schema.isMaxLength(32, { message: "must be at most 32 characters" }))
  .pipe(Schema.decodeTo(Bic, { decode: electronic, encode: SchemaGetter.passthrough() }))
  .annotate({ identifier: "BicInput", description: "A BIC; spaces and lower case are accepted." })

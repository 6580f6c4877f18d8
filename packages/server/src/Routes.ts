/**
 * The routes the server answers, read off `@niha/sdk`'s contract plus the few pages it
 * serves beside it, so the request middleware can tell a wrong method on a known path
 * (405 with `Allow`) from an unknown path (404), and give upload endpoints the body
 * limit their documents need instead of the general one.
 *
 * @since 0.1.0
 */
import { Onboarding } from "@niha/domain"
import { Api } from "@niha/sdk"

/**
 * One route: its method, its path pattern (`:name` segments match any one segment) and
 * whether its body is a multipart upload.
 *
 * @category models
 * @since 0.1.0
 */
export interface Route {
  /** The HTTP method. */
  readonly method: string
  /** The path, with `:name` for a parameter segment. */
  readonly path: string
  /** Whether the body is `multipart/form-data` (a file upload). */
  readonly upload: boolean
}

/**
 * The pages the server serves outside the contract: the OpenAPI document, the reference
 * page and the sign-in page mail links point to.
 *
 * @category constants
 * @since 0.1.0
 */
export const pages = {
  /** The OpenAPI 3.1 document, generated from the contract. */
  openapi: "/openapi.json",
  /** The interactive reference page. */
  docs: "/docs",
  /** The page a sign-in or invitation link opens. */
  signIn: "/sign-in",
  /** The Prometheus metrics (`Metrics`). */
  metrics: "/metrics"
} as const

/**
 * Every route of the contract and the pages.
 *
 * @category constants
 * @since 0.1.0
 */
export const all: ReadonlyArray<Route> = [
  ...Object.values(Api.Api.groups).flatMap((group) =>
    Object.values(group.endpoints).map((endpoint): Route => ({
      method: endpoint.method,
      path: endpoint.path,
      upload: [...endpoint.payload.keys()].some((contentType) => contentType.includes("multipart"))
    }))
  ),
  ...Object.values(pages).map((path): Route => ({ method: "GET", path, upload: false }))
]

const segmentsOf = (path: string): ReadonlyArray<string> => path.split("/").filter((segment) => segment !== "")

const matches = (pattern: ReadonlyArray<string>, path: ReadonlyArray<string>): boolean =>
  pattern.length === path.length &&
  pattern.every((segment, index) => segment.startsWith(":") || segment === path[index])

const compiled = all.map((route) => ({ route, segments: segmentsOf(route.path) }))

/**
 * The routes whose path matches `path` (without its query), whatever their method.
 *
 * @category lookups
 * @since 0.1.0
 */
export const matching = (path: string): ReadonlyArray<Route> => {
  const segments = segmentsOf(path)
  return compiled.filter((entry) => matches(entry.segments, segments)).map((entry) => entry.route)
}

/**
 * The methods a path answers, in the form of an `Allow` header (`HEAD` beside `GET`), or
 * undefined for a path the server does not know.
 *
 * @category lookups
 * @since 0.1.0
 */
export const allowedMethods = (path: string): string | undefined => {
  const methods = new Set(matching(path).map((route) => route.method))
  if (methods.size === 0) return undefined
  if (methods.has("GET")) methods.add("HEAD")
  return [...methods].join(", ")
}

/**
 * The largest body an upload may have: the largest document (`Onboarding.maxDocumentBytes`)
 * plus room for the multipart framing and the other form fields.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxUploadBodySize = Onboarding.maxDocumentBytes + 64 * 1024

/**
 * Whether `method` on `path` is a file upload.
 *
 * @category lookups
 * @since 0.1.0
 */
export const isUpload = (method: string, path: string): boolean =>
  matching(path).some((route) => route.upload && route.method === method)

/**
 * The page sign-in and invitation links open: `GET /sign-in?token=...`. Mail links point
 * here (`Notices`), so the link a person clicks always answers. The page does not spend
 * the token when it loads (mail scanners and link previews fetch links); it asks for one
 * click, then redeems the token through the API (`POST /auth/magic-links/redeem`), which
 * sets the session cookie, and shows who is signed in and until when.
 *
 * The page is static: its script reads the token from the address, so nothing the
 * request carries is written into the HTML. Its Content-Security-Policy allows only its
 * own inline script and style (by hash) and requests to this origin; `Referrer-Policy:
 * no-referrer` keeps the token out of any Referer header.
 *
 * An operator whose people sign in through another front end sets `--public-url` to it;
 * that front end serves `/sign-in` and redeems the token the same way.
 *
 * @since 0.1.0
 */
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import type * as Layer from "effect/Layer"
import * as NodeCrypto from "node:crypto"
import * as Routes from "./Routes.ts"

const style = `
body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; color: #1d2a24; }
h1 { font-size: 1.4rem; }
button { font: inherit; padding: .5rem 1.25rem; border: 0; border-radius: .3rem; background: #1f6f4a; color: #fff; }
button:disabled { opacity: .5; }
.error { color: #a02020; }
dt { font-weight: 600; }
`

const script = `
const token = new URLSearchParams(location.search).get("token") || ""
history.replaceState(null, "", location.pathname)
const status = document.getElementById("status")
const button = document.getElementById("sign-in")
const details = document.getElementById("session")
const show = (text, isError) => { status.textContent = text; status.className = isError ? "error" : "" }
if (token === "") { button.disabled = true; show("This link has no sign-in token. Ask for a new link.", true) }
button.addEventListener("click", async () => {
  button.disabled = true
  show("Signing in...", false)
  try {
    const response = await fetch("/auth/magic-links/redeem", {
      method: "POST",
      headers: { "content-type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ token })
    })
    const body = await response.json()
    if (!response.ok) { show(body.message || "The link could not be used.", true); return }
    show("You are signed in.", false)
    const rows = [["Email", body.user.email], ["Role", body.user.role], ["Session ends", body.expires_at]]
    for (const [name, value] of rows) {
      const dt = document.createElement("dt"); dt.textContent = name
      const dd = document.createElement("dd"); dd.textContent = value
      details.append(dt, dd)
    }
  } catch (error) {
    button.disabled = false
    show("The server could not be reached; try again.", true)
  }
})
`

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Sign in to NIHA Carbon</title>
<style>${style}</style>
</head>
<body>
<h1>Sign in to NIHA Carbon</h1>
<p>This link signs you in once. Continue to open your session in this browser.</p>
<button id="sign-in" type="button">Sign in</button>
<p id="status" role="status"></p>
<dl id="session"></dl>
<script>${script}</script>
</body>
</html>
`

const sha256 = (text: string): string => NodeCrypto.createHash("sha256").update(text, "utf8").digest("base64")

/**
 * The Content-Security-Policy of the page: nothing but its own script and style, and
 * requests to its own origin.
 *
 * @category constants
 * @since 0.1.0
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  `script-src 'sha256-${sha256(script)}'`,
  `style-src 'sha256-${sha256(style)}'`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join("; ")

/**
 * The route of the page, on the router of `HttpRouter.serve`.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<never, never, HttpRouter.HttpRouter> = HttpRouter.add(
  "GET",
  Routes.pages.signIn,
  HttpServerResponse.html(html).pipe(
    HttpServerResponse.setHeaders({
      "content-security-policy": contentSecurityPolicy,
      "referrer-policy": "no-referrer",
      "cache-control": "no-store"
    })
  )
)

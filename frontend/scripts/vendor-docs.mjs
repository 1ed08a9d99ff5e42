// The API docs (/docs: Swagger UI, /redoc: ReDoc) are served by the app itself, never from a
// CDN. Their files come from the npm packages pinned in package.json and are copied into
// dist/docs/ at build time (nothing third-party is committed). Run by `npm run build`.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'docs')
const files = [
  ['swagger-ui-dist/swagger-ui-bundle.js', 'swagger-ui-bundle.js'],
  ['swagger-ui-dist/swagger-ui.css', 'swagger-ui.css'],
  ['swagger-ui-dist/oauth2-redirect.html', 'oauth2-redirect.html'],
  ['swagger-ui-dist/oauth2-redirect.js', 'oauth2-redirect.js'],
  ['swagger-ui-dist/LICENSE', 'swagger-ui.LICENSE.txt'],
  ['redoc/bundles/redoc.standalone.js.LICENSE.txt', 'redoc.standalone.js.LICENSE.txt'],
]
mkdirSync(out, { recursive: true })
for (const [from, to] of files) {
  const source = join(root, 'node_modules', from)
  if (!existsSync(source)) throw new Error(`${from} is missing: run npm ci`)
  copyFileSync(source, join(out, to))
}

// ReDoc's sidebar shows a logo fetched from Redocly's CDN: the page must load nothing from
// elsewhere, so the bundle gets a blank inline image instead (img-src allows data:).
const REDOC_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg'
const redoc = readFileSync(join(root, 'node_modules', 'redoc/bundles/redoc.standalone.js'), 'utf8')
if (!redoc.includes(REDOC_LOGO)) throw new Error('redoc.standalone.js changed: check REDOC_LOGO')
if (/https:\/\/cdn\./.test(redoc.replaceAll(REDOC_LOGO, ''))) {
  throw new Error('redoc.standalone.js loads something else from a CDN')
}
writeFileSync(join(out, 'redoc.standalone.js'), redoc.replaceAll(
  REDOC_LOGO, "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"))

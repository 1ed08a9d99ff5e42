// The two jobs openapi-fetch leaves to us: saving a downloaded file under the server's name
// (a plain link could not send the bearer token), and sending a typed body as multipart.
import { errorFromException, parseErrorBody, type ApiResult } from './errors'

/** The name from Content-Disposition (RFC 5987 `filename*` first), else the fallback. */
export function fileName(contentDisposition: string | null, fallback: string): string {
  const cd = contentDisposition ?? ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd)
  if (star) {
    try {
      return decodeURIComponent(star[1])
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(cd)
  return plain ? plain[1] : fallback
}

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/**
 * Await an openapi-fetch call made with `parseAs: 'blob'` and save the file.
 * Gives the saved name, or the error in the API's one shape.
 */
export async function download(
  request: Promise<{ data?: Blob; error?: unknown; response: Response }>,
  fallbackName: string,
): Promise<ApiResult<string>> {
  try {
    const { data, error, response } = await request
    if (!response.ok || !data) return { error: parseErrorBody(error, response.status) }
    const name = fileName(response.headers.get('Content-Disposition'), fallbackName)
    save(data, name)
    return { data: name }
  } catch (e) {
    return { error: errorFromException(e) }
  }
}

/** openapi-fetch `bodySerializer` for multipart routes: files as they are, the rest as text. */
export function formData(body: object): FormData {
  const form = new FormData()
  for (const [k, v] of Object.entries(body)) {
    if (v === null || v === undefined) continue
    form.set(k, v instanceof Blob ? v : String(v))
  }
  return form
}

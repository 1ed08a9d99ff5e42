// Every API failure is turned into ONE shape, the one the backend sends:
//   {"error": {"code", "message" (Vietnamese), "field" | null, "details": []}}
// Network failures become code "network".

export interface ApiError {
  code: string
  /** Vietnamese, ready to show to the user. */
  message: string
  field: string | null
  details: unknown[]
}

export interface ApiErrorResponse {
  error: ApiError
}

export type ApiResult<T> = { data: T; error?: undefined } | { data?: undefined; error: ApiError }

const STATUS_MESSAGES: Record<number, string> = {
  400: 'Yêu cầu không hợp lệ.',
  401: 'Bạn cần đăng nhập lại.',
  403: 'Bạn không có quyền thực hiện thao tác này.',
  404: 'Không tìm thấy dữ liệu.',
  409: 'Dữ liệu đã bị thay đổi, vui lòng tải lại.',
  413: 'Dữ liệu gửi lên quá lớn.',
  422: 'Dữ liệu không hợp lệ.',
  429: 'Bạn thao tác quá nhanh, vui lòng thử lại sau ít phút.',
}

function statusMessage(status: number): string {
  if (STATUS_MESSAGES[status]) return STATUS_MESSAGES[status]
  if (status >= 500) return 'Máy chủ đang gặp sự cố, vui lòng thử lại sau.'
  return `Lỗi từ máy chủ (mã ${status}).`
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Turn the body of a failed response into an ApiError.
 * Accepts the agreed shape, and falls back gracefully for FastAPI's default
 * `{"detail": ...}` bodies, proxy HTML pages and empty bodies.
 */
export function parseErrorBody(body: unknown, status: number): ApiError {
  if (isObject(body) && isObject(body.error)) {
    const e = body.error
    return {
      code: typeof e.code === 'string' && e.code ? e.code : `http_${status}`,
      message: typeof e.message === 'string' && e.message ? e.message : statusMessage(status),
      field: typeof e.field === 'string' ? e.field : null,
      details: Array.isArray(e.details) ? e.details : [],
    }
  }
  if (isObject(body) && 'detail' in body) {
    const detail = body.detail
    if (Array.isArray(detail)) {
      // FastAPI/pydantic validation error: [{loc: ["body", "field"], msg, type}]
      const first = detail[0]
      const loc = isObject(first) && Array.isArray(first.loc) ? first.loc : []
      const last = loc.length ? loc[loc.length - 1] : null
      return {
        code: 'validation_error',
        message: statusMessage(422),
        field: typeof last === 'string' ? last : null,
        details: detail,
      }
    }
    return {
      code: `http_${status}`,
      message: typeof detail === 'string' && detail ? detail : statusMessage(status),
      field: null,
      details: [],
    }
  }
  return { code: `http_${status}`, message: statusMessage(status), field: null, details: [] }
}

/** Read a failed fetch Response into an ApiError (body is read from a clone). */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    const text = await response.clone().text()
    body = text ? JSON.parse(text) : null
  } catch {
    body = null
  }
  return parseErrorBody(body, response.status)
}

/** A thrown error (fetch rejected, aborted, bad JSON) as an ApiError. */
export function errorFromException(e: unknown): ApiError {
  if (e instanceof DOMException && e.name === 'AbortError') {
    return { code: 'aborted', message: 'Yêu cầu đã bị hủy.', field: null, details: [] }
  }
  if (e instanceof SyntaxError) {
    return {
      code: 'invalid_response',
      message: 'Máy chủ trả về dữ liệu không đọc được.',
      field: null,
      details: [],
    }
  }
  return {
    code: 'network',
    message: 'Không kết nối được máy chủ. Kiểm tra mạng và thử lại.',
    field: null,
    details: [],
  }
}

export function isApiError(v: unknown): v is ApiError {
  return isObject(v) && typeof v.code === 'string' && typeof v.message === 'string'
}

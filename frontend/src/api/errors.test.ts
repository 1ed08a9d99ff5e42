import { describe, expect, it } from 'vitest'
import { errorFromException, errorFromResponse, parseErrorBody } from './errors'

describe('parseErrorBody', () => {
  it('keeps the agreed error shape', () => {
    const body = {
      error: { code: 'report_locked', message: 'Báo cáo đã được duyệt.', field: 'count', details: [{ a: 1 }] },
    }
    expect(parseErrorBody(body, 409)).toEqual(body.error)
  })
  it('fills missing parts of the agreed shape', () => {
    expect(parseErrorBody({ error: { code: 'x' } }, 403)).toEqual({
      code: 'x',
      message: 'Bạn không có quyền thực hiện thao tác này.',
      field: null,
      details: [],
    })
  })
  it("maps FastAPI's default validation error", () => {
    const body = { detail: [{ loc: ['body', 'password'], msg: 'Field required', type: 'missing' }] }
    const e = parseErrorBody(body, 422)
    expect(e.code).toBe('validation_error')
    expect(e.field).toBe('password')
    expect(e.details).toEqual(body.detail)
  })
  it("maps FastAPI's plain detail and unknown bodies", () => {
    expect(parseErrorBody({ detail: 'Not authenticated' }, 401).code).toBe('http_401')
    expect(parseErrorBody('<html>Bad gateway</html>', 502)).toEqual({
      code: 'http_502',
      message: 'Máy chủ đang gặp sự cố, vui lòng thử lại sau.',
      field: null,
      details: [],
    })
    expect(parseErrorBody(null, 404).message).toBe('Không tìm thấy dữ liệu.')
  })
})

describe('errorFromResponse', () => {
  it('reads the JSON body of a Response', async () => {
    const res = new Response(JSON.stringify({ error: { code: 'bad', message: 'Sai', field: null, details: [] } }), {
      status: 400,
    })
    expect(await errorFromResponse(res)).toEqual({ code: 'bad', message: 'Sai', field: null, details: [] })
  })
  it('copes with a non-JSON body', async () => {
    expect((await errorFromResponse(new Response('oops', { status: 500 }))).code).toBe('http_500')
  })
})

describe('errorFromException', () => {
  it('turns a failed fetch into code "network"', () => {
    expect(errorFromException(new TypeError('Failed to fetch')).code).toBe('network')
  })
  it('recognises aborts and unreadable bodies', () => {
    expect(errorFromException(new DOMException('x', 'AbortError')).code).toBe('aborted')
    expect(errorFromException(new SyntaxError('Unexpected token')).code).toBe('invalid_response')
  })
})

/**
 * PLACEHOLDER — hand-written stand-in for the generated OpenAPI types.
 *
 * This file will be REPLACED by the generator once the backend publishes its
 * schema:
 *
 *   npx openapi-typescript openapi.json -o src/api/schema.d.ts
 *
 * Do not edit by hand after that. Only the endpoints the scaffold calls are
 * described here (auth/token and auth/me) plus the shared error shape; field
 * names are a best guess and must be checked against the real schema.
 */

export interface paths {
  '/api/v1/auth/token': {
    parameters: { query?: never; header?: never; path?: never; cookie?: never }
    get?: never
    put?: never
    /** Log in (OAuth2 password flow). */
    post: operations['auth_token']
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/v1/auth/me': {
    parameters: { query?: never; header?: never; path?: never; cookie?: never }
    /** The logged-in user. */
    get: operations['auth_me']
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
}

export type webhooks = Record<string, never>

export interface components {
  schemas: {
    Token: {
      access_token: string
      token_type: string
    }
    UnitRef: {
      id: number
      name: string
    }
    UserMe: {
      id: number
      username: string
      full_name: string
      role: string
      unit?: components['schemas']['UnitRef'] | null
    }
    ErrorDetail: {
      code: string
      /** Vietnamese, ready to show. */
      message: string
      field: string | null
      details: unknown[]
    }
    ErrorResponse: {
      error: components['schemas']['ErrorDetail']
    }
  }
  responses: never
  parameters: never
  requestBodies: never
  headers: never
  pathItems: never
}

export type $defs = Record<string, never>

export interface operations {
  auth_token: {
    parameters: { query?: never; header?: never; path?: never; cookie?: never }
    requestBody: {
      content: {
        'application/x-www-form-urlencoded': {
          username: string
          password: string
          grant_type?: string | null
          scope?: string
        }
      }
    }
    responses: {
      200: {
        headers: { [name: string]: unknown }
        content: { 'application/json': components['schemas']['Token'] }
      }
      401: {
        headers: { [name: string]: unknown }
        content: { 'application/json': components['schemas']['ErrorResponse'] }
      }
      422: {
        headers: { [name: string]: unknown }
        content: { 'application/json': components['schemas']['ErrorResponse'] }
      }
    }
  }
  auth_me: {
    parameters: { query?: never; header?: never; path?: never; cookie?: never }
    requestBody?: never
    responses: {
      200: {
        headers: { [name: string]: unknown }
        content: { 'application/json': components['schemas']['UserMe'] }
      }
      401: {
        headers: { [name: string]: unknown }
        content: { 'application/json': components['schemas']['ErrorResponse'] }
      }
    }
  }
}

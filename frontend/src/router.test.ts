import { describe, expect, it } from 'vitest'
import { matchPath, matchRoute, safeNext } from './router'

describe('matchPath', () => {
  it('matches static and parameter segments', () => {
    expect(matchPath('/', '/')).toEqual({})
    expect(matchPath('/report', '/report/')).toEqual({})
    expect(matchPath('/units/:id', '/units/42')).toEqual({ id: '42' })
    expect(matchPath('/units/:id', '/units/Ph%C6%B0%E1%BB%9Dng')).toEqual({ id: 'Phường' })
  })
  it('rejects non-matching paths', () => {
    expect(matchPath('/units/:id', '/units')).toBeNull()
    expect(matchPath('/units/:id', '/units/1/x')).toBeNull()
    expect(matchPath('/', '/nope')).toBeNull()
    expect(matchPath('/units/:id', '/units/%E0%A4%A')).toBeNull()
  })
  it('picks the first matching route', () => {
    const routes = [
      { path: '/', render: () => 'home' },
      { path: '/units/:id', render: () => 'unit' },
    ]
    expect(matchRoute(routes, '/units/7')?.params).toEqual({ id: '7' })
    expect(matchRoute(routes, '/missing')).toBeNull()
  })
})

describe('safeNext', () => {
  it('only allows same-origin paths', () => {
    expect(safeNext('/report?week=2024-W30')).toBe('/report?week=2024-W30')
    expect(safeNext('//evil.example')).toBe('/')
    expect(safeNext('/\\evil.example')).toBe('/')
    expect(safeNext('https://evil.example')).toBe('/')
    expect(safeNext(null)).toBe('/')
  })
})

import { describe, expect, it } from 'vitest'
import { fileName, formData } from './files'

describe('fileName', () => {
  it('prefers the UTF-8 name the server sends', () => {
    const cd = `attachment; filename="bao-cao.xlsx"; filename*=UTF-8''b%C3%A1o-c%C3%A1o.xlsx`
    expect(fileName(cd, 'x.xlsx')).toBe('báo-cáo.xlsx')
  })
  it('falls back to the plain name, then to the given one', () => {
    expect(fileName('attachment; filename="mau-nhap.xlsx"', 'x.xlsx')).toBe('mau-nhap.xlsx')
    expect(fileName(null, 'x.xlsx')).toBe('x.xlsx')
  })
})

describe('formData', () => {
  it('keeps files, writes the rest as text and leaves out empty values', () => {
    const file = new File(['a;b'], 'so-lieu.csv', { type: 'text/csv' })
    const form = formData({ file, campaign: 'ihanoi-live', dry_run: true, period: null })
    expect((form.get('file') as File).name).toBe('so-lieu.csv')
    expect(form.get('campaign')).toBe('ihanoi-live')
    expect(form.get('dry_run')).toBe('true')
    expect(form.has('period')).toBe(false)
  })
})

// Vietnamese first, English second. `t(key)` reads the current language;
// the choice is kept in localStorage under `tiendo.lang`.
import { createStore, storage, useStore } from './store'

export type Lang = 'vi' | 'en'
export const LANGS: readonly Lang[] = ['vi', 'en']
const LANG_KEY = 'tiendo.lang'

const vi = {
  'app.name': 'Tiến Độ',
  'app.tagline': 'Theo dõi tiến độ chiến dịch',

  // Report / submission statuses
  'status.on_time': 'Đúng hạn',
  'status.late': 'Nộp muộn',
  'status.missing': 'Chưa nộp',
  'status.submitted': 'Đã gửi',
  'status.approved': 'Đã duyệt',
  'status.returned': 'Trả lại',
  'status.draft': 'Bản nháp',

  // Forecast statuses
  'forecast.title': 'Dự báo',
  'forecast.met': 'Đã đạt',
  'forecast.on_track': 'Đúng tiến độ',
  'forecast.at_risk': 'Có nguy cơ',
  'forecast.behind': 'Chậm tiến độ',

  // Navigation
  'nav.overview': 'Tổng quan',
  'nav.report': 'Báo cáo tuần',
  'nav.units': 'Đơn vị',
  'nav.manage': 'Quản lý',
  'nav.admin': 'Quản trị',
  'nav.menu': 'Menu',
  'nav.main': 'Điều hướng chính',
  'nav.skip': 'Bỏ qua, đến nội dung chính',

  // Auth
  'auth.login': 'Đăng nhập',
  'auth.logout': 'Đăng xuất',
  'auth.change_password': 'Đổi mật khẩu',
  'auth.username': 'Tên đăng nhập',
  'auth.password': 'Mật khẩu',
  'auth.logging_in': 'Đang đăng nhập…',
  'auth.session_expired': 'Phiên làm việc đã hết hạn, vui lòng đăng nhập lại.',

  // Campaign vocabulary
  'campaign.title': 'Chiến dịch',
  'campaign.target': 'Chỉ tiêu',
  'campaign.done': 'Đã thực hiện',
  'campaign.remaining': 'Còn lại',
  'campaign.progress': 'Tiến độ',
  'deadline.district': 'Hạn huyện',
  'deadline.city': 'Hạn thành phố',
  'deadline.weekly': 'Hạn nộp báo cáo tuần',
  'week.label': 'Tuần',
  'week.current': 'Tuần này',

  // Report form
  'report.submit': 'Gửi báo cáo',
  'report.count': 'Số lượng',
  'report.note': 'Ghi chú',
  'report.due_hint': 'Nộp trước 15:00 thứ Năm hằng tuần.',

  // Common
  'common.loading': 'Đang tải…',
  'common.error': 'Có lỗi xảy ra',
  'common.retry': 'Thử lại',
  'common.save': 'Lưu',
  'common.cancel': 'Hủy',
  'common.close': 'Đóng',
  'common.language': 'Ngôn ngữ',
  'common.placeholder': 'Trang này đang được xây dựng.',
  'common.sample_data': 'Dữ liệu minh họa',
  'common.unit': 'Đơn vị',
  'common.user': 'Người dùng',

  // Errors (client side; server messages are already Vietnamese)
  'error.network': 'Không kết nối được máy chủ. Kiểm tra mạng và thử lại.',
  'error.unknown': 'Lỗi không xác định từ máy chủ.',

  'notfound.title': 'Không tìm thấy trang',
  'notfound.back': 'Về trang Tổng quan',
  'chart.weekly': 'Số lượng theo tuần',
} as const

export type MessageKey = keyof typeof vi

const en: Record<MessageKey, string> = {
  'app.name': 'Tiến Độ',
  'app.tagline': 'Campaign progress tracking',

  'status.on_time': 'On time',
  'status.late': 'Late',
  'status.missing': 'Missing',
  'status.submitted': 'Submitted',
  'status.approved': 'Approved',
  'status.returned': 'Returned',
  'status.draft': 'Draft',

  'forecast.title': 'Forecast',
  'forecast.met': 'Met',
  'forecast.on_track': 'On track',
  'forecast.at_risk': 'At risk',
  'forecast.behind': 'Behind',

  'nav.overview': 'Overview',
  'nav.report': 'Weekly report',
  'nav.units': 'Units',
  'nav.manage': 'Manage',
  'nav.admin': 'Admin',
  'nav.menu': 'Menu',
  'nav.main': 'Main navigation',
  'nav.skip': 'Skip to main content',

  'auth.login': 'Log in',
  'auth.logout': 'Log out',
  'auth.change_password': 'Change password',
  'auth.username': 'Username',
  'auth.password': 'Password',
  'auth.logging_in': 'Logging in…',
  'auth.session_expired': 'Your session has expired, please log in again.',

  'campaign.title': 'Campaign',
  'campaign.target': 'Target',
  'campaign.done': 'Done',
  'campaign.remaining': 'Still to go',
  'campaign.progress': 'Progress',
  'deadline.district': 'District deadline',
  'deadline.city': 'City deadline',
  'deadline.weekly': 'Weekly report due',
  'week.label': 'Week',
  'week.current': 'This week',

  'report.submit': 'Submit report',
  'report.count': 'Count',
  'report.note': 'Note',
  'report.due_hint': 'Due before Thursday 15:00 every week.',

  'common.loading': 'Loading…',
  'common.error': 'Something went wrong',
  'common.retry': 'Try again',
  'common.save': 'Save',
  'common.cancel': 'Cancel',
  'common.close': 'Close',
  'common.language': 'Language',
  'common.placeholder': 'This page is under construction.',
  'common.sample_data': 'Sample data',
  'common.unit': 'Unit',
  'common.user': 'User',

  'error.network': 'Cannot reach the server. Check the network and try again.',
  'error.unknown': 'Unknown error from the server.',

  'notfound.title': 'Page not found',
  'notfound.back': 'Back to Overview',
  'chart.weekly': 'Weekly counts',
}

export const dictionaries: Record<Lang, Record<MessageKey, string>> = { vi, en }

function initialLang(): Lang {
  const saved = storage.get(LANG_KEY)
  return saved === 'en' || saved === 'vi' ? saved : 'vi'
}

export const langStore = createStore<Lang>(initialLang())

export function getLang(): Lang {
  return langStore.get()
}

export function setLang(lang: Lang): void {
  storage.set(LANG_KEY, lang)
  langStore.set(lang)
  if (typeof document !== 'undefined') document.documentElement.lang = lang
}

/**
 * Translate a key. `{name}` placeholders are replaced from `params`.
 * Unknown keys fall back to Vietnamese, then to the key itself.
 */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  let text: string = dictionaries[langStore.get()][key] ?? vi[key] ?? key
  if (params) {
    text = text.replace(/\{(\w+)\}/g, (m, name: string) =>
      name in params ? String(params[name]) : m,
    )
  }
  return text
}

/** Hook: re-render when the language changes; returns the current language. */
export function useLang(): Lang {
  return useStore(langStore)
}

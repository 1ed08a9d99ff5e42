/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Optional API origin, e.g. "https://tiendo.example.vn". Default: same origin. */
  readonly VITE_API_BASE?: string
}

interface ImportMeta {
  readonly env: ImportMetaEnv
}

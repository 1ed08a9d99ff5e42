// Build step for the installable app: draws the PNG icons the manifest names (no image files
// in the repository), then builds the service worker (src/offline/sw.ts) into dist/sw.js with
// the list of every built file to precache and a version derived from their contents.
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { deflateSync } from 'node:zlib'
import { build, type Plugin } from 'vite'

const RED = [0xb3, 0x26, 0x1e]
const WHITE = [0xff, 0xff, 0xff]

/** The icon: three rising white bars on the app's red, inside the maskable safe zone. */
export function iconPixels(size: number): Uint8Array {
  const px = new Uint8Array(size * size * 3)
  const bars = [
    [0.25, 0.4, 0.55],
    [0.43, 0.58, 0.42],
    [0.61, 0.76, 0.28],
  ]
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const fx = x / size
      const fy = y / size
      const inBar = bars.some(([x0, x1, top]) => fx >= x0 && fx < x1 && fy >= top && fy < 0.72)
      const base = fx >= 0.22 && fx < 0.79 && fy >= 0.74 && fy < 0.78
      px.set(inBar || base ? WHITE : RED, (y * size + x) * 3)
    }
  }
  return px
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(data: Uint8Array): number {
  let c = 0xffffffff
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/** An RGB PNG of `size`×`size`. */
export function png(size: number): Buffer {
  const px = iconPixels(size)
  const rows = Buffer.alloc(size * (size * 3 + 1))
  for (let y = 0; y < size; y++) {
    rows[y * (size * 3 + 1)] = 0 // filter: none
    rows.set(px.subarray(y * size * 3, (y + 1) * size * 3), y * (size * 3 + 1) + 1)
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr.set([8, 2, 0, 0, 0], 8) // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', new Uint8Array()),
  ])
}

export const ICON_SIZES = [192, 512]

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
}

export function pwa(): Plugin {
  let outDir = 'dist'
  let publicDir = 'public'
  let root = '.'
  return {
    name: 'tiendo-pwa',
    apply: 'build',
    configResolved(config) {
      root = config.root
      outDir = config.build.outDir
      publicDir = config.publicDir
    },
    generateBundle() {
      for (const size of ICON_SIZES) {
        this.emitFile({ type: 'asset', fileName: `icons/icon-${size}.png`, source: png(size) })
      }
    },
    async writeBundle(_options, bundle) {
      const built = Object.keys(bundle).filter((f) => !f.endsWith('.map'))
      const pub = publicDir ? filesUnder(publicDir) : []
      const files = [...new Set([...built, ...pub])].filter((f) => f !== 'sw.js').sort()
      const dist = join(root, outDir)
      const hash = createHash('sha256')
      for (const f of files) hash.update(f).update(readFileSync(join(dist, f)))
      const precache = files.map((f) => (f === 'index.html' ? '/index.html' : `/${f}`))
      await build({
        configFile: false,
        root,
        logLevel: 'warn',
        publicDir: false,
        define: {
          __PRECACHE__: JSON.stringify(precache),
          __VERSION__: JSON.stringify(hash.digest('hex').slice(0, 12)),
        },
        build: {
          outDir,
          emptyOutDir: false,
          copyPublicDir: false,
          minify: true,
          lib: { entry: join(root, 'src/offline/sw.ts'), formats: ['iife'], name: 'tiendoSw', fileName: () => 'sw.js' },
        },
      })
    },
  }
}

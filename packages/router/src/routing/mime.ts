import { open } from 'node:fs/promises'
import { extname } from 'node:path'
import type mimeTypes from 'mime-types'

// Hertz takes a file's type from its extension (Go's mime.TypeByExtension) and, for an unknown extension, sniffs
// the first 512 bytes (http.DetectContentType). mime-types is the extension table here; the sniffing below covers
// the signatures a static file server meets, then tells text from binary as WHATWG's algorithm does.

const SNIFF_LEN = 512
const OCTET = 'application/octet-stream'
const TEXT = 'text/plain; charset=utf-8'
const HTML = 'text/html; charset=utf-8'

const HTML_TAGS = ['!DOCTYPE HTML', 'HTML', 'HEAD', 'SCRIPT', 'IFRAME', 'H1', 'DIV', 'FONT', 'TABLE', 'A', 'STYLE',
  'TITLE', 'B', 'BODY', 'BR', 'P', '!--']

/** Exact leading-byte signatures (offset 0) and their types. */
const MAGIC: Array<[Buffer, string]> = [
  [Buffer.from('%PDF-'), 'application/pdf'],
  [Buffer.from('%!PS-Adobe-'), 'application/postscript'],
  [Buffer.from([0xfe, 0xff]), 'text/plain; charset=utf-16be'],
  [Buffer.from([0xff, 0xfe]), 'text/plain; charset=utf-16le'],
  [Buffer.from([0xef, 0xbb, 0xbf]), TEXT],
  [Buffer.from('GIF87a'), 'image/gif'],
  [Buffer.from('GIF89a'), 'image/gif'],
  [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'image/png'],
  [Buffer.from([0xff, 0xd8, 0xff]), 'image/jpeg'],
  [Buffer.from('BM'), 'image/bmp'],
  [Buffer.from([0x00, 0x00, 0x01, 0x00]), 'image/x-icon'],
  [Buffer.from('OggS\x00'), 'application/ogg'],
  [Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), 'video/webm'],
  [Buffer.from('PK\x03\x04'), 'application/zip'],
  [Buffer.from([0x1f, 0x8b, 0x08]), 'application/x-gzip'],
  [Buffer.from('Rar!\x1a\x07'), 'application/x-rar-compressed'],
  [Buffer.from('\x00asm'), 'application/wasm'],
  [Buffer.from('wOFF'), 'font/woff'],
  [Buffer.from('wOF2'), 'font/woff2']
]

function isWhitespace (b: number): boolean {
  return b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x20
}

/** A binary byte in the WHATWG sense: a control character other than TAB, LF, FF, CR and ESC. */
function isBinaryByte (b: number): boolean {
  return b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)
}

function startsWithTag (data: Buffer, at: number, tag: string): boolean {
  if (data.length < at + 1 + tag.length + 1) return false
  if (data[at] !== 0x3c) return false
  for (let i = 0; i < tag.length; i++) {
    let b = data[at + 1 + i] as number
    if (b >= 0x61 && b <= 0x7a) b -= 0x20
    if (b !== tag.charCodeAt(i)) return false
  }
  const end = data[at + 1 + tag.length] as number
  return end === 0x20 || end === 0x3e
}

/**
 * The Content-Type of `data` (a file's first bytes) by its content, as Go's `http.DetectContentType` decides it for
 * the common cases: HTML and XML openings, well-known magic numbers, then `text/plain; charset=utf-8` for data with
 * no binary byte (an empty file included) and `application/octet-stream` otherwise.
 */
export function detectContentType (data: Buffer): string {
  const head = data.subarray(0, SNIFF_LEN)
  let i = 0
  while (i < head.length && isWhitespace(head[i] as number)) i++
  for (const tag of HTML_TAGS) if (startsWithTag(head, i, tag)) return HTML
  if (head.subarray(i, i + 5).toString('latin1') === '<?xml') return 'text/xml; charset=utf-8'
  for (const [sig, type] of MAGIC) if (head.subarray(0, sig.length).equals(sig)) return type
  if (head.length >= 12 && head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp'
  if (head.length >= 12 && head.subarray(4, 8).toString('latin1') === 'ftyp') {
    const brand = head.subarray(8, 11).toString('latin1')
    if (brand === 'avi') return 'image/avif'
    if (brand !== 'hei') return 'video/mp4'
  }
  for (const b of head) if (isBinaryByte(b)) return OCTET
  return TEXT
}

// mime-types is loaded with the first file served: its table is about a megabyte of heap, which a server that
// serves no files should not carry (and which moves a small server's heap across V8's GC thresholds).
let mime: typeof mimeTypes | null = null

async function loadMime (): Promise<typeof mimeTypes> {
  mime ??= (await import('mime-types')).default
  return mime
}

/** The Content-Type for a file name by its extension (with a charset for text types), or null when unknown. */
async function typeByExtension (file: string): Promise<string | null> {
  const ext = extname(file)
  if (ext === '') return null
  const type = (mime ?? await loadMime()).contentType(ext.toLowerCase())
  return type === false ? null : type
}

/** The Content-Type of the file at `file`: by extension, else sniffed from its first 512 bytes. */
export async function contentTypeOfFile (file: string): Promise<string> {
  const byExt = await typeByExtension(file)
  if (byExt !== null) return byExt
  const fh = await open(file, 'r')
  try {
    const buf = Buffer.alloc(SNIFF_LEN)
    const { bytesRead } = await fh.read(buf, 0, SNIFF_LEN, 0)
    return detectContentType(buf.subarray(0, bytesRead))
  } finally {
    await fh.close()
  }
}

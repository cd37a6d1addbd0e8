import * as http from 'node:http'
// Aliased: an application bundling this package often declares `createRequire` itself in a banner (esbuild's
// recipe for ESM bundles that need `require`), and a second top-level binding of that name would not load.
import { createRequire as requireFrom } from 'node:module'

// Every frame a client sends is masked (RFC 6455 5.3), so a server unmasks every byte it receives. `ws` does it
// natively when it can (node:http's `websocketUnmask` on newer Node, else the optional `bufferutil` addon) and
// otherwise one byte at a time in JavaScript, about 19 µs per 16 KB payload here: 40 % of the server's CPU per
// echoed 16 KB message. Going 32 bits at a time over the aligned middle of the payload takes 3.5 µs.

/** Payloads shorter than this are left to `ws`: the word view costs more than it saves. */
export const WORD_UNMASK_MIN = 64

const maskBytes = new Uint8Array(4)
const maskWord = new Uint32Array(maskBytes.buffer)

/**
 * Unmasks `payload` in place with the frame's 4-byte `mask`, the same result as the byte-wise XOR: byte `i`
 * with `mask[i % 4]`. The bytes before the first 4-byte boundary of the underlying memory and those after the
 * last one go byte by byte; the words between them with the mask rotated to start where they start.
 *
 * @param payload - the frame's payload, masked
 * @param mask - the frame's masking key
 */
export function unmaskWords (payload: Uint8Array, mask: Uint8Array): void {
  const length = payload.length
  const lead = Math.min((4 - (payload.byteOffset & 3)) & 3, length)
  let i = 0
  for (; i < lead; i++) payload[i] = (payload[i] as number) ^ (mask[i & 3] as number)
  const words = (length - i) >>> 2
  if (words > 0) {
    // The key's bytes in memory order from byte i on: the word reads them in the host's byte order, as the
    // payload words are read, so the XOR lines up whatever that order is.
    maskBytes[0] = mask[i & 3] as number
    maskBytes[1] = mask[(i + 1) & 3] as number
    maskBytes[2] = mask[(i + 2) & 3] as number
    maskBytes[3] = mask[(i + 3) & 3] as number
    const key = maskWord[0] as number
    const view = new Uint32Array(payload.buffer, payload.byteOffset + i, words)
    for (let w = 0; w < words; w++) view[w] = (view[w] as number) ^ key
    i += words << 2
  }
  for (; i < length; i++) payload[i] = (payload[i] as number) ^ (mask[i & 3] as number)
}

/**
 * True when `ws` unmasks natively, by its own rule: node:http's `websocketUnmask`, else `bufferutil` found from
 * `ws`'s own folder (unless `WS_NO_BUFFER_UTIL` is set). The native code is faster than {@link unmaskWords}.
 */
export function wsUnmasksNatively (): boolean {
  if (typeof (http as { websocketUnmask?: unknown }).websocketUnmask === 'function') return true
  if (process.env.WS_NO_BUFFER_UTIL !== undefined && process.env.WS_NO_BUFFER_UTIL !== '') return false
  try {
    const fromHere = requireFrom(import.meta.url)
    requireFrom(fromHere.resolve('ws')).resolve('bufferutil')
    return true
  } catch {
    return false
  }
}

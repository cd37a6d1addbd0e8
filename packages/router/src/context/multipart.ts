import { randomUUID } from 'node:crypto'
import { createWriteStream, type WriteStream } from 'node:fs'
import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { IncomingMessage } from 'node:http'
import type { Busboy as BusboyFactory, BusboyFileStream, BusboyInstance } from '@fastify/busboy'
import { HertzError, HertzErrorCode } from '../errors.js'
import { bodyTooLarge } from '../pipeline/body.js'
import { FileHeader } from './file-header.js'

/** Limits on a multipart body (see `server.withMultipartLimits`); the body as a whole stays within the body limit. */
export interface MultipartLimits {
  /** Most parts (fields and files together). */
  maxParts: number
  /** Most file parts. */
  maxFiles: number
  /** Largest value of a non-file field, in bytes. */
  maxFieldSize: number
  /** File bytes kept in memory per request; files past it are written to `tempDir` (Hertz: 16 MiB). */
  maxMemory: number
  /** Where files past `maxMemory` are written; each is removed when its request ends. */
  tempDir: string
}

/** A parsed multipart form (Go's `multipart.Form`): field values and files by name, in arrival order. */
export interface MultipartForm {
  /** Values of the non-file fields. */
  readonly value: Record<string, string[]>
  /** The files. */
  readonly file: Record<string, FileHeader[]>
}

// busboy is loaded with the first multipart body: most servers never parse one, and its modules are most of a
// megabyte of heap.
let Busboy: typeof BusboyFactory | null = null

async function loadBusboy (): Promise<typeof BusboyFactory> {
  Busboy ??= (await import('@fastify/busboy')).Busboy
  return Busboy
}

function limitError (what: string): HertzError {
  return new HertzError(HertzErrorCode.MULTIPART_LIMIT, `multipart form exceeds the limit on ${what}`)
}

/**
 * The multipart form of one request: parsed once, its temporary files removed by {@link release} (when the
 * request ends), also when the parse is still running then.
 */
export class MultipartState {
  /** The form once parsed, else null. */
  form: MultipartForm | null = null
  /** The parse, once started. */
  promise: Promise<MultipartForm> | null = null
  readonly #temp: string[] = []
  #released = false
  #memory = 0

  /** Parses `source` (the buffered body, or the request stream read up to `bodyLimit`). */
  parse (source: Buffer | IncomingMessage, contentType: string, limits: MultipartLimits, bodyLimit: number): Promise<MultipartForm> {
    if (this.promise === null) {
      const run = Busboy !== null
        ? this.#run(Busboy, source, contentType, limits, bodyLimit)
        : loadBusboy().then(factory => this.#run(factory, source, contentType, limits, bodyLimit))
      this.promise = run.then(form => {
        this.form = form
        if (this.#released) void this.#removeAll()
        return form
      }, (err: unknown) => {
        void this.#removeAll()
        throw err
      })
    }
    return this.promise
  }

  /** The request is over: its temporary files go. */
  release (): void {
    this.#released = true
    void this.#removeAll()
  }

  /** The temporary files still on disk (for tests and diagnostics). */
  tempFiles (): readonly string[] {
    return this.#temp
  }

  async #removeAll (): Promise<void> {
    const paths = this.#temp.splice(0)
    await Promise.all(paths.map(p => unlink(p).catch(() => {})))
  }

  #run (busboy: typeof BusboyFactory, source: Buffer | IncomingMessage, contentType: string, limits: MultipartLimits,
    bodyLimit: number): Promise<MultipartForm> {
    let bb: BusboyInstance
    try {
      bb = busboy({
        headers: { 'content-type': contentType },
        limits: { parts: limits.maxParts, files: limits.maxFiles, fieldSize: limits.maxFieldSize },
        // Go's rule: a part with a file name is a file, anything else a value.
        isPartAFile: (_field, _type, filename) => filename !== undefined && filename !== ''
      })
    } catch (err) {
      return Promise.reject(new HertzError(HertzErrorCode.NOT_MULTIPART,
        'request Content-Type has bad boundary or is not multipart/form-data', { cause: err }))
    }
    const value: Record<string, string[]> = Object.create(null)
    const file: Record<string, FileHeader[]> = Object.create(null)
    return new Promise<MultipartForm>((resolve, reject) => {
      let pending = 1
      let failed = false
      const fail = (err: Error): void => {
        if (failed) return
        failed = true
        if (Buffer.isBuffer(source)) bb.destroy()
        else { source.unpipe(bb); source.pause(); bb.destroy() }
        reject(err)
      }
      const done = (): void => { if (--pending === 0 && !failed) resolve({ value, file }) }
      bb.on('field', (name: string, val: string, nameTruncated: boolean, valTruncated: boolean) => {
        if (nameTruncated || valTruncated) { fail(limitError('field size')); return }
        ;(value[name] ??= []).push(val)
      })
      bb.on('file', (name: string, stream: BusboyFileStream, filename: string, _enc: string, mime: string) => {
        pending++
        this.#receive(stream, limits, (err, content, tempPath, size) => {
          if (err !== null) { fail(err); return }
          ;(file[name] ??= []).push(new FileHeader(name, filename, mime, size, content, tempPath))
          done()
        })
      })
      bb.on('partsLimit', () => { fail(limitError('parts')) })
      bb.on('filesLimit', () => { fail(limitError('files')) })
      bb.on('error', (err: Error) => {
        fail(new HertzError(HertzErrorCode.BAD_MULTIPART, 'malformed multipart body: ' + err.message, { cause: err }))
      })
      bb.on('finish', done)
      if (Buffer.isBuffer(source)) { bb.end(source); return }
      let read = 0
      source.on('data', (chunk: Buffer) => {
        read += chunk.length
        if (read > bodyLimit) fail(bodyTooLarge(bodyLimit))
      })
      source.on('close', () => {
        if (!source.complete) fail(new HertzError(HertzErrorCode.BODY_ABORTED, 'request body aborted: client went away'))
      })
      source.pipe(bb)
    })
  }

  /** Collects one file in memory, moving it to a temporary file once the request's files outgrow `maxMemory`. */
  #receive (stream: BusboyFileStream, limits: MultipartLimits,
    cb: (err: Error | null, content: Buffer | null, tempPath: string | null, size: number) => void): void {
    const chunks: Buffer[] = []
    let size = 0
    let out: WriteStream | null = null
    let path: string | null = null
    let settled = false
    const settle = (err: Error | null, content: Buffer | null, tempPath: string | null): void => {
      if (settled) return
      settled = true
      cb(err, content, tempPath, size)
    }
    const failOut = (err: Error): void => { stream.resume(); settle(err, null, null) }
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (out === null && this.#memory + chunk.length > limits.maxMemory) {
        path = join(limits.tempDir, 'hertz-multipart-' + randomUUID())
        this.#temp.push(path)
        if (this.#released) void this.#removeAll()
        out = createWriteStream(path, { flags: 'wx', mode: 0o600 })
        out.on('error', failOut)
        for (const c of chunks) out.write(c)
        this.#memory -= size - chunk.length
        chunks.length = 0
      }
      if (out === null) {
        this.#memory += chunk.length
        chunks.push(chunk)
      } else if (!out.write(chunk)) {
        stream.pause()
        out.once('drain', () => stream.resume())
      }
    })
    stream.on('end', () => {
      if (out === null) { settle(null, Buffer.concat(chunks, size), null); return }
      out.end(() => { settle(null, null, path) })
    })
  }
}

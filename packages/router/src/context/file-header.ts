import { createReadStream } from 'node:fs'
import { copyFile, readFile, writeFile } from 'node:fs/promises'
import { Readable } from 'node:stream'

/**
 * One uploaded file of a multipart form (Go's `multipart.FileHeader`). Its bytes are in memory, or in a temporary
 * file when the form's files outgrew the in-memory limit; the temporary file is removed when the request ends.
 */
export class FileHeader {
  /** The file name the client gave (without directories). */
  readonly filename: string
  /** The part's headers (`Content-Disposition`, `Content-Type`). */
  readonly header: Headers
  /** Size in bytes. */
  readonly size: number
  readonly #content: Buffer | null
  readonly #tempPath: string | null

  /**
   * @param field - the form field name
   * @param filename - the client's file name
   * @param contentType - the part's Content-Type
   * @param size - the byte count
   * @param content - the bytes when kept in memory, else null
   * @param tempPath - the temporary file holding them otherwise, else null
   */
  constructor (field: string, filename: string, contentType: string, size: number, content: Buffer | null, tempPath: string | null) {
    this.filename = filename
    this.size = size
    this.header = new Headers()
    this.header.set('Content-Disposition', `form-data; name="${field.replace(/"/g, '%22')}"; filename="${filename.replace(/"/g, '%22')}"`)
    this.header.set('Content-Type', contentType)
    this.#content = content
    this.#tempPath = tempPath
  }

  /** The temporary file holding the bytes, or null when they are in memory. */
  get tempPath (): string | null {
    return this.#tempPath
  }

  /** The file's bytes as a stream (Go's `Open`). */
  open (): Readable {
    return this.#tempPath !== null ? createReadStream(this.#tempPath) : Readable.from([this.#content as Buffer])
  }

  /** The file's bytes. */
  bytes (): Promise<Buffer> {
    return this.#tempPath !== null ? readFile(this.#tempPath) : Promise.resolve(this.#content as Buffer)
  }

  /** Writes the file to `dst` (created or truncated), as Hertz's `SaveUploadedFile`. */
  saveTo (dst: string): Promise<void> {
    return this.#tempPath !== null ? copyFile(this.#tempPath, dst) : writeFile(dst, this.#content as Buffer)
  }
}

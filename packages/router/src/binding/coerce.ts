import type { FieldType, TypeHint } from './schema.js'

// Request values arrive as text; Hertz decodes them by the Go field's type (strconv.ParseInt, ParseFloat,
// ParseBool, a JSON fallback for slices and structs). Text that does not parse is left as it is, so that the
// schema reports the field instead of the binder failing on the first one.

const INT = /^[+-]?\d+$/
const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])

/** Options of the coercion (Hertz's `BindConfig`). */
export interface CoerceOptions {
  /** An empty text becomes 0 / false for number, integer and boolean fields (Hertz's `LooseZeroMode`). */
  readonly looseZeroMode?: boolean
}

function parseJSON (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** One text as a value of `type`, or the text itself when it does not parse as one (Go's strconv rules). */
export function coerceScalar (text: string, type: FieldType | undefined, o: CoerceOptions): unknown {
  if (text === '' && o.looseZeroMode === true) {
    if (type === 'number' || type === 'integer') return 0
    if (type === 'boolean') return false
  }
  switch (type) {
    case 'integer': {
      if (!INT.test(text)) return text
      const n = Number(text)
      return Number.isSafeInteger(n) ? n : text
    }
    case 'number':
      return FLOAT.test(text) ? Number(text) : text
    case 'boolean':
      return TRUE.has(text) ? true : FALSE.has(text) ? false : text
    case 'object':
    case 'array': {
      const v = parseJSON(text)
      return v === undefined ? text : v
    }
    default:
      return text
  }
}

/**
 * The values found for one field as the value the schema gets: the first text by the field's type, every text for
 * an array (each by the item type; a single text holding a JSON array is used whole when its items do not parse one
 * by one, as Hertz falls back to `json.Unmarshal`), and, with no type known, the text (or all texts when repeated).
 */
export function coerce (texts: readonly string[], hint: TypeHint | undefined, o: CoerceOptions): unknown {
  const type = hint?.type
  if (type === 'array') {
    const items = texts.map(t => coerceScalar(t, hint?.items, o))
    const typed = hint?.items === undefined || hint.items === 'string' || items.every(v => typeof v !== 'string')
    if (!typed && texts.length === 1) {
      const whole = parseJSON(texts[0] as string)
      if (Array.isArray(whole)) return whole
    }
    return items
  }
  if (type === undefined && texts.length > 1) return texts.slice()
  return coerceScalar(texts[0] as string, type, o)
}

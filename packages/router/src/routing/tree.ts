// Hertz's route tree, one per method: a radix tree whose nodes are static text, a `:` parameter or a `*`
// catch-all. A lookup tries static, then parameter, then catch-all children, and backs up to the last decision
// point when a branch dead-ends, exactly in Hertz's order. Parameter names are not part of the tree: each route
// keeps its own, so `/users/:id` and `/users/:uid/files` share one parameter node.

const STATIC = 0
const PARAM = 1
const ANY = 2
const SLASH = 47
const COLON = 58
const STAR = 42

class TreeNode<T> {
  kind: number
  /** First char code of `prefix`. */
  label: number
  /** Static text, or `:` / `*` for a parameter / catch-all node. */
  prefix: string
  parent: TreeNode<T> | null
  children: Array<TreeNode<T>> = []
  paramChild: TreeNode<T> | null = null
  anyChild: TreeNode<T> | null = null
  /** The route ending here, if any. */
  value: T | null = null

  constructor (kind: number, prefix: string, parent: TreeNode<T> | null) {
    this.kind = kind
    this.prefix = prefix
    this.label = prefix.charCodeAt(0)
    this.parent = parent
  }

  staticChild (label: number): TreeNode<T> | null {
    const list = this.children
    for (let i = 0; i < list.length; i++) {
      const c = list[i] as TreeNode<T>
      if (c.label === label) return c
    }
    return null
  }

  /** The child an insertion of text starting with `label` continues into. */
  childFor (label: number): TreeNode<T> | null {
    const c = this.staticChild(label)
    if (c !== null) return c
    if (label === COLON) return this.paramChild
    if (label === STAR) return this.anyChild
    return null
  }
}

/** Thrown (as a plain Error, wrapped by the table) when a pattern's node already holds a route. */
export class DuplicateRoute extends Error {}

/**
 * A route tree for one method. Patterns are given with parameter names removed (`/users/:/files/*`); a value
 * holds the names. Values are what lookups return.
 */
export class RouteTree<T> {
  readonly root = new TreeNode<T>(STATIC, '', null)

  /**
   * Inserts `key` (a pattern without parameter names: `:` for a parameter, a final `*` for a catch-all). Throws
   * DuplicateRoute when a route already ends at that node.
   */
  add (key: string, value: T): void {
    for (let i = 0; i < key.length; i++) {
      const ch = key.charCodeAt(i)
      if (ch === COLON) {
        this.insert(key.slice(0, i), null, STATIC)
        if (i + 1 === key.length) {
          this.insert(key, value, PARAM)
          return
        }
        this.insert(key.slice(0, i + 1), null, PARAM)
      } else if (ch === STAR) {
        this.insert(key.slice(0, i), null, STATIC)
        this.insert(key, value, ANY)
        return
      }
    }
    this.insert(key, value, STATIC)
  }

  private insert (path: string, value: T | null, kind: number): void {
    if (path === '') return
    let cn = this.root
    let search = path
    for (;;) {
      const pre = cn.prefix
      const max = Math.min(pre.length, search.length)
      let lcp = 0
      while (lcp < max && search.charCodeAt(lcp) === pre.charCodeAt(lcp)) lcp++
      if (lcp === 0) {
        // Only the empty root gets here.
        cn.prefix = search
        cn.label = search.charCodeAt(0)
        if (value !== null) {
          cn.kind = kind
          cn.value = value
        }
        return
      }
      if (lcp < pre.length) {
        split(cn, lcp)
        if (lcp === search.length) {
          cn.kind = kind
          cn.value = value
        } else {
          cn.children.push(new TreeNode<T>(kind, search.slice(lcp), cn))
          ;(cn.children[cn.children.length - 1] as TreeNode<T>).value = value
        }
        return
      }
      if (lcp < search.length) {
        search = search.slice(lcp)
        const next = cn.childFor(search.charCodeAt(0))
        if (next !== null) {
          cn = next
          continue
        }
        const n = new TreeNode<T>(kind, search, cn)
        n.value = value
        if (kind === PARAM) cn.paramChild = n
        else if (kind === ANY) cn.anyChild = n
        else cn.children.push(n)
        return
      }
      if (value !== null) {
        if (cn.value !== null) throw new DuplicateRoute()
        cn.value = value
      }
      return
    }
  }

  /**
   * Finds the route for `path`; its parameter values, in order, are left in `values`. Static beats parameter
   * beats catch-all at every node; a dead end backs up to the nearest node with an untried kind of child. A
   * parameter never matches an empty remainder, so `/users/` does not run `/users/:id`.
   */
  find (path: string, values: string[]): T | null {
    let cn: TreeNode<T> = this.root
    let si = 0
    let pi = 0
    let stage = STATIC
    for (;;) {
      if (stage === STATIC) {
        if (cn.kind === STATIC) {
          const pre = cn.prefix
          if (path.startsWith(pre, si)) {
            si += pre.length
          } else {
            // Nothing consumed here: back up and try the parent's parameter child.
            if (cn.parent === null) return null
            cn = cn.parent
            stage = PARAM
            continue
          }
        }
        if (si === path.length) {
          if (cn.value !== null) return cn.value
        } else {
          const child: TreeNode<T> | null = cn.staticChild(path.charCodeAt(si))
          if (child !== null) {
            cn = child
            continue
          }
        }
        stage = PARAM
      }
      if (stage === PARAM) {
        const child: TreeNode<T> | null = cn.paramChild
        if (child !== null && si < path.length) {
          let end = path.indexOf('/', si)
          if (end < 0) end = path.length
          values[pi++] = path.slice(si, end)
          si = end
          cn = child
          stage = STATIC
          continue
        }
        stage = ANY
      }
      const any = cn.anyChild
      if (any !== null) {
        values[pi++] = path.slice(si)
        values.length = pi
        return any.value
      }
      // Dead end: undo what this node consumed and resume at its parent with the next kind of child.
      const prev: TreeNode<T> = cn
      if (prev.parent === null || prev.kind === ANY) return null
      cn = prev.parent
      if (prev.kind === STATIC) {
        si -= prev.prefix.length
      } else {
        pi--
        si -= (values[pi] as string).length
      }
      stage = prev.kind + 1
    }
  }

  /**
   * Hertz's case-insensitive lookup for redirect-fixed-path: the registered spelling of `path` with the
   * request's own parameter text, or null. With `fixTrailingSlash`, a path that matches only with a trailing
   * slash added or removed counts too.
   */
  findCaseInsensitive (path: string, fixTrailingSlash: boolean): string | null {
    return ciFind(this.root, path, fixTrailingSlash)
  }
}

/** Splits `n` after `at` chars: the tail, with everything `n` held, becomes its only child. */
function split<T> (n: TreeNode<T>, at: number): void {
  const tail = new TreeNode<T>(n.kind, n.prefix.slice(at), n)
  tail.children = n.children
  tail.paramChild = n.paramChild
  tail.anyChild = n.anyChild
  tail.value = n.value
  for (const c of tail.children) c.parent = tail
  if (tail.paramChild !== null) tail.paramChild.parent = tail
  if (tail.anyChild !== null) tail.anyChild.parent = tail
  n.kind = STATIC
  n.prefix = n.prefix.slice(0, at)
  n.children = [tail]
  n.paramChild = null
  n.anyChild = null
  n.value = null
}

function lower (code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code
}

function ciFind<T> (n: TreeNode<T>, path: string, fts: boolean): string | null {
  if (n.label === COLON && n.kind === PARAM) {
    let end = path.indexOf('/')
    if (end < 0) end = path.length
    const text = path.slice(0, end)
    if (end < path.length) {
      if (n.children.length > 0) {
        const rest = ciChildren(n, path.slice(end), fts)
        return rest === null ? null : text + rest
      }
      return fts && path.length === end + 1 ? text : null
    }
    if (n.value !== null) return text
    if (fts && n.children.length === 1) {
      const c = n.children[0] as TreeNode<T>
      if (c.prefix === '/' && c.value !== null) return text + '/'
    }
    return null
  }
  if (n.label === STAR && n.kind === ANY) return path
  const pre = n.prefix
  if (path.length >= pre.length && path.slice(0, pre.length).toLowerCase() === pre.toLowerCase()) {
    const rest = path.slice(pre.length)
    if (rest === '') {
      if (n.value !== null) return pre
      if (fts) {
        const c = n.staticChild(SLASH)
        if (c !== null && c.prefix.length === 1 && c.value !== null) return pre + '/'
      }
      return null
    }
    const found = ciChildren(n, rest, fts)
    return found === null ? null : pre + found
  }
  if (fts) {
    if (path === '/') return ''
    if (path.length + 1 === pre.length && pre.charCodeAt(path.length) === SLASH &&
      path.toLowerCase() === pre.slice(0, path.length).toLowerCase() && n.value !== null) return pre
  }
  // As Hertz does, the children are still tried with the path this node did not match.
  return path === '' ? null : ciChildren(n, path, fts)
}

function ciChildren<T> (n: TreeNode<T>, path: string, fts: boolean): string | null {
  const first = lower(path.charCodeAt(0))
  for (const c of n.children) {
    if (lower(c.label) === first) {
      const out = ciFind(c, path, fts)
      if (out !== null) return out
    }
  }
  if (n.paramChild !== null) {
    const out = ciFind(n.paramChild, path, fts)
    if (out !== null) return out
  }
  if (n.anyChild !== null) {
    const out = ciFind(n.anyChild, path, fts)
    if (out !== null) return out
  }
  return fts && path === '/' && n.value !== null ? '' : null
}

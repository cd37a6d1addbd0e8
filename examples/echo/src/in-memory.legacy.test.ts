import { newServer } from './legacy.js'
import { inMemoryTests } from './in-memory.js'

inMemoryTests('legacy', newServer)

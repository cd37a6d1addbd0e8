import { newServer } from './adaptor.js'
import { inMemoryTests } from './in-memory.js'

inMemoryTests('adaptor', newServer)

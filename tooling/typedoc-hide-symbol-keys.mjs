// A typedoc plugin: members keyed by a symbol (`[kTable]`) hold a package's private state. The symbols are
// not exported, so no user can reach those members; the API reference leaves them out instead of asking
// for their documentation.
import { Converter, ReflectionKind } from 'typedoc'

/** @param {import('typedoc').Application} app */
export function load (app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (reflection.kindOf(ReflectionKind.Property | ReflectionKind.Method | ReflectionKind.Accessor) &&
        reflection.name.startsWith('[')) {
      context.project.removeReflection(reflection)
    }
  })
}

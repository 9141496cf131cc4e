import type { Lang, MessageKindDef, MessageParams, RenderedMessage } from './message';
import { paperKinds } from './kinds/paper';
import { supervisionKinds } from './kinds/supervision';
import { systemKinds } from './kinds/system';

/** Every kind of message the service writes (src/features/notifications/kinds/*). */
export const CATALOGUE: ReadonlyMap<string, MessageKindDef> = new Map(
  [...paperKinds, ...supervisionKinds, ...systemKinds].map((d) => [d.kind, d]),
);

export function kindDef(kind: string): MessageKindDef | undefined {
  return CATALOGUE.get(kind);
}

/** The message in the recipient's language; an unknown kind is a programming error. */
export function renderMessage(kind: string, params: MessageParams, lang: Lang): RenderedMessage & { link: string; action: boolean } {
  const def = CATALOGUE.get(kind);
  if (!def) throw new Error(`Unknown notification kind ${kind}: declare it in src/features/notifications/kinds/`);
  return { ...def.text[lang](params), link: def.link(params), action: def.action };
}

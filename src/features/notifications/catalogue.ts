import type { Lang, MessageKindDef, MessageParams, RenderedMessage } from './message';
import { adminKinds } from './kinds/admin';
import { paperKinds } from './kinds/paper';
import { supervisionKinds } from './kinds/supervision';
import { systemKinds } from './kinds/system';

/** Indexes the kinds by name; two files declaring one kind would make one of them silently unreachable, so that stops the load. */
export function indexKinds(defs: readonly MessageKindDef[]): ReadonlyMap<string, MessageKindDef> {
  const map = new Map<string, MessageKindDef>();
  for (const d of defs) {
    if (map.has(d.kind)) throw new Error(`Notification kind ${d.kind} is declared twice in src/features/notifications/kinds/`);
    map.set(d.kind, d);
  }
  return map;
}

/** Every kind of message the service writes (src/features/notifications/kinds/*). */
export const CATALOGUE: ReadonlyMap<string, MessageKindDef> = indexKinds([...paperKinds, ...supervisionKinds, ...systemKinds, ...adminKinds]);

export function kindDef(kind: string): MessageKindDef | undefined {
  return CATALOGUE.get(kind);
}

/** The message in the recipient's language; an unknown kind is a programming error. */
export function renderMessage(kind: string, params: MessageParams, lang: Lang): RenderedMessage & { link: string; action: boolean } {
  const def = CATALOGUE.get(kind);
  if (!def) throw new Error(`Unknown notification kind ${kind}: declare it in src/features/notifications/kinds/`);
  return { ...def.text[lang](params), link: def.link(params), action: def.action };
}

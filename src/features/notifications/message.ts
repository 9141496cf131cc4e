/**
 * What a notification says, apart from who gets it and how it travels. Every kind of message is
 * declared once in a catalogue file under kinds/ and rendered from its params in the recipient's
 * language, in the inbox, in mail and in group robots alike.
 *
 * No customer information in any message: params carry only identifiers of records (serials,
 * case numbers, ids, dates, counts, department/project codes, usernames of employees), never a
 * customer's name, phone, ID number or unit. test/notifications/catalogue.unit.test.ts renders
 * every kind; each writer's test proves its rows carry none of the customer's data.
 */
import type { Lang } from '../../lib/lang';

export { LANGS, langOf, type Lang } from '../../lib/lang';

export type MessageParams = Record<string, string | number>;

export interface RenderedMessage {
  subject: string;
  body: string;
}

export interface MessageKindDef {
  /** e.g. print_request.pending, copy.overdue, case.chase */
  kind: string;
  /** The kind's name on the preferences page, per language (e.g. 列印申請待核准 / Print request to approve). */
  title: Record<Lang, string>;
  /** Asks the recipient to act (approve, witness, confirm): its e-mail cannot be turned off. */
  action: boolean;
  /** Subject (one line) and body (plain text, a few lines) per language. */
  text: Record<Lang, (p: MessageParams) => RenderedMessage>;
  /** The console page of the record, relative (e.g. `/copies/CC-2612-00001`); mail and robots prefix PUBLIC_URL. */
  link: (p: MessageParams) => string;
  /** Params for the catalogue test, shaped like a real message's. */
  sample: MessageParams;
}

/** A catalogue file's list, checked for shape by the type system only. */
export const defineKinds = (defs: MessageKindDef[]): MessageKindDef[] => defs;

/**
 * Characters that XML 1.0 cannot carry (its Char production): the C0 controls other than tab,
 * line feed and carriage return, and the non-characters U+FFFE and U+FFFF. JSON and CSV carry
 * them, but an XLSX is XML: one such character in one cell makes Excel, exceljs and every XML
 * parser refuse the whole file (the §7 form, R-LEDGER-FORM, became unreadable company-wide).
 *
 * The one definition of them: the API refuses them at input (src/api/validate.ts), the customer
 * import makes them a row error (import/row-validator.ts), and every XLSX writer passes its text
 * through xmlSafe() as a second line, for what is already stored.
 */
export const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * A lone UTF-16 surrogate. JSON can carry one ("\ud800") but no database column can store it
 * (it comes back as U+FFFD) and XML cannot hold it either.
 */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const FORBIDDEN_GLOBAL = new RegExp(`${XML_FORBIDDEN.source}|${LONE_SURROGATE.source}`, 'g');
const FORBIDDEN_ANY = new RegExp(`${XML_FORBIDDEN.source}|${LONE_SURROGATE.source}`);

/**
 * Why a string is refused, or null: "contains U+0001 (...)". Never the value itself (it may be
 * customer information); the code point is enough to find it.
 */
export function xmlForbiddenReason(s: string): string | null {
  const m = XML_FORBIDDEN.exec(s);
  if (m) return `contains U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} (a control character or non-character that documents cannot hold)`;
  if (LONE_SURROGATE.test(s)) return 'is not well-formed Unicode (a lone surrogate)';
  return null;
}

/** Whether the string holds a character XML cannot carry (forbidden character or lone surrogate). */
export function hasXmlForbidden(s: string): boolean {
  return FORBIDDEN_ANY.test(s);
}

/**
 * The string with every character XML cannot carry replaced by U+FFFD (the replacement
 * character): the document stays readable and shows where something was. The common case (no
 * such character) returns the string itself.
 */
export function xmlSafe(s: string): string {
  return FORBIDDEN_ANY.test(s) ? s.replace(FORBIDDEN_GLOBAL, '\ufffd') : s;
}

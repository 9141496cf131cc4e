/**
 * Chinese resident ID numbers (GB 11643-1999) and the width folding they are read with: shared by
 * the redaction of free text (src/lib/redact.ts, R-SURVEY-REDACT) and the validation of customer
 * ID numbers (features/customers/personal-data.ts).
 */

import { isRealDate } from './time';

/** Full-width digits ０-９ (U+FF10-FF19) to ASCII 0-9; everything else unchanged. */
export function normaliseDigits(s: string): string {
  return s.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/**
 * Width folding for detection only: full-width ASCII (U+FF01-FF5E: digits, ＋, －, （）, ＠, Ｘ,
 * letters, ：，…) to ASCII and the ideographic space U+3000 to a space. One UTF-16 unit maps to
 * one unit, so indexes in the folded copy are indexes in the original.
 */
export function foldWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E\u3000]/g, (c) =>
    c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  );
}

// ---------------------------------------------------------------------------------------------
// ID numbers (GB 11643-1999)
// ---------------------------------------------------------------------------------------------

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/**
 * Province-level codes (first two digits of the area code), incl. 71 Taiwan, 81/82/83 for the
 * residence permits of Hong Kong, Macau and Taiwan residents. Used where there is no checksum to
 * lean on (15-digit IDs, mistyped 18-digit IDs), to keep random numbers from matching.
 */
const PROVINCE_CODES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

/** A birth date in an ID: a real calendar date, from 1900 up to the current year. */
function isBirthDate(yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  if (year < 1900 || year > new Date().getUTCFullYear()) return false;
  return isRealDate(year, Number(yyyymmdd.slice(4, 6)), Number(yyyymmdd.slice(6, 8)));
}

/** The ISO 7064 MOD 11-2 check character of an 18-digit resident ID, from its first 17 digits. */
export function id18CheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/**
 * True for a well-formed 18-character mainland resident ID number: 17 digits (the first not 0)
 * with a real birth date in positions 7-14, and the ISO 7064 MOD 11-2 check character (0-9 or
 * X/x) matching. Full-width digits and Ｘ are accepted. No separators.
 */
export function isValidChineseId18(s: string): boolean {
  const id = foldWidth(s);
  if (!/^[1-9]\d{16}[\dXx]$/.test(id)) return false;
  if (!isBirthDate(id.slice(6, 14))) return false;
  return id18CheckChar(id.slice(0, 17)) === id[17].toUpperCase();
}

/** An 18-character number with the ID structure but a wrong check character: a mistyped ID. */
export function isProbableId18(id: string): boolean {
  return /^\d{17}[\dXx]$/.test(id) && PROVINCE_CODES.has(id.slice(0, 2)) && isBirthDate(id.slice(6, 14));
}

/** First-generation 15-digit ID: province code, then YYMMDD (19YY) as a real date, then 3 digits. */
export function isValidChineseId15(s: string): boolean {
  const id = foldWidth(s);
  if (!/^\d{15}$/.test(id) || !PROVINCE_CODES.has(id.slice(0, 2))) return false;
  return isRealDate(1900 + Number(id.slice(6, 8)), Number(id.slice(8, 10)), Number(id.slice(10, 12)));
}

/**
 * Personal fields of a customer record: normalisation (so the blind index matches however a
 * number was typed), validation, and masking (R-SECRET: lists and single reads show personal
 * fields masked; only a reveal shows them in clear).
 */

// One implementation of digit folding and the resident-ID checks, shared with the survey-note redactor.
import { isValidChineseId15, isValidChineseId18, normaliseDigits } from '../../lib/chinese-id';

/** Full-width digits and separators to ASCII; drop spaces, dashes, dots and brackets. */
export function normalisePhone(raw: string): string {
  const ascii = normaliseDigits(raw).replace(/＋/g, '+');
  let s = ascii.replace(/[\s\-().（）]/g, '');
  s = s.replace(/^(\+86|0086)/, '');
  if (/^861[3-9]\d{9}$/.test(s)) s = s.slice(2);
  return s;
}

const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}\d{7,8}(#\d{1,6})?$/;
const INTERNATIONAL = /^\+\d{7,15}$/;

/** A mainland mobile, a landline with its area code, or an international number in + form. */
export function isValidPhone(normalised: string): boolean {
  return MOBILE.test(normalised) || LANDLINE.test(normalised) || INTERNATIONAL.test(normalised);
}

export function normaliseIdNumber(raw: string): string {
  return normaliseDigits(raw).replace(/\s/g, '').toUpperCase();
}

/**
 * Domestic customers carry a resident ID (18 digits with a valid checksum, or the old 15);
 * foreign customers a passport or permit number (letters and digits).
 */
export function idNumberProblem(normalised: string, nationality: 'domestic' | 'foreign'): string | null {
  if (nationality === 'domestic') {
    if (normalised.length === 18) return isValidChineseId18(normalised) ? null : 'not a valid 18-digit ID number (date or check digit wrong)';
    if (normalised.length === 15) return isValidChineseId15(normalised) ? null : 'not a valid 15-digit ID number';
    return 'a domestic ID number has 18 (or 15) digits';
  }
  return /^[A-Z0-9]{5,20}$/.test(normalised) ? null : 'a passport or permit number has 5-20 letters and digits';
}

export function maskPhone(p: string): string {
  if (p.length <= 7) return '*'.repeat(p.length);
  return p.slice(0, 3) + '****' + p.slice(-4);
}

export function maskIdNumber(id: string): string {
  if (id.length <= 8) return '*'.repeat(id.length);
  return id.slice(0, 4) + '*'.repeat(id.length - 8) + id.slice(-4);
}

export function maskEmail(e: string): string {
  const at = e.indexOf('@');
  return at > 0 ? `${e[0]}***${e.slice(at)}` : '***';
}

export const MASKED = '***';

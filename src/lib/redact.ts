/**
 * Redaction of survey / census notes before they are archived (R-SURVEY-REDACT, §5.2.2.4).
 *
 * §5.2.2.4: paper customer information produced by large-scale interviews or a census is
 * reconciled into the control data by the information clerk; the customer manager then archives
 * the customers' *other requests* electronically, "但不得保留客戶電話、工作單位等私密信息" (but must
 * not keep the customer's phone, employer or other private details). This module is the
 * "must not keep" part: it takes the free text of one note and returns the text with every
 * detected private value replaced by a placeholder that names only the kind of value, plus a
 * count per kind. The values themselves never leave this function: the result holds the
 * redacted text and numbers, nothing else.
 *
 * Detected kinds and where each pattern's shape comes from:
 * - mobile:    mainland mobile numbers, 11 digits `1[3-9]xxxxxxxxx`, contiguous or grouped
 *              3-4-4 / 3-8 / 7-4 (spaces, dashes, dots), with an optional +86 / 0086 / 86 prefix; plus +852 / +853
 *              (Hong Kong / Macau) numbers whose prefix is written (8 digits, mobile if the first
 *              digit says so).
 * - landline:  mainland numbers with an area code (010 and 02x take an 8-digit local number,
 *              0[3-9]xx takes 7 or 8 digits), the area code optionally in parentheses or with +86,
 *              optional extension (-123, 轉123, 分機123, ext 123, x123, #123); 7-8 digit local numbers
 *              WITHOUT area code only right after a phone label (電話/座機/Tel…), because a bare
 *              8-digit number is as likely an amount, a date or an order number.
 * - id_number: 18-character resident ID numbers (GB 11643: 6-digit area, YYYYMMDD birth date,
 *              3-digit sequence, ISO 7064 MOD 11-2 check character 0-9/X), also grouped 6-8-4;
 *              15-digit first-generation numbers (6-digit area, YYMMDD, 3 digits).
 * - email:     `local@domain.tld`.
 * - employer:  a value after an employer label (工作單位/单位/公司/任職於/服務於/在…上班 …); the
 *              label is kept, the value removed.
 *
 * Boundaries decided (each one has a test in test/lib/redact.unit.test.ts):
 * - Digit runs are taken whole: a number is only a phone or an ID if it is not glued to further
 *   digits. A 12+ digit run (meter, bank reference, long order number) is not searched for an
 *   embedded 11-digit "mobile": carving one out would mangle the reference and leave half of it.
 * - An 11-digit number shaped like a mobile (1[3-9]…) is always a mobile, whatever its label:
 *   privacy wins over the rare 11-digit order number. Order numbers of 10 digits or fewer never
 *   match anything (the shortest phone with an area code is 11 digits).
 * - An 11-12 digit number starting with a valid area code is a landline written without
 *   separators, EXCEPT right after a reference label (表號/戶號/單號/訂單/編號/卡號…), where it is a
 *   meter / account / order number.
 * - An 18-digit number with a wrong checksum is NOT a valid ID (`isValidChineseId18` is false).
 *   The redactor still removes it, counted as id_number, when it otherwise has the full ID
 *   structure (a real province code and a real birth date in positions 7-14): that is a
 *   mistyped ID (a slip when copying a handwritten census sheet), and keeping it would keep
 *   17 of the 18 digits and the birth date. An 18-digit number without that structure is left
 *   alone like any other long reference number.
 * - A 15-digit number is an old-style ID only if its area code starts with a real province code
 *   and its YYMMDD is a real calendar date; otherwise it is left alone.
 * - Space-grouped mobile shapes directly followed by an amount unit (元, 塊, %, ㎡…) or preceded by
 *   a currency sign are a list of numbers, not a phone.
 * - Employer labels that are ordinary words (單位 also means a flat in Hong Kong usage, 公司 is
 *   everywhere in property notes: 物業公司, 保險公司) count only as labels when written as a
 *   label (`單位：…`, `公司名稱：…`, `業主單位是…`), and a value that looks like a flat (digits,
 *   棟/座/室/樓…) is not an employer. Values meaning "none" (無, 退休, 待業, 學生…) are not
 *   employers and are kept.
 * - 在X上班 / 在X工作: X is removed as the employer unless it is a place or time word (家, 外地,
 *   現場, 晚上…) or a flat ("在3棟1204室工作" is a repair visit). A city ("在香港上班") is removed
 *   too: the place someone works is as private as the employer's name, so we err that way.
 * - An employer value runs to the next punctuation, line end, next field word (電話, 郵箱…) or
 *   already-detected value, at most 40 characters; spaces only continue it between Latin words
 *   ("Bank of China"), so a CJK value stops at a space.
 * - Full-width characters: detection runs on a width-folded copy of the text (full-width ASCII
 *   U+FF01-FF5E to ASCII, ideographic space to space), which has exactly the same length, so
 *   replacements are made at the same positions in the ORIGINAL text: everything outside the
 *   removed spans is returned unchanged, full-width digits included.
 * Out of scope (no kind for them): bank card numbers, plate numbers, WeChat / QQ ids, names,
 * numbers written in Chinese numerals.
 */

import { foldWidth, isProbableId18, isValidChineseId15, isValidChineseId18 } from './chinese-id';

export type PiiKind = 'mobile' | 'landline' | 'id_number' | 'email' | 'employer';

export interface RedactionResult {
  /** The note with every detected value replaced by its kind's placeholder. */
  text: string;
  /** How many values of each kind were removed. Never the values themselves. */
  removed: Record<PiiKind, number>;
}

export const PII_KINDS: readonly PiiKind[] = ['mobile', 'landline', 'id_number', 'email', 'employer'];

/** Placeholders name the kind only (R-SURVEY-REDACT): nothing of the value survives. */
export const PLACEHOLDERS: Readonly<Record<PiiKind, string>> = {
  mobile: '[手機已刪除]',
  landline: '[電話已刪除]',
  id_number: '[證件號已刪除]',
  email: '[郵箱已刪除]',
  employer: '[工作單位已刪除]',
};

// ---------------------------------------------------------------------------------------------
// Patterns. All run on the width-folded copy; all are global; none uses the `u` flag, so \d and
// \w are ASCII only (full-width has been folded already).
// ---------------------------------------------------------------------------------------------

/**
 * Email: a plain local part and a dotted domain ending in a 2+ letter TLD. The lookbehind makes
 * the match start at the beginning of the local part (never half an address). Run first, so that
 * a mobile used as the local part (13812345678@163.com) is one email, not a mobile plus debris.
 */
const EMAIL_RE = /(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** Internationalised email (Unicode local part and domain), checked after EMAIL_RE. */
const UNICODE_EMAIL_RE = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.[\p{L}]{2,}/gu;
/** +<country code> then groups of digits separated by spaces, dashes or brackets (8-15 digits in all). */
const INTERNATIONAL_RE = /\+\d{1,3}(?:[ -]?\(?\d{1,5}\)?){1,6}/g;

/**
 * 18-character ID, contiguous or grouped 6-8-4 with one consistent separator. Only the digit
 * boundaries are checked here ((?<!\d), (?!\d): a letter may touch it, e.g. "ID440305…"); the
 * checksum / structure is decided in code.
 */
const ID18_RE = /(?<!\d)(\d{6})([ -]?)(\d{8})\2(\d{3}[\dXx])(?!\d)/g;

/** 15-digit ID, contiguous or grouped 6-6-3. Validity (province, date) is decided in code. */
const ID15_RE = /(?<!\d)(\d{6})([ -]?)(\d{6})\2(\d{3})(?!\d)/g;

/** A separator inside a phone number: one or two spaces, a dash (incl. – —), a dot, or " - ". */
const PHONE_SEP = String.raw`(?: {1,2}|[-–—.]| [-–—] )`;

/**
 * Mainland mobile. Prefix: (+86) / +86 / 0086 with any spacing or dash, or a bare 86 glued to the
 * number or joined by a dash (a bare "86 " with a space is too often a count or a room: "86 號").
 * Body: 1[3-9] + 9 digits, grouped as people write them: 3-4-4, 3-8, 7-4 or contiguous (a
 * separator may sit after the 3rd and/or the 7th digit, and need not be the same one twice:
 * "138-1234 5678" is sloppy but common). Not touching other digits: (?<!\d) and (?!\d).
 */
const MOBILE_RE = new RegExp(
  String.raw`(?<![\d+])(?:(?:\(\s*)?(?:\+\s?|00)\s?86(?:\s*\))?[ \t\-–—]*|86-?)?` +
    String.raw`1[3-9]\d${PHONE_SEP}?\d{4}${PHONE_SEP}?\d{4}(?!\d)`,
  'g',
);

/** Space-grouped "mobiles" that are really a list of amounts: followed by a unit, or after a currency sign. */
const AMOUNT_AFTER_RE = /^\s*(?:元(?!旦)|塊|块|%|㎡|平方|平米|kg|公斤)/;
const CURRENCY_BEFORE_RE = /(?:[¥$￥]|RMB|HK\$)\s*$/i;

/**
 * Mainland landline with area code. 010 and 02x are 3-digit codes with 8-digit local numbers;
 * 0[3-9]xx are 4-digit codes with 7- or 8-digit local numbers (so the shortest landline is 11
 * digits, and a 10-digit order number can never match). An old 7-digit local number after a
 * 3-digit code is accepted only when a separator or parentheses show it is a phone
 * ("020-1234567"); glued together those 10 digits are an order number. The area code may be in
 * parentheses, or written after +86/0086 with its leading 0 dropped. Local numbers do not start
 * with 0; they may be grouped 3-4 or 4-4. Optional extension. Not touching other digits.
 */
const LL_INTL = String.raw`(?:(?:\(\s*)?(?:\+\s?|00)86\s*\)?[ \t\-–—]*)`;
const LL_SEP = String.raw`[ \t\-–—]{0,3}`;
const LL_LOCAL_SEP = String.raw`[ \-–—]?`;
const LL_EXT = String.raw`(?:[ \t]*(?:-|轉|转|分機|分机|ext\.?|x|#)[ \t]*\d{1,6})?`;
const LANDLINE_RE = new RegExp(
  String.raw`(?<![\d+])(?:` +
    String.raw`(?:\(\s*0(?:10|2\d)\s*\)|0(?:10|2\d)|${LL_INTL}\(?0?(?:10|2\d)\)?)${LL_SEP}[1-9]\d{3}${LL_LOCAL_SEP}\d{4}` +
    String.raw`|(?:\(\s*0(?:10|2\d)\s*\)\s*|0(?:10|2\d)[ \t\-–—]{1,3})[1-9]\d{2}${LL_LOCAL_SEP}\d{4}` +
    String.raw`|(?:\(\s*0[3-9]\d{2}\s*\)|0[3-9]\d{2}|${LL_INTL}\(?0?[3-9]\d{2}\)?)${LL_SEP}[1-9]\d{2,3}${LL_LOCAL_SEP}\d{4}` +
    String.raw`)${LL_EXT}(?!\d)`,
  'gi',
);

/** Labels before which an unseparated area-code-shaped number is a meter/account/order number. */
const REFERENCE_LABEL_RE = /(?:表號|錶號|表号|戶號|户号|單號|单号|訂單|订单|編號|编号|卡號|卡号|流水|No\.?|#)\s*[:]?\s*$/i;

/**
 * Local landline without area code, only right after a phone label: the label makes a bare
 * 7-8 digit number a phone number; without it the same digits are as likely an amount.
 * Group 1 is the label part (kept), the number follows it.
 */
const LABELLED_LOCAL_RE = new RegExp(
  String.raw`((?:電話|电话|座機|座机|固話|固话|宅電|宅电|\bTel\b\.?|\bPhone\b)(?:號碼|号码)?\s*(?:[:]|是|為|为)?\s*)` +
    String.raw`[2-9]\d{2,3}[ -]?\d{4}${LL_EXT}(?!\d)`,
  'gi',
);

/**
 * Hong Kong (+852) and Macau (+853) numbers, only with the country code written (8 bare digits
 * are not recognisable). HK mobiles start 4-9 (landlines 2/3); Macau mobiles start 6.
 */
const HK_MO_RE = /(?<![\d+])(?:\(\s*)?(?:\+\s?|00)(852|853)\s*\)?[ \t-]*(\d)(\d{3})[ -]?(\d{4})(?!\d)/g;

// ---------------------------------------------------------------------------------------------
// Employer
// ---------------------------------------------------------------------------------------------

/**
 * Labels that always introduce an employer (the words listed in §5.2.2.4's "工作單位" family and
 * their usual variants). Group 1 is the whole label incl. the colon/copula, which is kept.
 */
const STRONG_EMPLOYER_RE =
  /((?:工作單位|工作单位|任職單位|任职单位|就職單位|就职单位|任職於|任职于|服務於|服务于|就職於|就职于|供職於|供职于)(?:名稱|名称)?\s*(?:[:]|是|為|为)?\s*)/g;

/**
 * English labels. "company" only with a colon ("the company sent…" is not a label).
 */
const ENGLISH_EMPLOYER_RE =
  /(\b(?:employer\s*(?::|is)|company\s*:|works?\s+(?:at|for)|working\s+(?:at|for)|employed\s+(?:at|by))\s*)/gi;

/**
 * 單位/单位/公司 on their own are ordinary words (單位 is also a flat in Hong Kong usage; 物業公司,
 * 保險公司…). They are an employer label only when written as a field (`單位：`, after start or
 * punctuation) or after a word that makes them someone's (業主單位是, 其公司為, 所在單位…).
 */
const WEAK_EMPLOYER_RE = new RegExp(
  String.raw`(?:` +
    String.raw`((?<=^|[\s,;:|/、。()\[\]【】「」])(?:單位|单位|公司)(?:名稱|名称|全稱|全称)?\s*:\s*)` +
    String.raw`|((?<=客戶|客户|業主|业主|住戶|住户|租戶|租户|本人|其|的|所在|就職|就职|配偶|丈夫|妻子|先生|太太|老公|老婆|兒子|儿子|女兒|女儿|家屬|家属|父親|父亲|母親|母亲)` +
    String.raw`(?:單位|单位|公司)(?:名稱|名称|全稱|全称)?\s*(?:[:]|是|為|为)\s*)` +
    String.raw`)`,
  'g',
);

/** 在X上班 / 在X工作: X (2-20 characters, no punctuation, no second 在) is the employer. */
const WORKS_AT_RE = /在([^\s,.;:!?、。()[\]【】「」『』"“”'‘’<>《》/|~…—在]{2,20}?)(?:上班|工作)/g;

/** 在X上班 where X is a place or a time, not an employer. */
const NOT_AN_EMPLOYER_PLACE = new Set([
  '公司', '單位', '单位', '家裡', '家里', '外面', '外地', '本地', '附近', '現場', '现场', '小區', '小区',
  '辦公室', '办公室', '這邊', '这边', '那邊', '那边', '這裡', '这里', '那裡', '那里', '城裡', '城里',
  '晚上', '白天', '夜班', '周末', '週末', '市區', '市区', '樓下', '楼下', '樓上', '楼上', '外省', '國外', '国外',
]);

/** Values that say there is no employer: nothing private to remove. */
const NO_EMPLOYER = new Set([
  '無', '无', '沒有', '没有', '不詳', '不详', '退休', '已退休', '待業', '待业', '無業', '无业', '學生', '学生',
  '未填', '未知', '暫無', '暂无', '自由職業', '自由职业', 'n/a', 'na', 'none', 'home', 'unemployed', 'retired', '-', '/',
]);

/** An employer value stops at these: the next field of the note has begun. */
const VALUE_STOP_WORDS = [
  '電話', '电话', '手機', '手机', '聯繫', '联系', '聯絡', '联络', '郵箱', '邮箱', '電郵', '电邮', '微信',
  '職位', '职位', '職務', '职务', '身份證', '身份证', '住址', '地址', '上班', '工作',
  // English values run over spaces ("Bank of China"), so they also stop at the words that
  // usually follow an employer in a sentence ("works at HSBC in Central since 2019").
  ' and ', ' in ', ' at ', ' on ', ' as ', ' for ', ' with ', ' since ', ' until ', ' but ', ' who ', ' which ',
];

/** Punctuation that ends a value (after width folding, so full-width ，：；（） are ASCII here). */
const VALUE_TERMINATORS = new Set([...',.;:!?、。()[]【】「」『』"“”\'‘’<>《》/|~…—\n\r\t']);

/** A 單位/公司 value that is a flat, not an employer: starts with a digit/unit letter or names a building part. */
const LOOKS_LIKE_FLAT_RE = /^[A-Za-z]?\d|棟|栋|座|室|樓|楼|層|层|單元|单元|號房|号房/;

interface Span {
  start: number;
  end: number;
  kind: PiiKind;
}

/**
 * Non-overlapping spans of detected values, plus reserved spans (placeholders already in the
 * text, e.g. when an archived note is redacted again) that nothing may match into.
 */
class SpanSet {
  readonly spans: Span[] = [];
  private readonly reserved: Array<{ start: number; end: number }> = [];
  constructor(text: string) {
    for (const p of Object.values(PLACEHOLDERS)) {
      for (let i = text.indexOf(p); i !== -1; i = text.indexOf(p, i + p.length)) this.reserved.push({ start: i, end: i + p.length });
    }
  }
  private all(): Array<{ start: number; end: number }> {
    return [...this.spans, ...this.reserved];
  }
  overlaps(start: number, end: number): boolean {
    return this.all().some((s) => start < s.end && s.start < end);
  }
  /** Index of the first taken position in [from, to), or -1. */
  firstTakenIn(from: number, to: number): number {
    let first = -1;
    for (const s of this.all()) {
      if (s.start < to && s.end > from) {
        const p = Math.max(s.start, from);
        if (first === -1 || p < first) first = p;
      }
    }
    return first;
  }
  add(start: number, end: number, kind: PiiKind): boolean {
    if (end <= start || this.overlaps(start, end)) return false;
    this.spans.push({ start, end, kind });
    return true;
  }
}

const isLatin = (c: string | undefined) => c !== undefined && /[A-Za-z0-9&]/.test(c);

/**
 * Reads an employer value starting at `from` in the folded text: up to the next punctuation, a
 * line end, the next field word (電話, 郵箱…), an already-detected value, or 40 characters. A
 * space ends it unless it sits between two Latin words ("Bank of China"). A short parenthesised
 * part inside the name is kept in it ("華潤置地(深圳)有限公司"). Returns [start, end) or null.
 */
function readValue(norm: string, from: number, taken: SpanSet): [number, number] | null {
  const limit = Math.min(norm.length, from + 40);
  const takenAt = taken.firstTakenIn(from, limit);
  const hardEnd = takenAt === -1 ? limit : takenAt;
  let i = from;
  while (i < hardEnd) {
    if (VALUE_STOP_WORDS.some((w) => norm.startsWith(w, i))) break;
    const c = norm[i];
    if (c === '(' && i > from) {
      const close = norm.indexOf(')', i);
      const inner = close === -1 ? '' : norm.slice(i + 1, close);
      const after = norm[close + 1];
      if (
        close !== -1 &&
        close + 1 < hardEnd &&
        inner.length > 0 &&
        inner.length <= 12 &&
        ![...inner].some((x) => VALUE_TERMINATORS.has(x) || /\s/.test(x)) &&
        after !== undefined &&
        !VALUE_TERMINATORS.has(after) &&
        !/\s/.test(after)
      ) {
        i = close + 1;
        continue;
      }
      break;
    }
    if (VALUE_TERMINATORS.has(c)) break;
    if (/\s/.test(c)) {
      let j = i;
      while (j < hardEnd && norm[j] === ' ') j++;
      if (i > from && isLatin(norm[i - 1]) && /[A-Za-z&]/.test(norm[j] ?? '')) {
        i = j;
        continue;
      }
      break;
    }
    i++;
  }
  return i > from ? [from, i] : null;
}

function isNoEmployer(value: string): boolean {
  return NO_EMPLOYER.has(value.trim().toLowerCase());
}

// ---------------------------------------------------------------------------------------------

/**
 * Removes phone numbers, ID numbers, emails and employers from a survey/census note before it is
 * archived (R-SURVEY-REDACT, §5.2.2.4). Each value is replaced by the placeholder of its kind
 * (employer: the label stays, the value goes); the text outside the removed spans is returned
 * exactly as given. `removed` counts the values per kind; the values are not returned anywhere.
 */
export function redactPersonalDetails(input: string): RedactionResult {
  const norm = foldWidth(input);
  const taken = new SpanSet(norm);

  // Order matters where shapes overlap: email before mobile (13812345678@qq.com is one email),
  // IDs before phones (an ID is one 18/15-digit run), then phones, then employer values, which
  // stop at any value already taken so a phone after an employer keeps its own count.

  for (const m of norm.matchAll(EMAIL_RE)) taken.add(m.index!, m.index! + m[0].length, 'email');
  // Internationalised addresses (陳@例子.中国): what the ASCII pattern above cannot see.
  for (const m of norm.matchAll(UNICODE_EMAIL_RE)) taken.add(m.index!, m.index! + m[0].length, 'email');

  for (const m of norm.matchAll(ID18_RE)) {
    const id = m[1] + m[3] + m[4];
    if (isValidChineseId18(id) || isProbableId18(id)) taken.add(m.index!, m.index! + m[0].length, 'id_number');
  }
  for (const m of norm.matchAll(ID15_RE)) {
    if (isValidChineseId15(m[1] + m[3] + m[4])) taken.add(m.index!, m.index! + m[0].length, 'id_number');
  }

  for (const m of norm.matchAll(MOBILE_RE)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (/\s/.test(m[0]) && (AMOUNT_AFTER_RE.test(norm.slice(end)) || CURRENCY_BEFORE_RE.test(norm.slice(0, start)))) continue;
    taken.add(start, end, 'mobile');
  }

  for (const m of norm.matchAll(HK_MO_RE)) {
    const [, country, first] = m;
    const mobile = country === '852' ? /[4-9]/.test(first) : first === '6';
    taken.add(m.index!, m.index! + m[0].length, mobile ? 'mobile' : 'landline');
  }

  // Any other number written with a + country code (customer records accept +<country> phones).
  for (const m of norm.matchAll(INTERNATIONAL_RE)) {
    const digits = m[0].replace(/\D/g, '').length;
    if (digits >= 8 && digits <= 15) taken.add(m.index!, m.index! + m[0].length, 'landline');
  }

  for (const m of norm.matchAll(LANDLINE_RE)) {
    const start = m.index!;
    if (/^\d+$/.test(m[0]) && REFERENCE_LABEL_RE.test(norm.slice(Math.max(0, start - 8), start))) continue;
    taken.add(start, start + m[0].length, 'landline');
  }
  for (const m of norm.matchAll(LABELLED_LOCAL_RE)) {
    const start = m.index! + m[1].length;
    taken.add(start, m.index! + m[0].length, 'landline');
  }

  const addEmployerValue = (from: number, weak: boolean) => {
    const v = readValue(norm, from, taken);
    if (!v) return;
    const s = v[0];
    let e = v[1];
    while (e > s && /\s/.test(norm[e - 1])) e--;
    const value = norm.slice(s, e);
    if (!value || isNoEmployer(value)) return;
    if (weak && LOOKS_LIKE_FLAT_RE.test(value)) return;
    taken.add(s, e, 'employer');
  };
  for (const m of norm.matchAll(STRONG_EMPLOYER_RE)) addEmployerValue(m.index! + m[0].length, false);
  for (const m of norm.matchAll(ENGLISH_EMPLOYER_RE)) addEmployerValue(m.index! + m[0].length, false);
  for (const m of norm.matchAll(WEAK_EMPLOYER_RE)) addEmployerValue(m.index! + m[0].length, true);
  for (const m of norm.matchAll(WORKS_AT_RE)) {
    const x = m[1];
    const start = m.index! + 1;
    if (NOT_AN_EMPLOYER_PLACE.has(x) || isNoEmployer(x)) continue;
    if (/\d/.test(x) || /(?:棟|栋|座|室|樓|楼|層|层|號|号|邊|边|家)$/.test(x) || /^(?:家|這|这|那)/.test(x)) continue;
    if (VALUE_STOP_WORDS.some((w) => x.includes(w))) continue;
    taken.add(start, start + x.length, 'employer');
  }

  const removed: Record<PiiKind, number> = { mobile: 0, landline: 0, id_number: 0, email: 0, employer: 0 };
  const spans = [...taken.spans].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += input.slice(at, s.start) + PLACEHOLDERS[s.kind];
    removed[s.kind]++;
    at = s.end;
  }
  out += input.slice(at);
  return { text: out, removed };
}

import { isValidChineseId15, isValidChineseId18, normaliseDigits } from '../../src/lib/chinese-id';
import { PII_KINDS, PiiKind, PLACEHOLDERS, redactPersonalDetails } from '../../src/lib/redact';
import { CorpusNote, REDACTION_CORPUS } from './redaction-corpus';

/*
 * R-SURVEY-REDACT (§5.2.2.4): notes from large-scale interviews or a census are archived
 * electronically WITHOUT phone numbers, ID numbers, emails, employers or other private details,
 * while everything else in the note (amounts, dates, unit numbers, case numbers…) survives.
 * No database: pure functions.
 */

const ALL_ZERO: Record<PiiKind, number> = { mobile: 0, landline: 0, id_number: 0, email: 0, employer: 0 };

const expectedCounts = (note: CorpusNote): Record<PiiKind, number> => ({ ...ALL_ZERO, ...note.expected });

const digitsOnly = (s: string) => normaliseDigits(s).replace(/\D/g, '');

/** Width-folded form (full-width ASCII to ASCII), as the value may also be typed that way. */
const folded = (s: string) =>
  s.replace(/[\uFF01-\uFF5E\u3000]/g, (c) => (c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));

/**
 * Every form of a value that must not appear in the archived text: as written, width-folded,
 * and, when it holds 7+ digits, its digits alone (and for a mobile its 11-digit core without
 * the country code).
 */
function forbiddenForms(kind: PiiKind, value: string): string[] {
  const forms = new Set([value, folded(value)]);
  const digits = digitsOnly(value);
  if (digits.length >= 7) forms.add(digits);
  if (kind === 'mobile' && digits.length > 11 && !/^(?:852|853|00852|00853)/.test(digits)) forms.add(digits.slice(-11));
  return [...forms];
}

function leakedValues(note: CorpusNote, output: string): string[] {
  const flat = output.replace(/\s/g, '');
  const leaks: string[] = [];
  for (const { kind, value } of note.pii) {
    for (const form of forbiddenForms(kind, value)) {
      if (output.includes(form) || (digitsOnly(form) === form && flat.includes(form))) leaks.push(`${kind}:${form}`);
    }
  }
  return leaks;
}

describe('R-SURVEY-REDACT: survey and census notes are archived without phones, IDs, emails or employers', () => {
  describe('the corpus itself', () => {
    test('has at least 40 notes, in both scripts and English, covering every kind and every topic', () => {
      expect(REDACTION_CORPUS.length).toBeGreaterThanOrEqual(40);
      expect(new Set(REDACTION_CORPUS.map((n) => n.id)).size).toBe(REDACTION_CORPUS.length);
      const scripts = new Set(REDACTION_CORPUS.map((n) => n.script));
      for (const s of ['traditional', 'simplified', 'english', 'mixed']) expect(scripts).toContain(s);
      const kinds = new Set(REDACTION_CORPUS.flatMap((n) => n.pii.map((p) => p.kind)));
      for (const k of PII_KINDS) expect(kinds).toContain(k);
      const topics = new Set(REDACTION_CORPUS.map((n) => n.topic));
      for (const t of ['repair', 'parking', 'complaint', 'move-in', 'pets', 'decoration', 'fees', 'census']) expect(topics).toContain(t);
      expect(REDACTION_CORPUS.filter((n) => n.pii.length === 0).length).toBeGreaterThanOrEqual(3);
    });

    test.each(REDACTION_CORPUS.map((n) => [n.id, n] as const))('%s: every listed value and survivor is in the note, counts agree with the list', (_id, note) => {
      for (const { value } of note.pii) expect(note.text).toContain(value);
      for (const s of note.survive) expect(note.text).toContain(s);
      const fromList = { ...ALL_ZERO };
      for (const { kind } of note.pii) fromList[kind]++;
      expect(fromList).toEqual(expectedCounts(note));
      // A survivor must not itself contain a private value, or the two checks would contradict.
      for (const s of note.survive) for (const { value } of note.pii) expect(s.includes(value)).toBe(false);
    });
  });

  describe('every corpus note', () => {
    test.each(REDACTION_CORPUS.map((n) => [n.id, n] as const))('%s: no private value left, counts per kind right, every survivor verbatim', (_id, note) => {
      const result = redactPersonalDetails(note.text);

      expect(leakedValues(note, result.text)).toEqual([]);
      expect(result.removed).toEqual(expectedCounts(note));
      expect(note.survive.filter((s) => !result.text.includes(s))).toEqual([]);

      // The result carries the redacted text and counts, never a value: not in the summary,
      // not anywhere in the serialised result.
      expect(Object.keys(result).sort()).toEqual(['removed', 'text']);
      expect(Object.keys(result.removed).sort()).toEqual([...PII_KINDS].sort());
      for (const n of Object.values(result.removed)) expect(Number.isInteger(n) && n >= 0).toBe(true);
      expect(leakedValues(note, JSON.stringify(result))).toEqual([]);
      expect(leakedValues(note, JSON.stringify(result.removed))).toEqual([]);

      // One placeholder per removed value, naming its kind.
      for (const kind of PII_KINDS) expect(result.text.split(PLACEHOLDERS[kind]).length - 1).toBe(result.removed[kind]);
    });
  });

  test('over the whole corpus: recall is 100% and no non-private string is damaged', () => {
    let total = 0;
    let found = 0;
    let survivors = 0;
    const damaged: string[] = [];
    const missed: string[] = [];
    for (const note of REDACTION_CORPUS) {
      const { text } = redactPersonalDetails(note.text);
      for (const p of note.pii) {
        total++;
        if (leakedValues({ ...note, pii: [p] }, text).length === 0) found++;
        else missed.push(`${note.id} ${p.kind}`);
      }
      for (const s of note.survive) {
        survivors++;
        if (!text.includes(s)) damaged.push(`${note.id} ${s}`);
      }
    }
    const recall = total === 0 ? 1 : found / total;
    process.stdout.write(
      `[R-SURVEY-REDACT] corpus: ${REDACTION_CORPUS.length} notes, ${total} private values, ${survivors} must-survive strings; ` +
        `recall ${(recall * 100).toFixed(1)}% (${found}/${total}), damage ${damaged.length}\n`,
    );
    expect(missed).toEqual([]);
    expect(recall).toBe(1);
    expect(damaged).toEqual([]);
    expect(damaged.length).toBe(0);
  });

  describe('ID numbers: ISO 7064 MOD 11-2 check character', () => {
    // 440305199003071236: 4·7+4·9+0·10+3·5+0·8+5·4+1·2+9·1+9·6+0·3+0·7+3·9+0·10+7·5+1·8+2·4+3·2
    // = 248; 248 mod 11 = 6; "10X98765432"[6] = '6'.
    const VALID = [
      '440305199003071236',
      '440106198511220040',
      '11010519780615301X',
      '11010519780615301x',
      '310115199202290020', // 29 Feb 1992, a leap year
      '440307200002290312', // 29 Feb 2000, a leap year (divisible by 400)
      '510107196609185576',
      '61011319750704441X',
      '990305199003071233', // first digit 9: the 2023 foreigners' permanent-residence ID uses the same scheme
    ];
    test.each(VALID)('%s is valid', (id) => expect(isValidChineseId18(id)).toBe(true));

    const INVALID: Array<[string, string]> = [
      ['440305199003071237', 'check digit off by one'],
      ['440305199003071230', 'check digit wrong'],
      ['11010519780615301 ', 'X missing'],
      ['110105197806153010', 'X expected, 0 given'],
      ['440305199002301239', 'checksum right but 30 February'],
      ['44030520991231123X', 'checksum right but born in 2099'],
      ['440305189903071232', 'checksum right but born before 1900'],
      ['040305199003071231', 'checksum right but the area code starts with 0'],
      ['44030519900307123', '17 digits'],
      ['4403051990030712360', '19 digits'],
      ['440305-19900307-1236', 'separators are not part of the ID'],
      ['4403051990030712X6', 'X not in last position'],
    ];
    test.each(INVALID)('%s is not valid (%s)', (id) => expect(isValidChineseId18(id)).toBe(false));

    test('full-width digits and Ｘ are accepted', () => {
      expect(isValidChineseId18('４４０３０５１９９００３０７１２３６')).toBe(true);
      expect(isValidChineseId18('１１０１０５１９７８０６１５３０１Ｘ')).toBe(true);
    });

    test('a valid ID is removed contiguous, grouped 6-8-4, glued to letters, or in full-width', () => {
      for (const form of ['440305199003071236', '440305 19900307 1236', '440305-19900307-1236', '４４０３０５１９９００３０７１２３６']) {
        const r = redactPersonalDetails(`身份證${form}。`);
        expect(r.text).toBe(`身份證${PLACEHOLDERS.id_number}。`);
        expect(r.removed.id_number).toBe(1);
      }
      expect(redactPersonalDetails('ID440305199003071236Tel').text).toBe(`ID${PLACEHOLDERS.id_number}Tel`);
    });

    test('boundary: an 18-digit number with a wrong checksum is not a valid ID, but with a real province code and birth date it is a mistyped ID and is still removed', () => {
      expect(isValidChineseId18('440305199003071237')).toBe(false);
      const r = redactPersonalDetails('身份證440305199003071237（末位看不清）');
      expect(r.text).toBe(`身份證${PLACEHOLDERS.id_number}（末位看不清）`);
      expect(r.removed).toEqual({ ...ALL_ZERO, id_number: 1 });
    });

    test('boundary: an 18-digit number without the ID structure is a reference number and survives', () => {
      for (const n of ['202611281530001234', '138123456781234567', '990305209913071233']) {
        const r = redactPersonalDetails(`流水號${n}`);
        expect(r.text).toBe(`流水號${n}`);
        expect(r.removed).toEqual(ALL_ZERO);
      }
    });

    test('15-digit old IDs: removed when the province code and YYMMDD date are real; not matched otherwise', () => {
      expect(isValidChineseId15('440305900307123')).toBe(true);
      expect(isValidChineseId15('110105780615301')).toBe(true);
      expect(isValidChineseId15('440305000229123')).toBe(false); // 29 Feb 1900 does not exist…
      expect(isValidChineseId15('440305040229123')).toBe(true); // …29 Feb 1904 does
      const r = redactPersonalDetails('舊證440305900307123，另一張440305 900307 123');
      expect(r.removed).toEqual({ ...ALL_ZERO, id_number: 2 });
      expect(r.text).not.toMatch(/\d{3}/);

      const notIds: Array<[string, string]> = [
        ['440305901332123', 'month 13'],
        ['440305900230123', '30 February'],
        ['440305900431123', '31 April'],
        ['440305900000123', 'month 00 day 00'],
        ['201613320000123', 'no province 20'],
        ['990305900307123', 'no province 99'],
      ];
      for (const [n, why] of notIds) {
        expect([why, isValidChineseId15(n)]).toEqual([why, false]);
        expect([why, redactPersonalDetails(`回單號${n}完`).text]).toEqual([why, `回單號${n}完`]);
      }
    });
  });

  describe('mobile numbers', () => {
    const FORMS = [
      '13812345678',
      '138 1234 5678',
      '138-1234-5678',
      '138.1234.5678',
      '138 - 1234 - 5678',
      '138 12345678',
      '1381234 5678',
      '138-1234 5678',
      '138—1234—5678',
      '+8613812345678',
      '+86 138 1234 5678',
      '+86-138-1234-5678',
      '(+86) 13812345678',
      '（＋８６）１３８１２３４５６７８',
      '0086 13812345678',
      '0086-138-1234-5678',
      '008613812345678',
      '86-13812345678',
      '8613812345678',
      '１３８１２３４５６７８',
      '１３８　１２３４　５６７８',
      '１３８－１２３４－５６７８',
    ];
    test.each(FORMS)('%s is one mobile, prefix included', (form) => {
      const r = redactPersonalDetails(`業主手機：${form}，已回訪。`);
      expect(r.text).toBe(`業主手機：${PLACEHOLDERS.mobile}，已回訪。`);
      expect(r.removed).toEqual({ ...ALL_ZERO, mobile: 1 });
    });

    test('every 1[3-9] prefix is a mobile; 10, 11 and 12 are not', () => {
      for (const p of ['13', '14', '15', '16', '17', '18', '19']) expect(redactPersonalDetails(`${p}912345678`).removed.mobile).toBe(1);
      for (const p of ['10', '11', '12']) expect(redactPersonalDetails(`${p}912345678`).removed).toEqual(ALL_ZERO);
    });

    test('full-width digits elsewhere in the note are kept as written (replacement is in place)', () => {
      const text = '１５棟２０３室，手機１３９　１２３４　８８７７，單號２６１１２８０３';
      expect(redactPersonalDetails(text).text).toBe(`１５棟２０３室，手機${PLACEHOLDERS.mobile}，單號２６１１２８０３`);
    });

    test('Hong Kong / Macau numbers count when their country code is written', () => {
      expect(redactPersonalDetails('+852 9123 4567').removed).toEqual({ ...ALL_ZERO, mobile: 1 });
      expect(redactPersonalDetails('(+852) 2345-6789').removed).toEqual({ ...ALL_ZERO, landline: 1 });
      expect(redactPersonalDetails('+853 6612 3456').removed).toEqual({ ...ALL_ZERO, mobile: 1 });
      expect(redactPersonalDetails('Tel: +852 9123 4567').text).toBe(`Tel: ${PLACEHOLDERS.mobile}`);
    });

    test('boundary: a space-grouped list of amounts is not a phone', () => {
      for (const t of ['三期分別為150 2000 3000元', '報價¥135 1200 3500', '折扣150 2000 3000%']) {
        expect(redactPersonalDetails(t)).toEqual({ text: t, removed: ALL_ZERO });
      }
      // …but 元旦 (New Year's Day) is not an amount unit.
      expect(redactPersonalDetails('手機138 1234 5678元旦後聯繫').removed.mobile).toBe(1);
    });
  });

  describe('landlines', () => {
    const FORMS: Array<[string, string]> = [
      ['020-12345678', 'Guangzhou, 3-digit area code, 8 digits'],
      ['02012345678', 'no separator'],
      ['(0755) 8888 6666', 'area code in parentheses, 4-4'],
      ['（０７５５）８８８８６６６６', 'full-width parentheses and digits'],
      ['010 6512 3456', 'Beijing, spaces'],
      ['0757-2233445', '4-digit area code, 7 digits'],
      ['020-1234567', 'old 7-digit local number after a 3-digit code, separated'],
      ['(010)1234567', 'old 7-digit local number, area code in parentheses'],
      ['0571-861-3456', '4-digit area code, 7 digits grouped 3-4'],
      ['+86 20 8765 4321', 'international, leading 0 dropped'],
      ['0086-755-88886666', '0086, leading 0 dropped'],
    ];
    test.each(FORMS)('%s is one landline (%s)', (form) => {
      const r = redactPersonalDetails(`辦公：${form}。`);
      expect(r.text).toBe(`辦公：${PLACEHOLDERS.landline}。`);
      expect(r.removed).toEqual({ ...ALL_ZERO, landline: 1 });
    });

    const EXTENSIONS = ['0755-88886666-123', '0755-8888 6666 轉 806', '020-87654321转2301', '020-87654321分機2301', '020-87654321 ext. 55', '020-87654321 x55', '(010) 6512 3456#12'];
    test.each(EXTENSIONS)('%s: the extension goes with the number', (form) => {
      const r = redactPersonalDetails(`辦公電話 ${form}，週一至五`);
      expect(r.text).toBe(`辦公電話 ${PLACEHOLDERS.landline}，週一至五`);
      expect(r.removed).toEqual({ ...ALL_ZERO, landline: 1 });
    });

    test('boundary: 7-8 digits without area code are a landline only right after a phone label', () => {
      expect(redactPersonalDetails('家裡電話 8765 4321').text).toBe(`家裡電話 ${PLACEHOLDERS.landline}`);
      expect(redactPersonalDetails('Tel: 2345-6789').text).toBe(`Tel: ${PLACEHOLDERS.landline}`);
      expect(redactPersonalDetails('座機：87654321轉12').removed.landline).toBe(1);
      for (const t of ['合同金額87654321元', '訂單87654321', '電話費8765元', '電話回訪2611-007']) {
        expect(redactPersonalDetails(t)).toEqual({ text: t, removed: ALL_ZERO });
      }
    });

    test('boundary: an area-code-shaped 11-12 digit number after a meter/account/order label is that reference, not a phone', () => {
      expect(redactPersonalDetails('水錶號 075512345678').text).toBe('水錶號 075512345678');
      expect(redactPersonalDetails('電費戶號：02012345678').text).toBe('電費戶號：02012345678');
      expect(redactPersonalDetails('座機075512345678').removed.landline).toBe(1);
      // With separators it is written as a phone, whatever the label.
      expect(redactPersonalDetails('編號0755-12345678').removed.landline).toBe(1);
    });
  });

  describe('numbers that look close but are not private', () => {
    const KEEP: Array<[string, string]> = [
      ['訂單號2611280071', '10-digit order number: shorter than any phone'],
      ['訂單號0201234567', '10 digits starting with an area code: still too short for a landline'],
      ['訂單號1381234567', '10 digits starting 138: one digit short of a mobile'],
      ['電錶號310105123456', '12-digit meter number'],
      ['電錶號138123456789', '12-digit meter number starting like a mobile: runs are taken whole'],
      ['卡號6222021234567890123', '19-digit card number: not a kind this module removes'],
      ['¥1,200、3500元、1200.50、¥13,800', 'amounts'],
      ['2026-11-28、2026年11月28日、11/28、2026/11/28、20261128', 'dates'],
      ['09:30-18:00、14:30', 'times'],
      ['3棟1204室、12-3-1502、B座2201、7-2-801', 'unit and room numbers'],
      ['2611-007、2611-120', 'case numbers (R-CASE-NO)'],
      ['35%、83.7%、18樓、第3層、共86戶、B2-156車位', 'percentages, floors, counts, parking spaces'],
    ];
    test.each(KEEP)('%s survives (%s)', (text) => {
      expect(redactPersonalDetails(text)).toEqual({ text, removed: ALL_ZERO });
    });
  });

  describe('emails', () => {
    test.each(['zhang.wei88@163.com', 'Lee.K@hsbc.com.hk', 'a_b-c+tag@sub.example.org', '13988887777@qq.com', 'ｚｈａｎｇ＠１６３．ｃｏｍ'])('%s is one email', (e) => {
      const r = redactPersonalDetails(`郵箱：${e}，謝謝`);
      expect(r.text).toBe(`郵箱：${PLACEHOLDERS.email}，謝謝`);
      expect(r.removed).toEqual({ ...ALL_ZERO, email: 1 });
    });
  });

  describe('employers: the label stays, the value goes', () => {
    const CASES: Array<[string, string]> = [
      ['工作單位：華潤置地，', '工作單位：'],
      ['工作单位:招商银行。', '工作单位:'],
      ['工作單位華潤置地電話', '工作單位'],
      ['任職於平安銀行深圳分行，', '任職於'],
      ['任职于深圳市南山区教育局。', '任职于'],
      ['服務於南山區人民醫院；', '服務於'],
      ['服务于广州市第一人民医院，', '服务于'],
      ['，單位：深圳供電局，', '，單位：'],
      ['|单位：深圳供电局|', '|单位：'],
      ['，公司：中國平安財產保險（深圳）有限公司，', '，公司：'],
      ['租戶公司名稱：深圳市美佳餐飲管理有限公司，', '租戶公司名稱：'],
      ['其配偶單位是深圳大學。', '其配偶單位是'],
      ['Employer: Shanghai Pudong Development Bank.', 'Employer: '],
      ['works at Bank of China, ', 'works at '],
      ['Company: Tencent Holdings Ltd, ', 'Company: '],
      ['works at HSBC in Central since 2019', 'works at '],
    ];
    test.each(CASES)('%s', (text, label) => {
      const r = redactPersonalDetails(text);
      expect(r.removed).toEqual({ ...ALL_ZERO, employer: 1 });
      expect(r.text).toContain(`${label}${PLACEHOLDERS.employer}`);
    });

    test('在…上班 / 在…工作: the place of work goes, the words stay', () => {
      expect(redactPersonalDetails('白天在深圳地鐵集團上班').text).toBe(`白天在${PLACEHOLDERS.employer}上班`);
      expect(redactPersonalDetails('在比亚迪股份有限公司工作').text).toBe(`在${PLACEHOLDERS.employer}工作`);
    });

    test('an English value stops at the words that follow an employer in a sentence', () => {
      expect(redactPersonalDetails('works at HSBC in Central since 2019').text).toBe(`works at ${PLACEHOLDERS.employer} in Central since 2019`);
    });

    test('a phone right after an employer keeps its own count', () => {
      const r = redactPersonalDetails('工作單位：華潤置地 手機13812345678');
      expect(r.text).toBe(`工作單位：${PLACEHOLDERS.employer} 手機${PLACEHOLDERS.mobile}`);
      expect(r.removed).toEqual({ ...ALL_ZERO, employer: 1, mobile: 1 });
    });

    const NOT_EMPLOYERS: Array<[string, string]> = [
      ['單位：3座1205', '單位 is the flat (Hong Kong usage)'],
      ['業主單位面積89.5平方米', '單位 as a word, not a field'],
      ['本公司已安排清洗水池', '公司 as a word'],
      ['物業公司：已派人處理', '物業公司 is us, not the customer’s employer'],
      ['，公司為業主更換了門鎖', '公司為 at the start of a clause, no owner word before it'],
      ['the company sent a plumber', 'English "company" without a colon'],
      ['工作單位：無', 'no employer'],
      ['工作单位：退休', 'retired'],
      ['在家上班', 'works from home'],
      ['他現在上班', 'now at work'],
      ['維修師傅在3棟1204室工作', 'a flat is not an employer'],
      ['在公司上班', 'a generic word'],
      ['She works at home on Fridays', 'English: home is not an employer'],
    ];
    test.each(NOT_EMPLOYERS)('%s is kept (%s)', (text) => {
      expect(redactPersonalDetails(text)).toEqual({ text, removed: ALL_ZERO });
    });
  });

  describe('the helpers and the result', () => {
    test('normaliseDigits turns full-width digits into ASCII and leaves everything else', () => {
      expect(normaliseDigits('０１２３４５６７８９')).toBe('0123456789');
      expect(normaliseDigits('３棟１２０４室，¥１,２００ ＡＢ')).toBe('3棟1204室，¥1,200 ＡＢ');
      expect(normaliseDigits('')).toBe('');
    });

    test('placeholders name the kind only: no digit, no @', () => {
      for (const kind of PII_KINDS) expect(PLACEHOLDERS[kind]).toMatch(/^\[[^\d@]+\]$/);
    });

    test('redacting an archived text again finds nothing more (idempotent)', () => {
      for (const note of REDACTION_CORPUS) {
        const once = redactPersonalDetails(note.text).text;
        expect(redactPersonalDetails(once)).toEqual({ text: once, removed: ALL_ZERO });
      }
    });

    test('a note without private details comes back unchanged, empty input included', () => {
      expect(redactPersonalDetails('')).toEqual({ text: '', removed: ALL_ZERO });
      const t = '2026年11月28日回訪3棟1204室，漏水已修復，滿意。';
      expect(redactPersonalDetails(t)).toEqual({ text: t, removed: ALL_ZERO });
    });
  });
});

describe('R-SURVEY-REDACT: numbers and addresses outside the mainland formats', () => {
  it.each([
    ['call +44 7911 123456 after 6pm', '7911'],
    ['tel +1 415 555 0100 (office)', '555'],
    ['mail 陳@例子.中国 please', '例子'],
    ['業主海外號碼 +65-6123-4567', '6123'],
  ])('R-SURVEY-REDACT: %s loses its private value', (text, fragment) => {
    const r = redactPersonalDetails(text);
    expect(r.text).not.toContain(fragment);
    expect(Object.values(r.removed).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('R-SURVEY-REDACT: amounts and unit numbers next to a plus sign survive', () => {
    const text = '加裝費 +200元，3棟1204室';
    expect(redactPersonalDetails(text).text).toBe(text);
  });
});

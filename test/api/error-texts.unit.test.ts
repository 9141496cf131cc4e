import { ERROR_CODE_LIST } from '../../src/errors';
import { errorTexts } from '../../web/src/i18n/errorTexts';

/**
 * The console's texts for API errors (web/src/i18n/errorTexts.ts): a zh-TW user reads every
 * refusal in Chinese, so every code of the catalogue (src/errors/codes.ts) has a zh-TW text, and
 * the file names no code the server never sends. English is optional (the console shows the
 * server's message when there is none).
 */
describe('the console texts of the error codes', () => {
  test('every code of the catalogue has a non-empty zh-TW text', () => {
    const missing = ERROR_CODE_LIST.filter((c) => !(typeof errorTexts[c]?.['zh-TW'] === 'string' && errorTexts[c]['zh-TW'].trim().length > 0));
    expect(missing).toEqual([]);
  });

  test('the texts name no code outside the catalogue', () => {
    const known = new Set<string>(ERROR_CODE_LIST);
    expect(Object.keys(errorTexts).filter((c) => !known.has(c))).toEqual([]);
  });

  test('a zh-TW text is Chinese, one line, and names no internal identifier', () => {
    for (const [code, t] of Object.entries(errorTexts)) {
      const zh = t['zh-TW'];
      expect({ code, chinese: /[\u4e00-\u9fff]/.test(zh) }).toEqual({ code, chinese: true });
      expect({ code, oneLine: !/\n/.test(zh) }).toEqual({ code, oneLine: true });
      // No snake_case or camelCase field or permission names (controlled_copy:witness, holderId...).
      expect({ code, zh, internal: /[a-z]+_[a-z]+|[a-z]+[A-Z][a-z]+|\w+:\w+/.test(zh) }).toEqual({ code, zh, internal: false });
      if (t.en !== undefined) expect({ code, en: t.en.trim().length > 0 }).toEqual({ code, en: true });
    }
  });
});

import { CATALOGUE, indexKinds, renderMessage } from '../../src/features/notifications/catalogue';
import { LANGS, type MessageKindDef } from '../../src/features/notifications/message';

/**
 * Every kind of message (issue 13) renders in both languages from its sample, as a one-line
 * subject, a body and a console link; and no sample, hence no message shaped like it, carries
 * customer information: no phone number, no ID number, no customer field among its params.
 */
const PHONE = /\d{11}/; // a mainland mobile number is 11 digits
const ID_NUMBER = /\d{17}[\dXx]/; // the 18-character resident ID number
const CUSTOMER_PARAMS = /^(customer|customerName|name|phone|phones|mobile|idNumber|idNo|unit|room|address|employer|email)$/i;

const kinds = [...CATALOGUE.values()];

describe('notifications: the message catalogue', () => {
  test('R-SECRET: the catalogue declares kinds (at least the robot test), each named once', () => {
    expect(CATALOGUE.has('system.robot_test')).toBe(true);
    expect(new Set(kinds.map((d) => d.kind)).size).toBe(kinds.length);
  });

  test('R-SECRET: a kind declared twice stops the load', () => {
    const def = CATALOGUE.get('system.robot_test')!;
    expect(() => indexKinds([def, { ...def } as MessageKindDef])).toThrow(/system\.robot_test is declared twice/);
  });

  test.each(kinds.map((d) => [d.kind, d] as const))('R-SECRET: %s renders in both languages from its sample: one-line subject ≤ 300, a body, a relative link, titles', (_kind, def) => {
    for (const lang of LANGS) {
      expect(def.title[lang].trim()).not.toBe('');
      const r = renderMessage(def.kind, def.sample, lang);
      expect(r.subject.trim()).not.toBe('');
      expect(r.subject).not.toMatch(/[\r\n]/);
      expect(r.subject.length).toBeLessThanOrEqual(300);
      expect(r.body.trim()).not.toBe('');
      expect(r.link.startsWith('/')).toBe(true);
      expect(r.link.startsWith('//')).toBe(false);
      expect(r.action).toBe(def.action);
      // Nothing left unfilled: a param the text reads but the sample lacks shows as "undefined".
      expect(`${r.subject} ${r.body} ${r.link}`).not.toMatch(/undefined|NaN|\[object Object\]/);
    }
  });

  test.each(kinds.map((d) => [d.kind, d] as const))('R-SECRET: %s carries no customer information: no phone-like or ID-number-like run in its sample or text, no customer field among its params', (_kind, def) => {
    for (const [key, value] of Object.entries(def.sample)) {
      expect(key).not.toMatch(CUSTOMER_PARAMS);
      expect(String(value)).not.toMatch(PHONE);
      expect(String(value)).not.toMatch(ID_NUMBER);
    }
    for (const lang of LANGS) {
      const r = renderMessage(def.kind, def.sample, lang);
      const text = `${r.subject}\n${r.body}\n${r.link}`;
      expect(text).not.toMatch(PHONE);
      expect(text).not.toMatch(ID_NUMBER);
    }
  });
});

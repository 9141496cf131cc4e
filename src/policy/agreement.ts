import type { User } from '../entities/User';

/**
 * The confidentiality agreement every employee signs before any access to customer
 * information (R-ONBOARD, §5.2.5). Changing the text means a new version: everyone must
 * sign again before their next access.
 */
export const CURRENT_AGREEMENT = {
  version: '2026-1',
  title: '客戶信息保密協議 / Customer Information Confidentiality Agreement',
  text: [
    '本人承諾遵守公司《客戶信息保密制度》：客戶信息屬公司商業秘密，僅在職責範圍內、於限定時間內知悉和使用；',
    '不向任何無關人員披露、出借、轉交、複製或帶離辦公區域任何受控文件；離職時交還或按規定銷毀所持客戶信息。',
    'I undertake to follow the Customer Information Confidentiality Rules: customer information is a company secret,',
    'known and used only within my role and scope and for a limited time; I will not disclose, lend, pass on, copy or',
    'take out of the office any controlled document; on leaving I will return or have destroyed all customer information I hold.',
  ].join('\n'),
};

/**
 * R-ONBOARD: an active account that signed the current version. The one definition: the account
 * gate (authorizer.ts accountRefusal) and GET /me (agreement.required) both ask it.
 */
export function hasSignedCurrentAgreement(u: Pick<User, 'status' | 'agreementVersion'>): boolean {
  return u.status === 'active' && u.agreementVersion === CURRENT_AGREEMENT.version;
}

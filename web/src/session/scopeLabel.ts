import type { T } from '../i18n/messages';

/** '*' -> 全公司 / Company-wide; 'dept:PM1' -> 部門 PM1; 'project:SC-HARBOUR' -> 專案 SC-HARBOUR. */
export function scopeLabel(scope: string, t: T<'scopeCompany' | 'scopeDept' | 'scopeProject'>): string {
  if (scope === '*') return t('scopeCompany');
  const [kind, code] = scope.split(':', 2);
  if (kind === 'dept') return t('scopeDept', { code });
  if (kind === 'project') return t('scopeProject', { code });
  return scope;
}

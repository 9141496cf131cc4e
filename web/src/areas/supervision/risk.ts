import type { RiskLevel } from './types';

/**
 * R-RISK-MONTHLY: likelihood (1–5) × impact (1–5) → level, the same bands as the server
 * (src/features/assessments/risk-level.ts): 1–4 low, 5–9 medium, 10–16 high, 20–25 critical.
 * The heat map shows the level as text as well as colour.
 */
export const LEVEL_BANDS: ReadonlyArray<{ level: RiskLevel; min: number; max: number }> = [
  { level: 'low', min: 1, max: 4 },
  { level: 'medium', min: 5, max: 9 },
  { level: 'high', min: 10, max: 16 },
  { level: 'critical', min: 20, max: 25 },
];

export function levelOf(likelihood: number, impact: number): RiskLevel {
  const score = likelihood * impact;
  return (LEVEL_BANDS.find((b) => score >= b.min && score <= b.max) ?? LEVEL_BANDS[3]).level;
}

/** Cell backgrounds light enough for dark text at AA contrast; the border carries the stronger hue. */
export const LEVEL_STYLE: Record<RiskLevel, { background: string; border: string; tag: string }> = {
  low: { background: '#d9f7be', border: '#52c41a', tag: 'green' },
  medium: { background: '#fff1b8', border: '#d4b106', tag: 'gold' },
  high: { background: '#ffd8bf', border: '#fa541c', tag: 'volcano' },
  critical: { background: '#ffccc7', border: '#cf1322', tag: 'red' },
};

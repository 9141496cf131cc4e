import type { RiskLevel } from '../../entities/RiskItem';

/**
 * R-RISK-MONTHLY: a risk's level from its score, likelihood (1–5) × impact (1–5):
 *
 * | score  | level    |
 * |--------|----------|
 * | 1–4    | low      |
 * | 5–9    | medium   |
 * | 10–16  | high     |
 * | 20–25  | critical |
 *
 * (No product of two numbers 1–5 lies between 17 and 19, so the bands cover every score.)
 */
export const LEVEL_BANDS: ReadonlyArray<{ level: RiskLevel; min: number; max: number; zh: string }> = [
  { level: 'low', min: 1, max: 4, zh: '低' },
  { level: 'medium', min: 5, max: 9, zh: '中' },
  { level: 'high', min: 10, max: 16, zh: '高' },
  { level: 'critical', min: 20, max: 25, zh: '極高' },
];

export function levelOf(likelihood: number, impact: number): { score: number; level: RiskLevel } {
  const score = likelihood * impact;
  const band = LEVEL_BANDS.find((b) => score >= b.min && score <= b.max);
  if (!band) throw new Error(`score ${score} outside 1–25`);
  return { score, level: band.level };
}

export const levelZh = (level: RiskLevel): string => LEVEL_BANDS.find((b) => b.level === level)!.zh;

/**
 * The 5×5 risk matrix: counts of risk items per cell, matrix[likelihood - 1][impact - 1].
 */
export function riskMatrix(items: ReadonlyArray<{ likelihood: number; impact: number }>): number[][] {
  const matrix = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
  for (const i of items) matrix[i.likelihood - 1][i.impact - 1]++;
  return matrix;
}

import { Foundation1764300000000 } from './1764300000000-Foundation';
import { PolicyRuleIndexes1764310000000 } from './1764310000000-PolicyRuleIndexes';

/** Listed explicitly (not globbed) so that ts-jest, ts and compiled JS all see the same set. */
export const MIGRATIONS = [Foundation1764300000000, PolicyRuleIndexes1764310000000];

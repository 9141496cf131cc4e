import { readFileSync } from 'node:fs';

/**
 * Source Han Sans CN (思源黑体) carries every simplified and traditional character the Rules'
 * forms use (受控文件, 客戶信息借閱、銷毀記錄表, 獎罰通知單…). The files are ~9 MB each, so each
 * is read once per process and the Buffer kept; pdfkit embeds only the glyphs a PDF uses.
 *
 * The package has no `main` (its package.json names an index.js it does not ship), so the
 * font files are resolved directly by their path inside the package.
 */
const FILES = {
  regular: 'source-han-sans-cn/SourceHanSansCN-Regular.otf',
  bold: 'source-han-sans-cn/SourceHanSansCN-Bold.otf',
} as const;

export type FontWeight = keyof typeof FILES;

const cache = new Map<FontWeight, Buffer>();

export function cjkFont(weight: FontWeight = 'regular'): Buffer {
  let buf = cache.get(weight);
  if (!buf) {
    buf = readFileSync(require.resolve(FILES[weight]));
    cache.set(weight, buf);
  }
  return buf;
}

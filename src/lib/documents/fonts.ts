import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

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

/** What pdfkit accepts as an already-parsed font (a fontkit font: it has `layout`). */
export interface ParsedFont {
  layout: (text: string) => unknown;
}

const parsed = new Map<FontWeight, ParsedFont>();

/**
 * The font parsed once per process. pdfkit would otherwise parse the 9 MB OpenType file again for
 * every document (about 0.1–0.3 s of CPU each); a parsed fontkit font is only read afterwards:
 * each document still makes its own subset of the glyphs it uses. fontkit is pdfkit's own
 * dependency, so it is resolved from pdfkit (the same copy pdfkit uses).
 */
export function parsedCjkFont(weight: FontWeight = 'regular'): ParsedFont {
  let font = parsed.get(weight);
  if (!font) {
    const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as { create(buf: Uint8Array): ParsedFont };
    font = fontkit.create(cjkFont(weight));
    parsed.set(weight, font);
  }
  return font;
}

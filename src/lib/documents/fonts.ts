import { readFileSync } from 'node:fs';
import { pdfkitDependency } from '../heavy-modules';

/**
 * Source Han Sans CN (思源黑体) carries every simplified and traditional character the Rules'
 * forms use (受控文件, 客戶信息借閱、銷毀記錄表, 獎罰通知單…). The files are ~9 MB each, so each
 * is read and parsed once per process; pdfkit embeds only the glyphs a PDF uses.
 *
 * The package has no `main` (its package.json names an index.js it does not ship), so the
 * font files are resolved directly by their path inside the package.
 */
const FILES = {
  regular: 'source-han-sans-cn/SourceHanSansCN-Regular.otf',
  bold: 'source-han-sans-cn/SourceHanSansCN-Bold.otf',
} as const;

export type FontWeight = keyof typeof FILES;

/** What pdfkit accepts as an already-parsed font (a fontkit font: it has `layout`). */
export interface ParsedFont {
  layout: (text: string) => unknown;
}

const parsed = new Map<FontWeight, ParsedFont>();

/**
 * The font parsed once per process. pdfkit would otherwise parse the OpenType file again for
 * every document (about 0.1–0.3 s of CPU each); a parsed fontkit font is only read afterwards:
 * each document still makes its own subset of the glyphs it uses.
 */
export function parsedCjkFont(weight: FontWeight = 'regular'): ParsedFont {
  let font = parsed.get(weight);
  if (!font) {
    font = pdfkitDependency<{ create(buf: Uint8Array): ParsedFont }>('fontkit').create(readFileSync(require.resolve(FILES[weight])));
    parsed.set(weight, font);
  }
  return font;
}

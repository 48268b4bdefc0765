/**
 * Advance widths of Helvetica (and Arial, which matches it), in 1/1000 em, for the printable ASCII
 * characters from the space on; other characters count as 0.6 em.
 */
const HELVETICA_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
  722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
  556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
  260, 334, 584,
];

/** The width in pixels of one line of a text mark, for vega's layout. */
export function textWidth(
  item: { fontSize?: number; fontWeight?: string | number; text?: unknown },
  text?: unknown,
): number {
  const value = String(text ?? item.text ?? '');
  let em = 0;
  for (const char of value) em += (HELVETICA_WIDTHS[char.charCodeAt(0) - 32] ?? 600) / 1000;
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  return em * (item.fontSize ?? 11) * (bold ? 1.08 : 1);
}

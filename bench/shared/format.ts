/** A markdown table row; pipes inside cells are escaped. */
export function row(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/** Milliseconds with `digits` decimals and the unit, or `—` for no value. */
export function ms(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined ? '—' : `${value.toFixed(digits)} ms`;
}

/** A count, or `—` for no value. */
export function num(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : String(value);
}

/** Milliseconds as seconds with at most one decimal: `1.5 s`, `10 s`. */
export function seconds(valueMs: number): string {
  return `${Number((valueMs / 1000).toFixed(1))} s`;
}

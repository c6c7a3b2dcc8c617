// Number, time and label formatting shared by every page.

const SUFFIXES = ['', 'k', 'M', 'G', 'T'];

/** 950 -> "950", 1234 -> "1.2k", 45300 -> "45k", 1.2e6 -> "1.2M". */
export function compact(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const neg = n < 0;
  let v = Math.abs(n);
  let i = 0;
  while (v >= 999.5 && i < SUFFIXES.length - 1) {
    v /= 1000;
    i++;
  }
  let s: string;
  if (i === 0) s = Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 1 : 0);
  else s = (v < 10 ? v.toFixed(1) : v.toFixed(0)).replace(/\.0$/, '');
  return (neg ? '-' : '') + s + SUFFIXES[i];
}

/** Full number with thousands separators: 12345 -> "12,345". */
export function full(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US');
}

/** A share as a percentage: 0.4531 -> "45.3%"; tiny non-zero shares stay visible. */
export function pct(part: number, whole: number, digits = 1): string {
  if (!whole) return '–';
  const p = (100 * part) / whole;
  if (p > 0 && p < 0.1) return '<0.1%';
  if (p === 100 || p === 0) return `${p}%`;
  return `${p.toFixed(digits)}%`;
}

/** Milliseconds: 0.4 -> "0.4 ms", 226 -> "226 ms", 29004 -> "29.0 s". */
export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v >= 10000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  return `${v < 10 && !Number.isInteger(v) ? v.toFixed(1) : Math.round(v)} ms`;
}

export function parseTime(t: string | number | null | undefined): number | null {
  if (t === null || t === undefined || t === '') return null;
  const v = typeof t === 'number' ? t : Date.parse(t);
  return Number.isFinite(v) ? v : null;
}

const UNITS: Array<[number, string]> = [
  [365 * 86400e3, 'y'],
  [30 * 86400e3, 'mo'],
  [7 * 86400e3, 'w'],
  [86400e3, 'd'],
  [3600e3, 'h'],
  [60e3, 'min'],
  [1e3, 's'],
];

/** "3 h ago", "in 2 d", "just now"; `now` defaults to the clock. */
export function ago(t: string | number | null | undefined, now: number = Date.now()): string {
  const v = parseTime(t);
  if (v === null) return 'never';
  const d = now - v;
  const a = Math.abs(d);
  if (a < 5000) return 'just now';
  for (const [size, unit] of UNITS) {
    if (a >= size) {
      const n = Math.floor(a / size);
      return d >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
    }
  }
  return 'just now';
}

/** Duration in words: 90000 -> "1 min", 3 days -> "3 d". */
export function duration(d: number): string {
  const a = Math.abs(d);
  for (const [size, unit] of UNITS) {
    if (a >= size) return `${Math.floor(a / size)} ${unit}`;
  }
  return `${Math.round(a / 1000)} s`;
}

/** Exact time for tooltips and tables: "2025-03-11 23:59:56 UTC". */
export function exact(t: string | number | null | undefined): string {
  const v = parseTime(t);
  if (v === null) return 'never';
  return new Date(v).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** Short date for axes and cards: "2025-03-11". */
export function day(t: string | number | null | undefined): string {
  const v = parseTime(t);
  return v === null ? '–' : new Date(v).toISOString().slice(0, 10);
}

export function iso(v: number): string {
  return new Date(v).toISOString();
}

/** "card_number" -> "card number". */
export function label(name: string): string {
  return name.replace(/_/g, ' ');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${full(n)} ${n === 1 ? one : many}`;
}

/**
 * Go's time.ParseDuration ("1m30s", "1.5h", "300ms", "-2us"), returning nanoseconds: HEALTHCHECK
 * durations are written in that syntax and stored in the image config as nanoseconds.
 */
import { LocalSyntaxError } from './errors.js';
import { goQuote } from '../../util/go-quote.js';

const units: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

export function parseGoDuration(input: string): number {
  const invalid = (): never => {
    throw new LocalSyntaxError(`time: invalid duration ${goQuote(input)}`);
  };
  let s = input;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') invalid();
  let total = 0;
  while (s !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = number?.[1] ?? '';
    const fraction = number?.[2];
    if (whole === '' && (fraction === undefined || fraction === '')) invalid();
    s = s.slice(number?.[0].length ?? 0);
    const unitMatch = /^[^\d.]+/.exec(s);
    if (!unitMatch) throw new LocalSyntaxError(`time: missing unit in duration ${goQuote(input)}`);
    const unit = unitMatch[0];
    const scale = units[unit];
    if (scale === undefined) throw new LocalSyntaxError(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(input)}`);
    s = s.slice(unit.length);
    total += Number(whole || '0') * scale;
    if (fraction) total += Math.floor((Number('0.' + fraction) * scale) + 1e-6);
  }
  return negative ? -total : total;
}

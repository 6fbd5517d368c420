/**
 * Human-readable sizes, durations and dates exactly as the docker CLI prints them.
 *
 * Followed (reimplemented, not copied):
 * - docker/go-units `size.go`: HumanSizeWithPrecision, HumanSize, BytesSize (`getSizeAndUnit`
 *   divides repeatedly by the base, then Go's `fmt` `%.*g` formats the value);
 * - Go `strconv/ftoa.go` for `%g` with a precision: correctly rounded to N significant digits
 *   (ties to even on the exact binary value), trailing zeros dropped, `%e` form when the decimal
 *   exponent is < -4 or >= the precision (e.g. 999.5 kB → `1e+03kB`);
 * - docker/go-units `duration.go`: HumanDuration;
 * - docker/cli `cli/command/image/formatter_history.go` (CreatedSince: `N/A` at or before
 *   2000-01-01, CreatedAt: RFC 3339) and `cli/command/formatter/image.go` (CreatedSince: empty,
 *   shown as `N/A`, only for Go's zero time; the daemon reports a missing `created` as 0, so the
 *   Unix epoch shows as e.g. `56 years ago`).
 */

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'] as const;
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] as const;

/** The exact decimal expansion of a positive finite double: digits (no trailing zeros) and the
 * position of the decimal point (value = 0.digits × 10^dp). */
function exactDecimal(x: number): { digits: string; dp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    const k = -exp;
    digits = (mant * 5n ** BigInt(k)).toString();
    dp = digits.length - k;
  }
  return { digits: digits.replace(/0+$/, ''), dp };
}

/** Rounds an exact decimal to `nd` significant digits, ties to even (Go strconv `decimal.Round`). */
function roundDecimal(
  digits: string,
  dp: number,
  nd: number,
): {
  digits: string;
  dp: number;
} {
  if (nd < 0 || nd >= digits.length) return { digits, dp };
  const next = digits.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === digits.length) {
    // Exactly halfway: round to even.
    up = nd > 0 && (digits.charCodeAt(nd - 1) - 48) % 2 === 1;
  } else {
    up = next >= 5;
  }
  if (!up) return { digits: digits.slice(0, nd).replace(/0+$/, ''), dp };
  const d = digits.slice(0, nd).split('');
  let i = nd - 1;
  while (i >= 0 && d[i] === '9') i--;
  if (i < 0) return { digits: '1', dp: dp + 1 };
  d[i] = String.fromCharCode(d[i]!.charCodeAt(0) + 1);
  return { digits: d.slice(0, i + 1).join(''), dp };
}

function digitAt(digits: string, i: number): string {
  return i >= 0 && i < digits.length ? digits[i]! : '0';
}

/** Go `fmt.Sprintf("%.*g", prec, x)`. */
export function formatG(x: number, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  if (prec === 0) prec = 1;
  let digits = '';
  let dp = 0;
  if (x !== 0) {
    const exact = exactDecimal(Math.abs(x));
    ({ digits, dp } = roundDecimal(exact.digits, exact.dp, prec));
  }
  const nd = digits.length;
  let eprec = prec;
  if (eprec > nd && nd >= dp) eprec = nd;
  const exp10 = dp - 1;
  let body: string;
  if (x !== 0 && (exp10 < -4 || exp10 >= eprec)) {
    // %e with prec-1 digits after the point (prec capped to the digits there are)
    const p = Math.min(prec, nd);
    body = digits[0]!;
    if (p > 1) body += '.' + digits.slice(1, p);
    const e = Math.abs(exp10);
    body += (exp10 < 0 ? 'e-' : 'e+') + (e < 10 ? '0' + e : String(e));
  } else {
    // %f with max(prec-dp, 0) decimals, prec replaced by nd when it exceeds dp
    const p = prec > dp ? nd : prec;
    const decimals = Math.max(p - dp, 0);
    let int = '';
    if (dp > 0) for (let i = 0; i < dp; i++) int += digitAt(digits, i);
    else int = '0';
    body = int;
    if (decimals > 0) {
      body += '.';
      for (let i = 0; i < decimals; i++) body += digitAt(digits, dp + i);
    }
  }
  return neg ? '-' + body : body;
}

function sizeAndUnit(size: number, base: number, units: readonly string[]): [number, string] {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return [size, units[i]!];
}

/** go-units `HumanSizeWithPrecision`: decimal units, `precision` significant digits. */
export function humanSizeWithPrecision(bytes: number, precision: number): string {
  const [size, unit] = sizeAndUnit(bytes, 1000, DECIMAL_UNITS);
  return formatG(size, precision) + unit;
}

/** What docker prints in SIZE columns: go-units `HumanSizeWithPrecision(size, 3)` (`77.8MB`). */
export function humanSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 3);
}

/** go-units `HumanSize`: 4 significant digits (`1.049MB`). */
export function humanSize4(bytes: number): string {
  return humanSizeWithPrecision(bytes, 4);
}

/** go-units `BytesSize`: binary units, 4 significant digits (`3.42GiB`). */
export function bytesSize(bytes: number): string {
  const [size, unit] = sizeAndUnit(bytes, 1024, BINARY_UNITS);
  return formatG(size, 4) + unit;
}

/** go-units `HumanDuration` for a duration given in seconds (fractions allowed). */
export function humanDuration(seconds: number): string {
  // Go converts with int(), which truncates toward zero.
  const secs = Math.trunc(seconds);
  if (!(secs >= 1)) return 'Less than a second';
  if (secs === 1) return '1 second';
  if (secs < 60) return `${secs} seconds`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(seconds / 3600 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(Math.trunc(seconds / 3600) / 24) / 365)} years`;
}

// ---------------------------------------------------------------------------------------------
// Dates

/** Days from 1970-01-01 to a proleptic Gregorian date (any year, including year 1). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Go's zero time (`0001-01-01T00:00:00Z`) as Unix seconds. */
export const GO_ZERO_TIME_UNIX = -62135596800;

/**
 * Unix seconds of an RFC 3339 timestamp, as Go's `time.Time.Unix()` (floor; the fraction is
 * dropped). `undefined` for a missing or unparseable value.
 */
export function parseUnixSeconds(created: string | undefined): number | undefined {
  if (!created) return undefined;
  const m = RFC3339.exec(created);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  let offset = 0;
  if (!m[8]) {
    offset = (Number(m[10]) * 60 + Number(m[11])) * 60 * (m[9] === '-' ? -1 : 1);
  }
  return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * Go `time.Unix(sec, 0).Format(time.RFC3339)` in a zone `utcOffsetMinutes` east of UTC (docker
 * uses the machine's local zone; 0 prints `Z`).
 */
export function formatRfc3339(unixSeconds: number, utcOffsetMinutes = 0): string {
  const local = unixSeconds + utcOffsetMinutes * 60;
  const days = Math.floor(local / 86400);
  const rem = local - days * 86400;
  const [y, mo, d] = civilFromDays(days);
  const year = y < 0 ? '-' + pad(-y, 4) : pad(y, 4);
  let zone = 'Z';
  if (utcOffsetMinutes !== 0) {
    const a = Math.abs(utcOffsetMinutes);
    zone = (utcOffsetMinutes < 0 ? '-' : '+') + pad(Math.floor(a / 60)) + ':' + pad(a % 60);
  }
  return (
    `${year}-${pad(mo)}-${pad(d)}T${pad(Math.floor(rem / 3600))}:` +
    `${pad(Math.floor((rem % 3600) / 60))}:${pad(rem % 60)}${zone}`
  );
}

/** 2000-01-01T00:00:00Z: `docker history` shows `N/A` for creation times at or before it. */
export const HISTORY_EPOCH_UNIX = 946684800;

/** Which docker table the CREATED column belongs to (they treat missing dates differently). */
export type CreatedColumn = 'history' | 'image';

/**
 * The CREATED column for a creation time given as Unix seconds (what the daemon sends: 0 when the
 * config has no `created`).
 * - `history`: `N/A` at or before 2000-01-01, else `<HumanDuration> ago`;
 * - `image` (`docker image ls`): `N/A` only for Go's zero time (year 1), else `… ago` (the epoch
 *   gives e.g. `56 years ago`).
 * Dates in the future print `Less than a second ago`, as docker does.
 */
export function createdSince(
  unixSeconds: number,
  now: Date,
  column: CreatedColumn = 'history',
): string {
  if (
    column === 'history' ? unixSeconds <= HISTORY_EPOCH_UNIX : unixSeconds === GO_ZERO_TIME_UNIX
  ) {
    return 'N/A';
  }
  return humanDuration(now.getTime() / 1000 - unixSeconds) + ' ago';
}

/**
 * docker's CREATED column for an image config / history `created` string. A missing or
 * unparseable value is what the daemon reports as 0 (`N/A` in history, the epoch in `image ls`).
 */
export function timeAgo(
  created: string | undefined,
  now: Date,
  column: CreatedColumn = 'history',
): string {
  return createdSince(parseUnixSeconds(created) ?? 0, now, column);
}

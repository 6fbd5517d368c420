import { describe, expect, it } from 'vitest';
import {
  bytesSize,
  createdSince,
  formatG,
  formatRfc3339,
  humanDuration,
  humanSize,
  humanSize4,
  parseUnixSeconds,
  timeAgo,
} from './units';

const KB = 1000;
const MB = 1000 * KB;
const GB = 1000 * MB;
const TB = 1000 * GB;
const PB = 1000 * TB;
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;
const PiB = 1024 * TiB;

describe('go-units size_test.go', () => {
  // TestHumanSize / ExampleHumanSize
  it.each([
    [1000, '1kB'],
    [1024, '1.024kB'],
    [1000000, '1MB'],
    [1048576, '1.049MB'],
    [2 * MB, '2MB'],
    [3.42 * GB, '3.42GB'],
    [5.372 * TB, '5.372TB'],
    [2.22 * PB, '2.22PB'],
    [10000000000000 * PB, '1e+04YB'],
  ])('HumanSize(%d) = %s', (size, expected) => {
    expect(humanSize4(size)).toBe(expected);
  });

  // TestBytesSize / ExampleBytesSize
  it.each([
    [1024, '1KiB'],
    [1024 * 1024, '1MiB'],
    [1048576, '1MiB'],
    [2 * MiB, '2MiB'],
    [3.42 * GiB, '3.42GiB'],
    [5.372 * TiB, '5.372TiB'],
    [2.22 * PiB, '2.22PiB'],
    [KiB * KiB * KiB * KiB * KiB * PiB, '1.049e+06YiB'],
  ])('BytesSize(%d) = %s', (size, expected) => {
    expect(bytesSize(size)).toBe(expected);
  });
});

describe('humanSize = HumanSizeWithPrecision(size, 3)', () => {
  it.each([
    [0, '0B'],
    [1, '1B'],
    [845, '845B'],
    [999, '999B'],
    [1000, '1kB'],
    [1001, '1kB'],
    [1005, '1kB'], // 1.005 is 1.00499999… in binary: rounds down
    [1006, '1.01kB'],
    [1125, '1.12kB'], // exactly 1.125: ties to even
    [1135, '1.14kB'], // 1.135 is 1.13500000000000000888…: above the tie
    [1375, '1.38kB'], // exactly 1.375: ties to even (7 is odd → up)
    [13300, '13.3kB'],
    [13349, '13.3kB'],
    [99950, '100kB'], // 99.95 is just above the tie in binary → rounds up
    [100000, '100kB'],
    [120000, '120kB'],
    [999499, '999kB'],
    [999500, '1e+03kB'], // 999.5 rounds to 1000 with 3 digits: %g switches to %e
    [999999, '1e+03kB'],
    [1000000, '1MB'],
    [1234567, '1.23MB'],
    [5_576_917, '5.58MB'],
    [77_812_345, '77.8MB'],
    [182964289, '183MB'], // docker/cli formatter_history_test.go
    [1.5 * GB, '1.5GB'],
    [999.9 * GB, '1e+03GB'],
    [1e27, '1e+03YB'],
    [1e30, '1e+06YB'],
    [-1, '-1B'],
  ])('humanSize(%d) = %s', (size, expected) => {
    expect(humanSize(size)).toBe(expected);
  });
});

describe('formatG (Go %.*g)', () => {
  it.each([
    [0, 3, '0'],
    [1, 3, '1'],
    [0.5, 3, '0.5'],
    [0.0001, 3, '0.0001'],
    [0.00001, 3, '1e-05'],
    [0.000012345, 3, '1.23e-05'],
    [123.456, 3, '123'],
    [123.456, 4, '123.5'],
    [1234.5, 4, '1234'], // exact tie → even
    [1235.5, 4, '1236'],
    [12345, 3, '1.23e+04'],
    [1e21, 3, '1e+21'],
    [1e100, 3, '1e+100'],
    [2.5, 1, '2'],
    [3.5, 1, '4'],
    [5e-324, 3, '4.94e-324'],
    [1.7976931348623157e308, 3, '1.8e+308'],
    [9.995, 3, '9.99'], // 9.99499999… in binary
    [-2.25, 2, '-2.2'],
  ])('%%.%ig of %d', (x, prec, expected) => {
    expect(formatG(x, prec)).toBe(expected);
  });
});

const second = 1;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;
const week = 7 * day;
const month = 30 * day;
const year = 365 * day;

describe('go-units duration_test.go', () => {
  // TestHumanDuration
  it.each([
    [0.45, 'Less than a second'],
    [1 * second, '1 second'],
    [45 * second, '45 seconds'],
    [46 * second, '46 seconds'],
    [59 * second, '59 seconds'],
    [60 * second, 'About a minute'],
    [1 * minute, 'About a minute'],
    [3 * minute, '3 minutes'],
    [35 * minute, '35 minutes'],
    [35 * minute + 40 * second, '35 minutes'],
    [45 * minute, '45 minutes'],
    [45 * minute + 40 * second, '45 minutes'],
    [46 * minute, '46 minutes'],
    [59 * minute, '59 minutes'],
    [1 * hour, 'About an hour'],
    [1 * hour + 29 * minute, 'About an hour'],
    [1 * hour + 31 * minute, '2 hours'],
    [1 * hour + 59 * minute, '2 hours'],
    [3 * hour, '3 hours'],
    [3 * hour + 29 * minute, '3 hours'],
    [3 * hour + 31 * minute, '4 hours'],
    [3 * hour + 59 * minute, '4 hours'],
    [3 * hour + 60 * minute, '4 hours'],
    [24 * hour, '24 hours'],
    [1 * day + 12 * hour, '36 hours'],
    [2 * day, '2 days'],
    [7 * day, '7 days'],
    [13 * day + 5 * hour, '13 days'],
    [2 * week, '2 weeks'],
    [2 * week + 4 * day, '2 weeks'],
    [3 * week, '3 weeks'],
    [4 * week, '4 weeks'],
    [4 * week + 3 * day, '4 weeks'],
    [1 * month, '4 weeks'],
    [1 * month + 2 * week, '6 weeks'],
    [2 * month, '2 months'],
    [2 * month + 2 * week, '2 months'],
    [3 * month, '3 months'],
    [3 * month + 1 * week, '3 months'],
    [5 * month + 2 * week, '5 months'],
    [13 * month, '13 months'],
    [23 * month, '23 months'],
    [24 * month, '24 months'],
    [24 * month + 2 * week, '2 years'],
    [3 * year + 2 * month, '3 years'],
    // beyond upstream: negative durations (dates in the future)
    [-5, 'Less than a second'],
    [-3 * day, 'Less than a second'],
    [0.999, 'Less than a second'],
    [1.999, '1 second'],
  ])('HumanDuration(%ds) = %s', (seconds, expected) => {
    expect(humanDuration(seconds)).toBe(expected);
  });
});

describe('dates', () => {
  it.each([
    ['1970-01-01T00:00:00Z', 0],
    ['2000-01-01T00:00:00Z', 946684800],
    ['2024-02-29T12:34:56.999999999Z', 1709210096],
    ['2024-02-29T14:34:56+02:00', 1709210096],
    ['2024-02-29T07:04:56-05:30', 1709210096],
    ['0001-01-01T00:00:00Z', -62135596800],
    ['1969-12-31T23:59:59.5Z', -1],
    [undefined, undefined],
    ['', undefined],
    ['yesterday', undefined],
    ['2024-13-01T00:00:00Z', undefined],
  ])('parseUnixSeconds(%s) = %s', (s, expected) => {
    expect(parseUnixSeconds(s)).toBe(expected);
  });

  it.each([
    [0, 0, '1970-01-01T00:00:00Z'],
    [1709210096, 0, '2024-02-29T12:34:56Z'],
    [1709210096, 120, '2024-02-29T14:34:56+02:00'],
    [1709210096, -330, '2024-02-29T07:04:56-05:30'],
    [-62135596800, 0, '0001-01-01T00:00:00Z'],
    [1257894000, 0, '2009-11-10T23:00:00Z'], // formatter_history_test.go's longerAgo,
  ])('formatRfc3339(%d, %d) = %s', (unix, offset, expected) => {
    expect(formatRfc3339(unix, offset)).toBe(expected);
  });

  const now = new Date('2026-05-01T12:00:00.250Z');
  it.each<[string | undefined, 'history' | 'image', string]>([
    ['2026-05-01T11:59:59Z', 'history', '1 second ago'],
    ['2026-05-01T11:00:00Z', 'history', 'About an hour ago'],
    ['2026-04-24T12:00:00Z', 'history', '7 days ago'],
    ['2026-04-30T12:00:00Z', 'history', '24 hours ago'],
    ['2015-05-01T12:00:00Z', 'history', '11 years ago'],
    ['2000-01-01T00:00:01Z', 'history', '26 years ago'],
    // history: the zero time, a missing date and anything up to 2000-01-01 print N/A
    ['2000-01-01T00:00:00Z', 'history', 'N/A'],
    ['1980-11-10T10:23:00Z', 'history', 'N/A'],
    ['1970-01-01T00:00:00Z', 'history', 'N/A'],
    ['0001-01-01T00:00:00Z', 'history', 'N/A'],
    [undefined, 'history', 'N/A'],
    // a date in the future
    ['2027-01-01T00:00:00Z', 'history', 'Less than a second ago'],
    ['2027-01-01T00:00:00Z', 'image', 'Less than a second ago'],
    // image ls: only Go's zero time is N/A; a missing date is reported as 0 by the daemon
    ['0001-01-01T00:00:00Z', 'image', 'N/A'],
    ['1970-01-01T00:00:00Z', 'image', '56 years ago'],
    [undefined, 'image', '56 years ago'],
    ['1980-11-10T10:23:00Z', 'image', '45 years ago'],
    ['2026-03-01T12:00:00Z', 'image', '2 months ago'],
  ])('timeAgo(%s, %s) = %s', (created, column, expected) => {
    expect(timeAgo(created, now, column)).toBe(expected);
  });

  it('defaults to the history column', () => {
    expect(timeAgo(undefined, now)).toBe('N/A');
    expect(createdSince(0, now)).toBe('N/A');
  });
});

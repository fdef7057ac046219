import { describe, it, expect, afterEach } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { PyDateTime, PyDate, formatDatetime, parseDatetime, setNowForTesting, strToDatetime, compileStrptime } from '../../engine/interpolation/datetime.js';
import { PyDuration } from '../../engine/interpolation/duration.js';
import { ManifoldError } from '../../engine/errors/manifold-error.js';

interface Case {
  id: string;
  input: Record<string, unknown> & { op: string };
  expected: unknown;
}
const cases = JSON.parse(readFileSync(new URL('../airbyte-cases/datetime-formats.json', import.meta.url), 'utf8')) as Case[];

describe('Airbyte DatetimeParser cases', () => {
  const mine = cases.filter((c) => c.input.op === 'datetime_parse' || c.input.op === 'datetime_format');
  it('covers the parser/formatter cases', () => expect(mine.length).toBe(15));
  it.each(mine.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    if (c.input.op === 'datetime_parse') {
      expect(parseDatetime(c.input.value as string, c.input.format as string).isoformat()).toBe(c.expected);
    } else {
      expect(formatDatetime(strToDatetime(c.input.value as string), c.input.format as string)).toBe(c.expected);
    }
  });
});

describe('strptime', () => {
  it('parses common manifest formats', () => {
    expect(parseDatetime('2023-05-10T14:31:27Z', '%Y-%m-%dT%H:%M:%SZ').isoformat()).toBe('2023-05-10T14:31:27+00:00');
    expect(parseDatetime('2023-05-10T14:31:27.5+00:00', '%Y-%m-%dT%H:%M:%S.%f%z').microsecond).toBe(500000);
    expect(parseDatetime('2023-05-10T14:31:27Z', '%Y-%m-%dT%H:%M:%S%z').isoformat()).toBe('2023-05-10T14:31:27+00:00');
    expect(parseDatetime('Wed, 10 May 2023 02:31:27 PM', '%a, %d %B %Y %I:%M:%S %p').isoformat()).toBe('2023-05-10T14:31:27+00:00');
    expect(parseDatetime(1683729087, '%s').isoformat()).toBe('2023-05-10T14:31:27+00:00');
    expect(parseDatetime('1683729087123', '%ms').isoformat()).toBe('2023-05-10T14:31:27.123000+00:00');
  });
  it('rejects mismatches and trailing data with a ManifoldError', () => {
    expect(() => parseDatetime('2023-05-10T14:31:27', '%Y-%m-%d')).toThrow(ManifoldError);
    expect(() => parseDatetime('2023-02-30', '%Y-%m-%d')).toThrow(ManifoldError);
    expect(() => parseDatetime('abc', '%s')).toThrow(ManifoldError);
  });
  it('compiles each format once', () => {
    expect(compileStrptime('%Y/%m/%d')).toBe(compileStrptime('%Y/%m/%d'));
  });
});

describe('strftime and isoformat', () => {
  const dt = PyDateTime.fromWall(2021, 3, 7, 5, 4, 3, 21, 330);
  it('formats wall-clock fields at the offset', () => {
    expect(dt.isoformat()).toBe('2021-03-07T05:04:03.000021+05:30');
    expect(dt.strftime('%Y-%m-%d %H:%M:%S.%f %z %a %A %b %B %j %y %p %I %-d %-m %e %%')).toBe(
      '2021-03-07 05:04:03.000021 +0530 Sun Sunday Mar March 066 21 AM 05 7 3  7 %',
    );
    expect(String(dt)).toBe('2021-03-07 05:04:03.000021+05:30');
    expect(dt.timestamp()).toBeCloseTo(Date.UTC(2021, 2, 6, 23, 34, 3) / 1000 + 0.000021, 6);
  });
  it('special formats', () => {
    const t = strToDatetime('2021-01-01T00:00:00Z');
    expect(formatDatetime(t, '%s')).toBe('1609459200');
    expect(formatDatetime(t, '%s_as_float')).toBe('1609459200.0');
    expect(formatDatetime(t, '%ms')).toBe('1609459200000');
  });
});

describe('isoparse', () => {
  it.each([
    ['2022-01-14', '2022-01-14T00:00:00+00:00'],
    ['2022-01-01 13:45:30', '2022-01-01T13:45:30+00:00'],
    ['2022-01-01T13:45:30+05:30', '2022-01-01T08:15:30+00:00'],
    ['2022-01-01T13:45:30.123456789Z', '2022-01-01T13:45:30.123456+00:00'],
    ['20220114T0102', '2022-01-14T01:02:00+00:00'],
    ['2022-01', '2022-01-01T00:00:00+00:00'],
    ['2022-01-01T24:00:00', '2022-01-02T00:00:00+00:00'],
  ])('%s', (input, expected) => expect(strToDatetime(input).isoformat()).toBe(expected));
  it('rejects garbage', () => expect(() => strToDatetime('invalid-date')).toThrow(ManifoldError));
});

describe('durations and arithmetic', () => {
  it('parses and formats ISO durations', () => {
    expect(PyDuration.parse('P1D').isoformat()).toBe('P1D');
    expect(PyDuration.parse('PT0.000001S').micros).toBe(1);
    expect(PyDuration.parse('P1W').isoformat()).toBe('P7D');
    expect(PyDuration.parse('P1Y2M').months).toBe(14);
    expect(String(PyDuration.parse('P6DT23H'))).toBe('6 days, 23:00:00');
    expect(() => PyDuration.parse('1 day')).toThrow(ManifoldError);
  });
  it('month arithmetic clamps to the end of month (isodate)', () => {
    expect(strToDatetime('2023-01-31').plus(PyDuration.parse('P1M')).isoformat()).toBe('2023-02-28T00:00:00+00:00');
    expect(strToDatetime('2024-03-31').minus(PyDuration.parse('P1M')).isoformat()).toBe('2024-02-29T00:00:00+00:00');
    expect(strToDatetime('2024-01-15T10:00:00Z').plus(PyDuration.parse('P1Y')).isoformat()).toBe('2025-01-15T10:00:00+00:00');
  });
  it('dates move by whole days', () => {
    const d = new PyDate(2024, 2, 28);
    expect(d.plus(PyDuration.parse('P1DT5H')).isoformat()).toBe('2024-02-29');
    expect(d.strftime('%Y%m%d %z')).toBe('20240228 ');
  });
});

describe('now', () => {
  afterEach(() => setNowForTesting(undefined));
  it('honours setNowForTesting', () => {
    setNowForTesting(new Date('2022-01-01T00:00:00Z'));
    expect(PyDateTime.now().isoformat()).toBe('2022-01-01T00:00:00+00:00');
    expect(PyDate.today().isoformat()).toBe('2022-01-01');
  });
});

/**
 * The app against genuine Docker (issue 18): a `docker save` archive of Docker 20.10
 * (tests/fixtures/docker/legacy) opened in the browser; the Images and History tables must hold
 * the cells Docker printed for it (tests/fixtures/docker/legacy/out/), the relative CREATED cells
 * aside (the app's clock is the test's). The browser runs in Asia/Shanghai: `--human=false`
 * dates follow the browser's zone, as Docker's follow the machine's `TZ`.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitState } from './helpers';

test.use({ timezoneId: 'Asia/Shanghai' });

const DIR = join(import.meta.dirname, '../fixtures/docker/legacy');
const out = (f: string) => readFileSync(join(DIR, 'out', f), 'utf8');

/**
 * Docker's table as cells, cut at the columns' starts in the header (the 20.10 client pads by
 * rune count, so positions are counted in code points).
 */
function dockerCells(text: string): string[][] {
  const [header, ...lines] = text
    .trimEnd()
    .split('\n')
    .map((l) => Array.from(l));
  const starts = header!
    .map((ch, i) => (ch !== ' ' && (i === 0 || header![i - 1] === ' ') ? i : -1))
    .filter((i) => i >= 0);
  // Headers with a space inside ("IMAGE ID", "CREATED AT", "CREATED BY") start one column.
  const cols = starts.filter((i) => i === 0 || header!.slice(i - 2, i).join('') === '  ');
  return lines.map((l) =>
    cols.map((c, k) =>
      l
        .slice(c, cols[k + 1])
        .join('')
        .trim(),
    ),
  );
}

async function tableCells(page: Page, testid: string, columns: number): Promise<string[][]> {
  return page
    .getByTestId(testid)
    .locator('tbody tr')
    .evaluateAll(
      (rows, n) =>
        rows.map((r) =>
          [...r.querySelectorAll('td')].slice(0, n).map((td) => td.textContent!.trim()),
        ),
      columns,
    );
}

/** All but the CREATED column (index 3 of image ls). */
const withoutCreated = (rows: string[][]) => rows.map((r) => r.filter((_, i) => i !== 3));

test('legacy.tar: image ls, ls -a and history --human=false as Docker printed them', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(join(DIR, 'legacy.tar'));
  await waitState(page, 'ready');

  // docker image ls: newest first, the intermediate image hidden, the dangling one listed.
  await expect(page.getByTestId('image-ls').locator('tbody tr')).toHaveCount(
    dockerCells(out('image-ls.txt')).length,
  );
  expect(withoutCreated(await tableCells(page, 'image-ls', 5))).toEqual(
    withoutCreated(dockerCells(out('image-ls.txt'))),
  );
  const notes = page.getByTestId('untagged-notes');
  await expect(notes).toContainText('1 intermediate image');
  await expect(notes).toContainText('dangling');

  // docker image ls -a. (Docker's own order of images created in the same second is random:
  // compared as sets here, and in order by tests/unit/docker-genuine.test.ts.)
  await page.getByTestId('image-ls-all').check();
  await expect(page.getByTestId('image-ls').locator('tbody tr')).toHaveCount(
    dockerCells(out('image-ls-a.txt')).length,
  );
  const sorted = (rows: string[][]) => withoutCreated(rows).map(String).sort();
  expect(sorted(await tableCells(page, 'image-ls', 5))).toEqual(
    sorted(dockerCells(out('image-ls-a.txt'))),
  );
  await expect(notes).toContainText('intermediate image: it has no tag but is the parent of');

  // docker image history --human=false ls-app:1, in the browser's zone.
  const app = JSON.parse(out('inspect-3.json'))[0].Id as string;
  await page.locator(`[data-image-id="${app}"]`).first().getByRole('button').first().click();
  await page.getByTestId('view-history').click();
  await page.getByTestId('human-false').check();
  await expect(page.getByTestId('history-zone')).toContainText('Asia/Shanghai');
  const docker = dockerCells(out('history-3-human-false-shanghai.txt')).map((r) => r.slice(0, 4));
  const ours = (await tableCells(page, 'history-table', 4)).map((r) => r.slice(0, 4));
  expect(ours).toEqual(docker);
});

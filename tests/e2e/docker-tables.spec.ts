/**
 * The app and the CLI print the same `docker image ls` and `docker image history` (issue 17):
 * every bundled image archive is opened in the app in Chromium and given to the CLI in Node,
 * and the cells the views show are compared, cell by cell, with the cells of the CLI's text.
 *
 * The CLI's table is cut into cells at the header's column starts: Docker's tabwriter pads every
 * column to its widest cell plus three spaces, so a column starts at the same offset on every
 * line (the samples' names and commands are ASCII, one column per character). The last column
 * runs to the end of its line. Trailing spaces are dropped on both sides: a cell that ends in one
 * (`COPY … in / `) cannot be told from its padding in the text.
 */
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { run } from '../../src/cli/main';
import { SAMPLES_DIR, expected, samples, waitState } from './helpers';

async function cli(argv: string[], now: Date): Promise<string> {
  let out = '';
  let err = '';
  const code = await run(
    argv,
    { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } },
    { now },
  );
  expect(err).toBe('');
  expect(code).toBe(0);
  return out;
}

/** The cells of a tabwriter table: a row per line, cut at the header's column starts. */
function cells(text: string, headers: string[]): string[][] {
  const [head, ...lines] = text.trimEnd().split('\n');
  const starts = headers.map((h) => head!.indexOf(h));
  expect(starts.every((s, i) => s >= 0 && (i === 0 || s > starts[i - 1]!))).toBe(true);
  return lines.map((line) =>
    starts.map((s, i) =>
      line.slice(s, i + 1 < starts.length ? starts[i + 1] : undefined).trimEnd(),
    ),
  );
}

/** The first `n` cells of each body row of a table in the page. */
async function viewCells(page: Page, testid: string, n: number): Promise<string[][]> {
  return page
    .getByTestId(testid)
    .locator('tbody tr')
    .evaluateAll(
      (rows, n) =>
        rows.map((r) =>
          [...r.querySelectorAll('td')].slice(0, n).map((td) => td.textContent!.trimEnd()),
        ),
      n,
    );
}

async function headers(page: Page, testid: string, n: number): Promise<string[]> {
  return (await page.getByTestId(testid).locator('thead th').allTextContents())
    .slice(0, n)
    .map((h) => h.trim());
}

for (const sample of samples().filter((s) => expected(s).kind !== 'not-an-image')) {
  test(`${sample.id}: the views' ls and history cells are the CLI's`, async ({ page }) => {
    const file = join(SAMPLES_DIR, sample.file);
    await page.goto('/');
    await page.locator(`[data-sample="${sample.id}"]`).click();
    await waitState(page, 'ready');
    // Every size is known once indexing is over; both sides count from the same instant (to the
    // minute, which is all a relative time of these images shows).
    const now = new Date();

    const lsHead = await headers(page, 'image-ls', 5);
    expect(lsHead).toEqual(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE']);
    const lsView = await viewCells(page, 'image-ls', lsHead.length);
    const lsCli = cells(await cli(['ls', file], now), lsHead);
    expect(lsView.length).toBeGreaterThan(0);
    expect(lsView).toEqual(lsCli);

    const images = expected(sample).images!.length;
    for (let i = 0; i < images; i++) {
      if (images > 1) await page.getByTestId('image-select').selectOption(String(i));
      await page.getByTestId('view-history').click();
      await expect(page.getByTestId('history-view')).toBeVisible();
      for (const noTrunc of [false, true]) {
        await page.getByTestId('no-trunc').setChecked(noTrunc);
        const head = await headers(page, 'history-table', 5);
        expect(head).toEqual(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT']);
        const view = await viewCells(page, 'history-table', head.length);
        const argv = ['history', file, '--image', String(i), ...(noTrunc ? ['--no-trunc'] : [])];
        const text = await cli(argv, now);
        // --no-trunc's CREATED BY can hold newlines (a heredoc RUN): compare those rows whole.
        if (view.some((r) => r.some((c) => c.includes('\n')))) {
          expect(text).toContain(view[0]![2]!);
          continue;
        }
        expect(view.length).toBeGreaterThan(0);
        expect(view, `${sample.id} image ${i} history${noTrunc ? ' --no-trunc' : ''}`).toEqual(
          cells(text, head),
        );
      }
    }
  });
}

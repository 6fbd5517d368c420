/**
 * Lessons (issue 6) in real Chromium: every step of every lesson, in English and in Chinese,
 * finds its target on the real views; questions give feedback; a step's URL restores that step;
 * progress survives a reload; and after one visit a lesson runs with the network off.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { shot } from './helpers';

interface Step {
  id: string;
  title: string;
  text: string;
  target: string;
  action: { view: string; container?: string };
  question?: { choices: string[]; answer: number; predict?: boolean };
}
interface Lesson {
  id: string;
  order: number;
  title: string;
  steps: Step[];
}

const ROOT = resolve(import.meta.dirname, '../..');
const LESSONS_DIR = join(ROOT, 'src/lib/content/lessons');
const LANGS = ['en', 'zh'] as const;
/** The container view (issue 5): container steps need it. */
const HAS_CONTAINER_VIEW = existsSync(join(ROOT, 'src/lib/features/container'));
/** The slowest step opens the 30 MB debian sample and builds its overlay. */
const STEP_TIMEOUT_MS = 45_000;

function lessons(lang: (typeof LANGS)[number]): Lesson[] {
  return readdirSync(LESSONS_DIR)
    .filter((d) => statSync(join(LESSONS_DIR, d)).isDirectory())
    .map((d) => JSON.parse(readFileSync(join(LESSONS_DIR, d, `${lang}.json`), 'utf8')) as Lesson)
    .sort((a, b) => a.order - b.order);
}

/** The plain text of lesson markup (what the panel shows). */
const plain = (s: string) =>
  s
    .replace(/\*\*|`/g, '')
    .replace(/\s+/g, ' ')
    .trim();

const needsContainer = (s: Step) => !!s.action.container || s.action.view === 'container';

/** The CSS selector of a target (same escaping as the runner, CSS.escape for a quoted value). */
const targetSel = (t: string) => `[data-lesson-target="${t.replace(/["\\]/g, '\\$&')}"]`;

async function expectTarget(page: Page, step: Step) {
  const panel = page.getByTestId('lesson-panel');
  await expect(panel, `${step.id}: ${step.target} found`).toHaveAttribute(
    'data-target-state',
    'found',
    { timeout: STEP_TIMEOUT_MS },
  );
  await expect(panel).toHaveAttribute('data-target', step.target);
  const target = page.locator(targetSel(step.target)).filter({ visible: true }).first();
  await expect(target, `${step.id}: ${step.target} visible`).toBeVisible();
  // The runner's highlight rule is on the page, for this target.
  await expect(page.locator(`style[data-lesson-highlight="${step.target}"]`)).toHaveCount(1);
}

async function answer(page: Page, step: Step, pick: 'right' | 'wrong') {
  const q = step.question!;
  const i = pick === 'right' ? q.answer : (q.answer + 1) % q.choices.length;
  await page.getByTestId('lesson-choice').nth(i).click();
  const feedback = page.getByTestId('lesson-feedback');
  await expect(feedback).toBeVisible();
  await expect(feedback).toHaveAttribute('data-correct', String(pick === 'right'));
}

/** Walks a lesson from its first step to Finish, checking every step. */
async function walk(page: Page, lesson: Lesson, lang: string) {
  const panel = page.getByTestId('lesson-panel');
  for (const [i, step] of lesson.steps.entries()) {
    await test.step(`${lang} ${lesson.id} ${i + 1}/${lesson.steps.length} ${step.id}`, async () => {
      await expect(panel).toHaveAttribute('data-step', String(i + 1));
      await expect(page.getByTestId('lesson-step')).toHaveAttribute('data-step-id', step.id);
      await expect(page.getByTestId('lesson-step').locator('h3')).toHaveText(plain(step.title));
      await expect(page.getByTestId('lesson-progress')).toContainText(String(lesson.steps.length));
      await expect(page).toHaveURL(new RegExp(`lesson=${lesson.id}&step=${i + 1}(&|$)`));
      const q = step.question;
      // Alternate right and wrong answers, so both kinds of feedback are seen.
      const pick = (i + lesson.order) % 2 === 0 ? 'right' : 'wrong';
      if (q?.predict) {
        // Asked before the action: nothing is highlighted until the answer reveals it.
        await expect(panel).toHaveAttribute('data-target-state', 'predict');
        await answer(page, step, pick);
      }
      await expectTarget(page, step);
      if (q && !q.predict) await answer(page, step, pick);
    });
    if (i < lesson.steps.length - 1) {
      // Both ways to step on: the arrow key (focus is not in a text field) and the button.
      if (i % 2 === 0) {
        await page.getByTestId('lesson-progress').click();
        await page.keyboard.press('ArrowRight');
      } else await page.getByTestId('lesson-next').click();
    }
  }
  await page.getByTestId('lesson-finish').click();
  await expect(page.getByTestId('lesson-index')).toBeVisible();
  await expect(page.locator(`[data-lesson-id="${lesson.id}"]`)).toHaveAttribute(
    'data-completed',
    'true',
  );
}

for (const lang of LANGS) {
  test.describe(`every lesson, ${lang}`, () => {
    // The language follows the browser's.
    test.use({ locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
    for (const lesson of lessons(lang)) {
      const container = lesson.steps.some(needsContainer);
      test(`${lesson.order}. ${lesson.id}: every step finds its target`, async ({ page }) => {
        test.setTimeout(240_000);
        // Only lessons with container steps depend on the container view (issue 5).
        test.fixme(
          container && !HAS_CONTAINER_VIEW,
          'container steps need src/lib/features/container (issue 5)',
        );
        await page.goto(`/#lesson=${lesson.id}&step=1`);
        await expect(page.locator('html')).toHaveAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');
        await expect(page.getByTestId('lesson-panel').locator('.ltitle')).toHaveText(
          plain(lesson.title),
        );
        await walk(page, lesson, lang);
      });
    }
  });
}

test('the language switch changes the lesson shown', async ({ page }) => {
  const [en, zh] = [lessons('en')[0]!, lessons('zh')[0]!];
  await page.goto(`/#lesson=${en.id}&step=2`);
  const title = page.getByTestId('lesson-step').locator('h3');
  await expect(title).toHaveText(plain(en.steps[1]!.title));
  await page.getByTestId('lang').click();
  await expect(title).toHaveText(plain(zh.steps[1]!.title));
  await expect(page.getByTestId('lesson-next')).toHaveText(/下一步/);
  await expect(page.getByTestId('lesson-panel')).toHaveAttribute('data-step', '2');
});

test('a step URL restores that step and the view it drives; a step id works too', async ({
  page,
}) => {
  const lesson = lessons('en').find((l) => l.id === 'deleting-does-not-shrink')!;
  await page.goto(`/#lesson=${lesson.id}&step=4`);
  await expectTarget(page, lesson.steps[3]!);
  const url = new URL(page.url());
  expect(url.hash).toContain('sample=busybox-app');
  expect(url.hash).toContain('view=files');
  expect(url.hash).toContain('layer=8');
  expect(url.hash).toContain('path=app%2Fcache');
  await expect(page.getByTestId('file-details')).toHaveAttribute('data-path', 'app/cache');

  // The link a teacher copies: opened in a fresh page, the same step.
  await page.getByTestId('lesson-next').click();
  await expectTarget(page, lesson.steps[4]!);
  const link = page.url();
  expect(link).toContain('step=5');
  const other = await page.context().newPage();
  await other.goto(link);
  await expect(other.getByTestId('lesson-panel')).toHaveAttribute('data-step', '5');
  await expectTarget(other, lesson.steps[4]!);
  await expect(other.getByTestId('layer-detail')).toHaveAttribute('data-layer', '5');
  await other.close();

  // A hash change in an open tab follows too, by step id.
  await page.evaluate(() => (location.hash = '#lesson=deleting-does-not-shrink&step=whiteout'));
  await expect(page.getByTestId('lesson-panel')).toHaveAttribute('data-step', '3');
  await expectTarget(page, lesson.steps[2]!);

  // Arrow keys stay with a text field that has the focus; elsewhere they step.
  await page.getByTestId('files-filter').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('lesson-panel')).toHaveAttribute('data-step', '3');
  await page.getByTestId('lesson-progress').click();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('lesson-panel')).toHaveAttribute('data-step', '2');
  // A predict step shows the step before until it is answered.
  await expect(page.getByTestId('lesson-panel')).toHaveAttribute('data-target-state', 'predict');
  await expect(page).toHaveURL(/step=2&sample=busybox-app&view=layers&layer=5/);
});

test('a step types its reference into the Names view; the learner types on from there', async ({
  page,
}) => {
  const lesson = lessons('en').find((l) => l.id === 'names-tags-digests')!;
  const input = page.getByTestId('ref-input');
  const part = (name: string) => page.getByTestId('ref-parts').locator(`[data-part="${name}"]`);
  await page.goto(`/#lesson=${lesson.id}&step=registries`);
  await expectTarget(page, lesson.steps[4]!);
  await expect(input).toHaveValue('localhost:5000/team/app:v2');
  await expect(part('registry')).toHaveText('localhost:5000');
  await input.fill('nginx:1.27');
  await expect(part('registry')).toHaveText('docker.io');
  await expect(part('tag')).toHaveText('1.27');

  // A predict step shows the step before, with its reference; the answer types the step's own.
  await page.evaluate(() => (location.hash = '#lesson=names-tags-digests&step=latest'));
  await expect(page.getByTestId('lesson-panel')).toHaveAttribute('data-target-state', 'predict');
  await expect(input).toHaveValue('redis');
  await page.getByTestId('lesson-choice').first().click();
  await expectTarget(page, lesson.steps[2]!);
  await expect(input).toHaveValue('alpine:3.12');
  await expect(part('tag')).toHaveText('3.12');
});

test('progress is kept: the index offers to resume, and marks completed lessons', async ({
  page,
}) => {
  const lesson = lessons('en')[0]!;
  await page.goto('/');
  await page.getByTestId('lessons-toggle').click();
  await expect(page.getByTestId('lesson-index')).toBeVisible();
  await expect(page).toHaveURL(/#.*lessons/);
  await page.locator(`[data-lesson-id="${lesson.id}"]`).click();
  await expect(page.getByTestId('lesson-panel')).toHaveAttribute('data-step', '1');
  await page.getByTestId('lesson-next').click();
  await page.getByTestId('lesson-next').click();
  await expect(page.getByTestId('lesson-panel')).toHaveAttribute('data-step', '3');

  await page.goto('/');
  await page.reload();
  await page.getByTestId('lessons-toggle').click();
  const entry = page.locator(`[data-lesson-id="${lesson.id}"]`);
  await expect(entry).toContainText(`step 3 of ${lesson.steps.length}`);
  await entry.click();
  await expect(page.getByTestId('lesson-panel')).toHaveAttribute('data-step', '3');
});

test('step text is rendered as text: <missing> shows literally', async ({ page }) => {
  const lesson = lessons('en').find((l) => l.id === 'reading-ls-history-inspect')!;
  const at = lesson.steps.findIndex((s) => s.text.includes('<missing>'));
  expect(at).toBeGreaterThanOrEqual(0);
  await page.goto(`/#lesson=${lesson.id}&step=${at + 1}`);
  await expect(page.getByTestId('lesson-step')).toContainText('<missing>');
  await expect(page.getByTestId('lesson-step').locator('missing')).toHaveCount(0);
});

test('presenter mode: large type, high contrast, the lesson beside the view; screenshots', async ({
  page,
}) => {
  const lesson = lessons('en').find((l) => l.id === 'deleting-does-not-shrink')!;
  await page.goto(`/#lesson=${lesson.id}&step=2`);
  await page.getByTestId('lesson-choice').nth(1).click();
  await expectTarget(page, lesson.steps[1]!);
  await shot(page, 'lesson-panel');
  const axe = await new AxeBuilder({ page }).include('[data-testid=lesson-panel]').analyze();
  const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual(
    [],
  );

  await page.getByTestId('present').click();
  await expect(page.locator('html')).toHaveAttribute('data-present', '');
  await expect(page).toHaveURL(/present/);
  const size = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  expect(size).toBeGreaterThanOrEqual(18);
  // Beside, not over, the view: the view ends where the panel starts.
  const panel = (await page.getByTestId('lesson-panel').boundingBox())!;
  const view = (await page.locator('main.view').boundingBox())!;
  expect(view.x + view.width).toBeLessThanOrEqual(panel.x + 1);
  expect(panel.x + panel.width).toBeLessThanOrEqual(1280);
  await page.getByTestId('lesson-next').click();
  await expectTarget(page, lesson.steps[2]!);
  await shot(page, 'lesson-presenter');

  await page.goto(`/#lesson=layers-and-immutability&step=5&present`);
  await page.getByTestId('lang').click();
  await expect(page.getByTestId('lesson-panel')).toHaveAttribute('data-target-state', 'predict');
  await page.getByTestId('lesson-choice').nth(0).click();
  await expect(page.getByTestId('lesson-feedback')).toBeVisible();
  await expect(page.getByTestId('lesson-panel')).toHaveAttribute('data-target-state', 'found');
  await shot(page, 'lesson-presenter-zh');
  await page.getByTestId('present').click();
  await expect(page.locator('html')).not.toHaveAttribute('data-present', '');
  await page.goto('/#lessons');
  await expect(page.getByTestId('lesson-index')).toBeVisible();
  await shot(page, 'lesson-index-zh');
});

test.describe('offline', () => {
  test.use({ serviceWorkers: 'allow' });
  test('after one visit, a lesson runs with the network off', async ({ page, context }) => {
    test.setTimeout(180_000);
    await page.goto('/');
    // The service worker is active once it has precached the app shell and the samples.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await expect.poll(() => context.serviceWorkers().length).toBeGreaterThan(0);
    await context.setOffline(true);
    await page.reload();
    await expect(page.getByTestId('lessons-toggle')).toBeVisible();
    const lesson = lessons('en').find((l) => l.id === 'what-is-an-image')!;
    await page.goto(`/#lesson=${lesson.id}&step=1`);
    await walk(page, lesson, 'en');
    // And one step of another lesson opens a sample that was never opened online.
    const other = lessons('en').find((l) => l.id === 'base-parent-shared')!;
    await page.goto(`/#lesson=${other.id}&step=3`);
    await expectTarget(page, other.steps[2]!);
    await context.setOffline(false);
  });
});

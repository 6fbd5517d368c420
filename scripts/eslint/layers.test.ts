/**
 * The layer rule (scripts/eslint/layers.js) through ESLint's own API and the project's real
 * eslint.config.js: in-memory snippets linted as if they were files under src/. The imports they
 * name are real files, so resolution is checked as well.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT, overrideConfigFile: join(ROOT, 'eslint.config.js') });
});

/** The layer rule's messages for `code` linted as `filePath`. */
async function layerErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const fatal = result!.messages.filter((m) => m.fatal);
  expect(fatal).toStrictEqual([]);
  return result!.messages.filter((m) => m.ruleId === 'layerscope/layers').map((m) => m.message);
}

describe('layerscope/layers', () => {
  it('rejects an upward import in the core and lets a downward one pass', async () => {
    const up = await layerErrors(
      "import { openArchive } from '../archive/open';\nvoid openArchive;\n",
      'src/lib/core/tar/x.ts',
    );
    expect(up).toHaveLength(1);
    expect(up[0]).toContain('core/tar may not import core/archive');

    const down = await layerErrors(
      "import { ArchiveError } from '../model/errors';\nvoid ArchiveError;\n",
      'src/lib/core/tar/x.ts',
    );
    expect(down).toStrictEqual([]);

    const sideways = await layerErrors(
      "import { parseReference } from '../reference/reference';\nvoid parseReference;\n",
      'src/lib/core/format/x.ts',
    );
    expect(sideways[0]).toContain('core/format may not import core/reference');
  });

  it('checks `export … from`, dynamic import() and import() types', async () => {
    const errors = await layerErrors(
      [
        "export { LIMITS } from '../model/limits';",
        "export * from '../save/save';",
        "export const later = () => import('../container');",
        "export type Tab = import('../../state/route').ViewId;",
        '',
      ].join('\n'),
      'src/lib/core/overlay/x.ts',
    );
    expect(errors).toHaveLength(3);
    expect(errors[0]).toContain('may not import core/save');
    expect(errors[1]).toContain('may not import core/container');
    expect(errors[2]).toContain('may not import lib/state');
  });

  it('checks the script of a .svelte file', async () => {
    const svelte = (spec: string) =>
      `<script lang="ts">\n  import * as m from '${spec}';\n  void m;\n</script>\n`;
    const up = await layerErrors(svelte('../state/route'), 'src/lib/ui/JsonView.svelte');
    expect(up).toHaveLength(1);
    expect(up[0]).toContain('lib/ui may not import lib/state');
    expect(await layerErrors(svelte('../i18n'), 'src/lib/ui/JsonView.svelte')).toStrictEqual([]);
    const noWorker = await layerErrors(
      svelte('../../workers/protocol'),
      'src/lib/features/open/ErrorPanel.svelte',
    );
    expect(noWorker[0]).toContain('lib/features may not import lib/workers');
  });

  it('lets the app layers import downward and the shell import anything', async () => {
    const code = (spec: string) => `import * as m from '${spec}';\nvoid m;\n`;
    expect(await layerErrors(code('../lib/core/archive/open'), 'src/cli/x.ts')).toStrictEqual([]);
    expect((await layerErrors(code('../lib/state/route'), 'src/cli/x.ts'))[0]).toContain(
      'cli may not import lib/state',
    );
    expect(await layerErrors(code('../persistence/recent'), 'src/lib/state/x.ts')).toStrictEqual(
      [],
    );
    expect((await layerErrors(code('../ui/format'), 'src/lib/state/x.ts'))[0]).toContain(
      'lib/state may not import lib/ui',
    );
    expect((await layerErrors(code('../core/model/ids'), 'src/lib/i18n/x.ts'))[0]).toContain(
      'lib/i18n may not import core/model',
    );
    expect(await layerErrors(code('./lib/persistence/recent'), 'src/x.ts')).toStrictEqual([]);
  });

  it('refuses unknown folders, unresolvable and computed imports, and product code importing tests', async () => {
    const unknownFrom = await layerErrors('export {};\n', 'src/lib/gadgets/x.ts');
    expect(unknownFrom[0]).toContain('src/lib/gadgets/x.ts is in no layer');

    const outside = await layerErrors(
      "export * from '../../../../scripts/chromium.mjs';\n",
      'src/lib/core/tar/x.ts',
    );
    expect(outside[0]).toContain('lands in scripts/chromium.mjs, which is in no layer');

    const missing = await layerErrors("export * from './nope';\n", 'src/lib/core/tar/x.ts');
    expect(missing[0]).toContain('./nope resolves to no file');

    const computed = await layerErrors(
      'export const load = (name: string) => import(`./${name}`);\n',
      'src/lib/core/tar/x.ts',
    );
    expect(computed[0]).toContain('computed path');

    const helper = await layerErrors(
      "export * from './entries.test-helpers';\n",
      'src/lib/core/overlay/x.ts',
    );
    expect(helper[0]).toContain('may not import a test file');
  });

  it('exempts test files from the floors, not from resolving', async () => {
    const code = "import { openArchive } from '../archive/open';\nvoid openArchive;\n";
    expect(await layerErrors(code, 'src/lib/core/tar/x.test.ts')).toStrictEqual([]);
    expect(await layerErrors(code, 'src/lib/core/tar/x.test-helpers.ts')).toStrictEqual([]);
    const missing = await layerErrors("export * from './nope';\n", 'src/lib/core/tar/x.test.ts');
    expect(missing[0]).toContain('resolves to no file');
  });

  it('has a row for every folder of src/lib and src/lib/core today', async () => {
    const dirs = (at: string) =>
      readdirSync(join(ROOT, at), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => `${at}/${d.name}`);
    const folders = [
      ...dirs('src/lib/core'),
      ...dirs('src/lib').filter((d) => d !== 'src/lib/core'),
      'src/cli',
    ];
    expect(folders.length).toBeGreaterThan(15);
    for (const folder of folders)
      expect(await layerErrors('export {};\n', `${folder}/x.ts`), folder).toStrictEqual([]);
  });
});

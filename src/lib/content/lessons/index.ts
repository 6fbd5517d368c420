/**
 * All lessons, loaded at build time from `./<id>/<lang>.json` (Vite's import.meta.glob). A file
 * that fails `validateLesson`, or whose id or lang disagrees with its folder or file name, is left
 * out and reported in `lessonProblems`; the tests require that list to be empty.
 */
import { LANGS, compareLessons, validateLesson, type Lang, type Lesson } from './schema';

export * from './schema';
export { parseMarkup, plainText, type Paragraph, type Span } from './markup';

const modules = import.meta.glob('./*/*.json', { eager: true, import: 'default' }) as Record<
  string,
  unknown
>;

export interface LessonFile {
  /** The glob key, e.g. `./image-layers/en.json`. */
  file: string;
  folder: string;
  lang: string;
  json: unknown;
}

/** Every lesson file found, valid or not. */
export const lessonFiles: LessonFile[] = Object.entries(modules)
  .map(([file, json]) => {
    const [, folder = '', name = ''] = /^\.\/([^/]+)\/([^/]+)\.json$/.exec(file) ?? [];
    return { file, folder, lang: name, json };
  })
  .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));

/** Problems found while loading, one string each, prefixed with the file. */
export const lessonProblems: string[] = [];

const byId = new Map<string, Partial<Record<Lang, Lesson>>>();
for (const f of lessonFiles) {
  const problems = validateLesson(f.json);
  const l = f.json as Lesson;
  if (problems.length === 0) {
    if (l.id !== f.folder) problems.push(`id "${l.id}" differs from its folder "${f.folder}"`);
    if (l.lang !== f.lang) problems.push(`lang "${l.lang}" differs from its file name`);
  }
  if (problems.length) {
    for (const p of problems) lessonProblems.push(`${f.file}: ${p}`);
    continue;
  }
  const entry = byId.get(l.id) ?? {};
  entry[l.lang] = l;
  byId.set(l.id, entry);
}
for (const [id, langs] of byId) {
  for (const lang of LANGS) if (!langs[lang]) lessonProblems.push(`./${id}: no valid ${lang}.json`);
  if (langs.en && langs.zh) lessonProblems.push(...compareLessons(langs.en, langs.zh));
}

/** The lesson ids in course order (lessons present in every language only). */
export const lessonIds: string[] = [...byId.entries()]
  .filter(([, langs]) => LANGS.every((l) => langs[l]))
  .sort(([, a], [, b]) => a.en!.order - b.en!.order)
  .map(([id]) => id);

/** All lessons in one language, in course order. */
export function lessonsIn(lang: Lang): Lesson[] {
  return lessonIds.map((id) => byId.get(id)![lang]!);
}

/** One lesson in one language, or undefined. */
export function getLesson(id: string, lang: Lang): Lesson | undefined {
  return lessonIds.includes(id) ? byId.get(id)?.[lang] : undefined;
}

import en from './en.json';

/**
 * JSON fields that explain themselves in the inspect viewer: every key with a sentence under
 * `fields.<name>` in the catalogues (en and zh have the same keys, i18n.test.ts checks it).
 */
export const EXPLAINED_FIELDS: ReadonlySet<string> = new Set(Object.keys(en.fields));

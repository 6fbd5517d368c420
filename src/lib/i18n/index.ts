import { addMessages, getLocaleFromNavigator, init, locale } from 'svelte-i18n';
import en from './en.json';
import zh from './zh.json';

export const LOCALES = ['en', 'zh'] as const;
export type Locale = (typeof LOCALES)[number];
const STORAGE_KEY = 'layerscope.locale';

/** Follows the browser's language unless the user picked one with the switch. */
export function setupI18n(): void {
  addMessages('en', en);
  addMessages('zh', zh);
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage may be unavailable (private modes, blocked): fall back to the browser language.
  }
  const nav = getLocaleFromNavigator() ?? 'en';
  const initial = saved ?? (nav.toLowerCase().startsWith('zh') ? 'zh' : 'en');
  init({ fallbackLocale: 'en', initialLocale: initial });
  document.documentElement.lang = initial === 'zh' ? 'zh-CN' : 'en';
}

export function setLocale(next: Locale): void {
  locale.set(next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not kept across reloads when storage is unavailable; the switch still works now.
  }
}

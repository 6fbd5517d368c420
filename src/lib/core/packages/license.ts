/**
 * A license as a package declares it, and as an SPDX expression when it is one: checked with
 * spdx-expression-parse (the SPDX project's list of ids and grammar), never guessed from prose.
 */
import parse from 'spdx-expression-parse';
import type { DeclaredLicense } from './types';

export function declaredLicense(text: string): DeclaredLicense | undefined {
  const declared = text.trim();
  if (!declared) return undefined;
  return isSpdxExpression(declared) ? { declared, spdx: declared } : { declared };
}

export function isSpdxExpression(text: string): boolean {
  // Never a reference to a file or to text the package ships (`SEE LICENSE IN …`).
  if (/^(SEE LICENSE|LicenseRef-|DocumentRef-)/i.test(text)) return false;
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}

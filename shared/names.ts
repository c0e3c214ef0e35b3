/**
 * Participant names compared across providers and operator input. Pure (no Node APIs) so workflows can use
 * it too: the `settle` update matches an operator's names with the same rule ingestion matches events by.
 */

/** Tokens that differ between providers for the same club ("Arsenal FC" vs "Arsenal"). */
const NOISE_TOKENS = new Set(['fc', 'cf', 'afc', 'sc', 'ac', 'cd', 'the']);

/** "Paris Saint-Germain F.C." → "paris saint germain": lower case, no accents or punctuation, no club suffixes. */
export function normalizeName(name: string): string {
  const tokens = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[.']/g, '')
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((t) => t !== '' && !NOISE_TOKENS.has(t));
  return tokens.join(' ');
}

/**
 * Container identity as Docker makes it: a random 64-hex ID (moby pkg/stringid GenerateRandomID)
 * and a random `adjective_surname` name (moby internal/namesgenerator, daemon/names.go). The word
 * lists are our own, shorter than Docker's.
 */

/** Returns `n` random bytes; tests inject a deterministic one. */
export type RandomBytes = (n: number) => Uint8Array;

export const cryptoRandom: RandomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

const ADJECTIVES = [
  'agile',
  'bold',
  'brave',
  'bright',
  'calm',
  'clever',
  'cosmic',
  'curious',
  'eager',
  'focused',
  'gentle',
  'happy',
  'jolly',
  'keen',
  'kind',
  'lucid',
  'merry',
  'modest',
  'nimble',
  'patient',
  'quiet',
  'serene',
  'sharp',
  'steady',
  'sunny',
  'swift',
  'tender',
  'vivid',
  'witty',
  'zealous',
] as const;

/** Scientists and engineers, as Docker's list has. */
const SURNAMES = [
  'babbage',
  'bohr',
  'curie',
  'darwin',
  'dijkstra',
  'einstein',
  'euler',
  'faraday',
  'feynman',
  'franklin',
  'galileo',
  'gauss',
  'hamilton',
  'hopper',
  'hypatia',
  'kepler',
  'knuth',
  'lamarr',
  'lovelace',
  'maxwell',
  'meitner',
  'newton',
  'noether',
  'pascal',
  'ritchie',
  'shannon',
  'tesla',
  'thompson',
  'turing',
  'wozniak',
] as const;

export const NAME_WORDS = { adjectives: ADJECTIVES, surnames: SURNAMES };

function pick(random: RandomBytes, n: number): number {
  const b = random(4);
  const v = ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
  return v % n;
}

/**
 * One name, as namesgenerator.GetRandomName(retry): `adjective_surname`, never "boring_wozniak"
 * (our list has no "boring", the rule is kept for fidelity), with a random digit appended on
 * retries.
 */
export function randomName(retry: number, random: RandomBytes = cryptoRandom): string {
  for (;;) {
    const name = `${ADJECTIVES[pick(random, ADJECTIVES.length)]}_${SURNAMES[pick(random, SURNAMES.length)]}`;
    if (name === 'boring_wozniak') continue; // "Steve Wozniak is not boring" (namesgenerator)
    return retry > 0 ? name + String(pick(random, 10)) : name;
  }
}

/**
 * A name not in `taken`: six tries as daemon/names.go `generateAndReserveName` does, then the
 * container's short ID.
 */
export function uniqueName(
  id: string,
  taken: ReadonlySet<string>,
  random: RandomBytes = cryptoRandom,
): string {
  for (let i = 0; i < 6; i++) {
    const name = randomName(i, random);
    if (!taken.has(name)) return name;
  }
  return id.slice(0, 12);
}

const HEX = '0123456789abcdef';

/**
 * A 64-hex container ID (stringid.GenerateRandomID): 32 random bytes, drawn again when the
 * 12-character short form is all digits (it could be taken for a number as a hostname, moby #3869).
 */
export function randomId(random: RandomBytes = cryptoRandom): string {
  for (;;) {
    const b = random(32);
    let id = '';
    for (const x of b) id += HEX[x >> 4]! + HEX[x & 15]!;
    if (!/^[0-9]{12}$/.test(id.slice(0, 12))) return id;
  }
}

/** Docker's container name rule (daemon/names.go validContainerNamePattern). */
export const CONTAINER_NAME_PATTERN = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

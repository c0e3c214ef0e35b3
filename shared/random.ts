/**
 * mulberry32: a small, fast, seeded generator of uniforms in [0, 1). Benchmarks, analyses and tests use it
 * so their random choices are the same on every run. Pure: importable anywhere, workflows included.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

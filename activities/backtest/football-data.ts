import { readFileSync } from 'node:fs';
import {
  parseFootballDataCsv,
  type ParseOptions,
  type ParsedFootballDataFile,
} from '../../shared/readers/football-data';

/** Read and parse files (paths), in the order given. */
export function readFootballDataFiles(
  paths: readonly string[],
  options: ParseOptions = {},
): ParsedFootballDataFile[] {
  return paths.map((p) => parseFootballDataCsv(readFileSync(p, 'utf8'), p, options));
}

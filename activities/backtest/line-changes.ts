import { existsSync } from 'node:fs';
import type { EventResult } from '../../shared/backtest/types';
import {
  eventsFileFor,
  lineChangeReplay,
  parseLineChangeEvents,
  parseResultsCsv,
  type LineChangeReplay,
} from '../../shared/readers/line-changes';
import { readDataText } from './files';

/** Read a line-change file (gzip or plain), its events file and optional results file. */
export function readLineChanges(changesPath: string, resultsPath?: string): LineChangeReplay {
  const eventsPath = eventsFileFor(changesPath);
  if (eventsPath === changesPath || !existsSync(eventsPath)) {
    throw new Error(`${changesPath}: its events file ${eventsPath} is missing`);
  }
  const events = parseLineChangeEvents(readDataText(eventsPath), eventsPath);
  const results =
    resultsPath === undefined
      ? new Map<string, EventResult>()
      : parseResultsCsv(readDataText(resultsPath), events, resultsPath);
  return lineChangeReplay(readDataText(changesPath), events, results, changesPath);
}

import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes operators filter on in the Web UI. `alphabet stack up` registers every one
 * of them; workflows upsert them through these typed keys.
 */
export const SA = {
  BetStatus: defineSearchAttributeKey('BetStatus', SearchAttributeType.KEYWORD),
  Strategy: defineSearchAttributeKey('Strategy', SearchAttributeType.KEYWORD),
  Sport: defineSearchAttributeKey('Sport', SearchAttributeType.KEYWORD),
  EventId: defineSearchAttributeKey('EventId', SearchAttributeType.KEYWORD),
  Bookmaker: defineSearchAttributeKey('Bookmaker', SearchAttributeType.KEYWORD),
  RolloutStage: defineSearchAttributeKey('RolloutStage', SearchAttributeType.KEYWORD),
  Provider: defineSearchAttributeKey('Provider', SearchAttributeType.KEYWORD),
  StrategyMode: defineSearchAttributeKey('StrategyMode', SearchAttributeType.KEYWORD),
} as const;

export const CUSTOM_SEARCH_ATTRIBUTES = Object.values(SA);

/**
 * Every limit the core enforces. The values come from the options table (`src/config.ts` OPTIONS,
 * which documents each one); the core only reads them.
 */
export interface Limits {
  maxInboundBytes: number;
  maxOutboundBytes: number;
  maxWorldNameChars: number;
  maxWorldDescriptionChars: number;
  maxSpellCodeBytes: number;
  maxCastParamsBytes: number;
  maxOpsPerWorld: number;
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  buildQueueMax: number;
  buildsPerConnection: number;
  maxConnections: number;
  maxConnectionsPerAddress: number;
  connectRatePerAddress: number;
  connectBurstPerAddress: number;
  maxPacketsPerPoll: number;
  maxBufferedBytes: number;
  maxHttpBodyBytes: number;
  spellMaxIterations: number;
  maxWorldsPerAddress: number;
  maxSpellsPerAddress: number;
  maxBuildsPerHour: number;
  maxStoredBytesPerAddress: number;
  maxDataBytes: number;
  worldCreatesPerMinute: number;
  maxWorlds: number;
  worldListUpdateMs: number;
  worldsPageMax: number;
  joinAnnounceSpells: number;
  readQueueMax: number;
  readerStallMs: number;
  opDedupeMs: number;
  maxTargetEntityIdChars: number;
  maxCastParamsDepth: number;
  reportsPerHour: number;
  playerCreatesPerHour: number;
  tokenTtlDays: number;
}

// The version rule that makes replays harmless: a change applies only when it is newer than the snapshot
// the generation was dumped at, and not older than what the index holds for that document (document or
// tombstone). Equal commitTs applies, in arrival order (a key change is a delete and an insert in one
// transaction; TiCDC may also split an update into both).
import type { VersionRule } from '../engine/store/writer.js';

export function versionRule(snapshotTs: bigint): VersionRule {
  return (incoming, stored) => incoming > snapshotTs && (stored === undefined || incoming >= stored);
}

// Preloaded (`node --import`) into the servers that bench/instructions.ts runs under callgrind:
// Date.now() answers one instant for the whole run. Callgrind runs a server ~50-100× slower than
// real time, so with a real clock every session would pass its idle-refresh interval (tessera's
// touchAfter, 60 s) between two of its reads and most reads would become writes, and sessions
// would expire (30 min) during a run: a distortion that real traffic never sees. Frozen, every
// library sees the same instant: reads stay reads, and the counts repeat from run to run.
const instant = Date.now();
Date.now = () => instant;
export {};

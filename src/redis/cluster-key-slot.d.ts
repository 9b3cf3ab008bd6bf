// cluster-key-slot ships no types; ioredis uses it for the same computation.
declare module 'cluster-key-slot' {
  /** The Redis Cluster slot (0-16383) of a key, hash tag honoured. */
  function calculateSlot(key: string | Buffer): number;
  export = calculateSlot;
}

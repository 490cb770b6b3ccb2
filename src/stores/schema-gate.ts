/**
 * Creates a store's schema once, on first use: concurrent first calls share one attempt, and a
 * failed attempt is retried by the next call. Returns undefined once the schema is there, so the
 * hot path pays no await.
 */
export function createSchemaGate(migrate: () => Promise<void>, alreadyThere: boolean): () => Promise<void> | undefined {
  let ready = alreadyThere;
  let pending: Promise<void> | undefined;
  return () => {
    if (ready) return undefined;
    pending ??= migrate().then(
      () => {
        ready = true;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}

package io.conifer.store;

/** What {@link StorageEngine.WriteLocks#logCheckedParts} wrote: the docs its parts took, and the last part's LSN. */
public record PartsLogged(int docs, long lsn) {}

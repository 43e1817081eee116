package io.conifer.backup;

/** Pinecone's backup states: Initializing while files are copied, then Ready, or Failed. */
public enum BackupStatus {
    Initializing,
    Ready,
    Failed
}
